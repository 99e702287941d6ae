// Command confined caches values under names that users supply, confined by
// WithRoot to one directory: a name that climbs out with "../" is refused
// with ErrOutsideRoot, and nothing is written outside.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/cachetta-go/cachetta"
)

func main() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cachetta-confined-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	root := filepath.Join(dir, "notes")

	// The path function builds a file name from user input; WithRoot makes
	// it relative to root and refuses any that leads outside.
	notes, err := cachetta.New[string](".", cachetta.WithRoot(root),
		cachetta.WithPathFunc(func(name string) string { return name + ".json" }))
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"shopping", "work/todo", "../../etc/passwd", "/tmp/elsewhere"} {
		err := notes.Write(ctx, "note "+name, name)
		switch {
		case errors.Is(err, cachetta.ErrOutsideRoot):
			fmt.Printf("%-18s refused: outside the root\n", name)
		case err != nil:
			log.Fatal(err)
		default:
			path, _ := notes.PathFor(name)
			rel, _ := filepath.Rel(root, path)
			fmt.Printf("%-18s written to <root>/%s\n", name, filepath.ToSlash(rel))
		}
	}
	v, ok, err := notes.Read(ctx, "work/todo")
	fmt.Printf("read work/todo: %q %v %v\n", v, ok, err)
	if _, err := os.Stat(filepath.Join(dir, "etc")); errors.Is(err, os.ErrNotExist) {
		fmt.Println("nothing was written outside the root")
	}
}
