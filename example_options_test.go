package cachetta_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/cachetta-go/cachetta"
)

func ExampleWithDuration() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	news := cachetta.Must(cachetta.New[string](filepath.Join(dir, "news.json"),
		cachetta.WithDuration(15*time.Minute)))
	news.Write(ctx, "headlines")

	_, ok, _ := news.Read(ctx)
	fmt.Println("just written:", ok)
	old := time.Now().Add(-20 * time.Minute)
	os.Chtimes(news.Path(), old, old)
	_, ok, _ = news.Read(ctx)
	fmt.Println("20 minutes old:", ok)
	// Output:
	// just written: true
	// 20 minutes old: false
}

func ExampleWithRead() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	path := filepath.Join(dir, "build.json")
	cachetta.Must(cachetta.New[int](path)).Write(ctx, 1)

	// A --no-cache run: every call computes, and its result still refreshes
	// the file for the runs after it.
	noCache := cachetta.Must(cachetta.New[int](path, cachetta.WithRead(false)))
	build := cachetta.Wrap(noCache, func(context.Context) (int, error) { return 2, nil })
	v, _ := build(ctx)
	data, _ := os.ReadFile(path)
	fmt.Println(v, string(data))
	// Output:
	// 2 2
}

func ExampleWithWrite() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	// A dry run that must leave the disk as it found it.
	dryRun := cachetta.Must(cachetta.New[string](filepath.Join(dir, "plan.json"),
		cachetta.WithWrite(false)))
	plan := cachetta.Wrap(dryRun, func(context.Context) (string, error) { return "3 changes", nil })

	v, err := plan(ctx)
	fmt.Println(v, err)
	fmt.Println(dryRun.Write(ctx, "ignored"))
	exists, _ := dryRun.Exists(ctx)
	fmt.Println(exists)
	// Output:
	// 3 changes <nil>
	// <nil>
	// false
}

func ExampleWithLogger() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	// Drop the time and the decoder's wording of errors, and print paths
	// relative to dir, so the output is the same on every run and build.
	handler := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey, "err":
				return slog.Attr{}
			case "path":
				if rel, err := filepath.Rel(dir, a.Value.String()); err == nil {
					return slog.String("path", rel)
				}
			}
			return a
		},
	})
	users := cachetta.Must(cachetta.New[string](filepath.Join(dir, "user.json"),
		cachetta.WithLogger(slog.New(handler))))
	getUser := cachetta.Wrap(users, func(context.Context) (string, error) { return "ada", nil })

	getUser(ctx) // a miss, checked again under the run's lock, then a write
	getUser(ctx) // a hit
	os.WriteFile(users.Path(), []byte("{not json"), 0o600)
	users.Read(ctx) // a corrupt file is a miss, with a warning
	// Output:
	// level=DEBUG msg="cache miss: no file" path=user.json
	// level=DEBUG msg="cache miss: no file" path=user.json
	// level=DEBUG msg="cache write" path=user.json
	// level=DEBUG msg="cache hit" path=user.json
	// level=WARN msg="cache miss: corrupt file" path=user.json
}

func ExampleWithCondition() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	// An empty search result is returned but not kept, so the next call asks
	// again.
	results := cachetta.Must(cachetta.New[[]string](filepath.Join(dir, "search.json"),
		cachetta.WithCondition(func(hits []string) bool { return len(hits) > 0 })))
	calls := 0
	search := cachetta.Wrap1(results, func(_ context.Context, q string) ([]string, error) {
		calls++
		if q == "go" {
			return []string{"go.dev"}, nil
		}
		return nil, nil
	})

	for _, q := range []string{"go", "go", "zzz", "zzz"} {
		hits, _ := search(ctx, q)
		fmt.Println(q, hits)
	}
	fmt.Println("searched", calls, "times")

	_, err := cachetta.New[int](filepath.Join(dir, "n.json"),
		cachetta.WithCondition(func(s string) bool { return s != "" }))
	fmt.Println(err)
	// Output:
	// go [go.dev]
	// go [go.dev]
	// zzz []
	// zzz []
	// searched 3 times
	// cachetta: condition is func(string) bool, want func(int) bool
}

func ExampleWithCodec() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	config := cachetta.Must(cachetta.New[map[string]int](filepath.Join(dir, "limits.json"),
		cachetta.WithCodec(indented{})))
	config.Write(ctx, map[string]int{"rps": 100})

	data, _ := os.ReadFile(config.Path())
	fmt.Println(string(data))
	v, ok, _ := config.Read(ctx)
	fmt.Println(v, ok)
	// Output:
	// {
	//   "rps": 100
	// }
	// map[rps:100] true
}

func ExampleCodec() {
	// The default codec writes exactly the JSON text of a value: no HTML
	// escaping, no trailing newline.
	data, err := cachetta.JSON.Marshal(map[string]string{"html": "<b>&</b>"})
	fmt.Printf("%s %v\n", data, err)
	var v map[string]string
	err = cachetta.JSON.Unmarshal(data, &v)
	fmt.Println(v["html"], err)
	// Output:
	// {"html":"<b>&</b>"} <nil>
	// <b>&</b> <nil>
}

func ExampleWithFiles_readLimit() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	path := filepath.Join(dir, "feed.json")
	cachetta.Must(cachetta.New[string](path)).Write(ctx, "a feed of 25 bytes or so")

	small := cachetta.Must(cachetta.New[string](path, cachetta.WithFiles(cachetta.Files{ReadLimit: 16}), quiet))
	_, ok, err := small.Read(ctx) // too large: a miss, never read
	fmt.Println(ok, err)
	// Output:
	// false <nil>
}

// indented is a Codec writing indented JSON, for files people read.
type indented struct{}

func (indented) Marshal(v any) ([]byte, error)      { return json.MarshalIndent(v, "", "  ") }
func (indented) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
