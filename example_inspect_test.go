package cachetta_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cachetta-go/cachetta"
)

// sessions is a package-level cache, the use Must is meant for.
var sessions = cachetta.Must(cachetta.New[string]("cache/session.json", cachetta.WithDuration(time.Hour)))

func ExampleMust() {
	fmt.Println(sessions.Path())

	defer func() { fmt.Println("panic:", recover()) }()
	cachetta.Must(cachetta.New[string](""))
	// Output:
	// cache/session.json
	// panic: cachetta: empty path
}

func ExampleCachetta_Path() {
	c := cachetta.Must(cachetta.New[int]("./cache//../cache/count.json"))
	fmt.Println(c.Path())
	// Output:
	// cache/count.json
}

func ExampleCachetta_Exists() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	thumbs := cachetta.Must(cachetta.New[string](filepath.Join(dir, "thumb.json"), cachetta.WithDuration(time.Hour)))
	thumbs.Write(ctx, "small.png", "cat.png")
	path, _ := thumbs.PathFor("cat.png")
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(path, old, old)

	// Exists looks at the file only: an expired entry still exists.
	cat, _ := thumbs.Exists(ctx, "cat.png")
	dog, _ := thumbs.Exists(ctx, "dog.png")
	_, fresh, _ := thumbs.Read(ctx, "cat.png")
	fmt.Println(cat, dog, fresh)
	// Output:
	// true false false
}

func ExampleCachetta_Age() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	index := cachetta.Must(cachetta.New[[]string](filepath.Join(dir, "index.json")))

	_, ok, err := index.Age(ctx)
	fmt.Println(ok, err)

	index.Write(ctx, []string{"a", "b"})
	old := time.Now().Add(-90 * time.Minute)
	os.Chtimes(index.Path(), old, old)
	age, ok, err := index.Age(ctx)
	fmt.Println(age.Round(time.Minute), ok, err)
	// Output:
	// false <nil>
	// 1h30m0s true <nil>
}
