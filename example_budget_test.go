package cachetta_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cachetta-go/cachetta"
)

func ExampleWithPruneBudget_entries() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	pages := cachetta.Must(cachetta.New[string](filepath.Join(dir, "page.json"), cachetta.WithPruneBudget(0, 2)))
	for i, name := range []string{"a", "b", "c"} {
		pages.Write(ctx, "<h1>"+name+"</h1>", name)
		// Written three, two and one hours ago: a is the oldest.
		path, _ := pages.PathFor(name)
		when := time.Now().Add(time.Duration(i-3) * time.Hour)
		os.Chtimes(path, when, when)
	}

	removed, err := pages.Prune(ctx)
	oldest, _ := pages.PathFor("a")
	fmt.Println(len(removed), removed[0] == oldest, err)
	// Output:
	// 1 true <nil>
}

func ExampleWithPruneBudget() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	// Each entry is a JSON string of 12 bytes; 30 bytes hold two.
	notes := cachetta.Must(cachetta.New[string](filepath.Join(dir, "note.json"), cachetta.WithPruneBudget(30, 0)))
	for i, name := range []string{"a", "b", "c"} {
		notes.Write(ctx, "0123456789", name)
		path, _ := notes.PathFor(name)
		when := time.Now().Add(time.Duration(i-3) * time.Minute)
		os.Chtimes(path, when, when)
	}

	notes.Prune(ctx)
	for _, name := range []string{"a", "b", "c"} {
		ok, _ := notes.Exists(ctx, name)
		fmt.Println(name, ok)
	}
	// Output:
	// a false
	// b true
	// c true
}
