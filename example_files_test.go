package cachetta_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/cachetta-go/cachetta"
)

// list returns the names below dir, relative to it, in lexical order.
func list(dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && path != dir {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func ExampleWithFiles_sync() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	// Invoices are slow to rebuild: a write that returned survives a power
	// loss too.
	invoices := cachetta.Must(cachetta.New[[]int](filepath.Join(dir, "invoices.json"),
		cachetta.WithFiles(cachetta.Files{Sync: true})))
	err := invoices.Write(ctx, []int{1001, 1002})
	data, _ := os.ReadFile(invoices.Path())
	fmt.Println(string(data), err)
	// Output:
	// [1001,1002] <nil>
}

func ExampleWithPathFunc2() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	reports := cachetta.Must(cachetta.New[string](dir,
		cachetta.WithPathFunc2(func(tenant string, year int) string {
			return filepath.Join(dir, tenant, fmt.Sprintf("report-%d.json", year))
		})))
	report := cachetta.Wrap2(reports, func(_ context.Context, tenant string, year int) (string, error) {
		return fmt.Sprintf("%s %d: ok", tenant, year), nil
	})
	report(ctx, "acme", 2025)
	report(ctx, "globex", 2026)
	for _, name := range list(dir) {
		if filepath.Ext(name) == ".json" {
			fmt.Println(name)
		}
	}

	// Arguments that do not fit the path function are an error, not a panic.
	_, err := reports.PathFor("acme", "2025")
	fmt.Println(errors.Is(err, cachetta.ErrArgs))
	// Output:
	// acme/report-2025.json
	// globex/report-2026.json
	// true
}

func ExampleWithRoot() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	root := filepath.Join(dir, "uploads")
	// The file name comes from a user: the root keeps it inside uploads.
	thumbs := cachetta.Must(cachetta.New[string](".", cachetta.WithRoot(root),
		cachetta.WithPathFunc(func(name string) string { return name + ".json" })))

	fmt.Println(thumbs.Write(ctx, "a thumbnail", "cat"))
	err := thumbs.Write(ctx, "a thumbnail", "../../escaped")
	fmt.Println(errors.Is(err, cachetta.ErrOutsideRoot))
	path, _ := thumbs.PathFor("cat")
	rel, _ := filepath.Rel(dir, path)
	fmt.Println(filepath.ToSlash(rel))
	fmt.Println(list(dir))
	// Output:
	// <nil>
	// true
	// uploads/cat.json
	// [uploads uploads/.cachetta-lock uploads/cat.json]
}

func ExampleWithProcessLock() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	// A cache only this process uses takes no lock and makes no lock file;
	// one that processes share keeps one hidden lock file per directory.
	local := cachetta.Must(cachetta.New[int](filepath.Join(dir, "local", "n.json"),
		cachetta.WithProcessLock(false)))
	shared := cachetta.Must(cachetta.New[int](filepath.Join(dir, "shared", "n.json")))
	one := func(context.Context) (int, error) { return 1, nil }
	cachetta.Wrap(local, one)(ctx)
	cachetta.Wrap(shared, one)(ctx)
	fmt.Println(list(dir))
	// Output:
	// [local local/n.json shared shared/.cachetta-lock shared/n.json]
}

func ExampleWithLockTimeout() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	path := filepath.Join(dir, "export.json")

	// Another process (here a cache of its own) is running a slow export.
	other := cachetta.Must(cachetta.New[string](path))
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan string)
	go func() {
		v, _ := cachetta.Wrap(other, func(context.Context) (string, error) {
			close(started)
			<-release
			return "their export", nil
		})(ctx)
		done <- v
	}()
	<-started

	// This one waits a little for it, then runs the export itself.
	impatient := cachetta.Must(cachetta.New[string](path,
		cachetta.WithLockTimeout(10*time.Millisecond), quiet))
	v, _ := cachetta.Wrap(impatient, func(context.Context) (string, error) {
		return "my export", nil
	})(ctx)
	fmt.Println(v)
	close(release)
	fmt.Println(<-done)
	// Output:
	// my export
	// their export
}
