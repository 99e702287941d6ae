//go:build unix

package cachetta_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cachetta-go/cachetta"
)

// The modes below are what these examples print under the usual umask
// (022, 002 or 027), which the kernel applies to every new file.

func ExampleWithFiles() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	// A web server in the cache owner's group serves these files.
	pages := cachetta.Must(cachetta.New[string](filepath.Join(dir, "page.json"),
		cachetta.WithFiles(cachetta.Files{Mode: 0o640})))
	pages.Write(ctx, "<h1>hi</h1>")
	fi, _ := os.Stat(pages.Path())
	fmt.Println(fi.Mode())

	_, err := cachetta.New[string]("page.json", cachetta.WithFiles(cachetta.Files{Mode: 0o400}))
	fmt.Println(err)
	// Output:
	// -rw-r-----
	// cachetta: file mode 0400 must be permission bits including 0600
}

func ExampleWithFiles_dirMode() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	avatars := cachetta.Must(cachetta.New[string](filepath.Join(dir, "avatars", "user.json"),
		cachetta.WithFiles(cachetta.Files{DirMode: 0o750})))
	avatars.Write(ctx, "ada.png", 1) // creates the missing directory
	fi, _ := os.Stat(filepath.Join(dir, "avatars"))
	fmt.Println(fi.Mode())
	// Output:
	// drwxr-x---
}
