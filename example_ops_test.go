package cachetta_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cachetta-go/cachetta"
)

// names returns the base names of paths.
func names(paths []string) []string {
	var out []string
	for _, p := range paths {
		out = append(out, filepath.Base(p))
	}
	return out
}

func ExampleCachetta_Clear() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	users := cachetta.Must(cachetta.New[string](filepath.Join(dir, "user.json"), cachetta.WithLRU(16)))
	users.Write(ctx, "ada", 1)
	users.Write(ctx, "grace", 2)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600)

	removed, err := users.Clear(ctx)
	fmt.Println(names(removed), err)
	_, ok, _ := users.Read(ctx, 1) // memory was emptied too
	fmt.Println(ok)
	_, err = os.Stat(filepath.Join(dir, "notes.txt"))
	fmt.Println(err == nil)
	// Output:
	// [user-2da0b9c5f1a93f30.json user-dbcf233ca0930262.json] <nil>
	// false
	// true
}

func ExampleCachetta_Entries() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	scores := cachetta.Must(cachetta.New[int](filepath.Join(dir, "score.json"), cachetta.WithDuration(time.Hour)))
	scores.Write(ctx, 10, "ada")
	scores.Write(ctx, 7, "grace")
	path, _ := scores.PathFor("grace")
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(path, old, old)

	var lines []string
	for info, err := range scores.Entries(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%s %d bytes expired=%v", filepath.Base(info.Path), info.Size, info.Expired))
	}
	slices.Sort(lines) // Entries come in directory order
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// score-7f7d306488fb720f.json 1 bytes expired=true
	// score-ca4a182ddb8d1ee4.json 2 bytes expired=false
}

func ExampleCachetta_Prune() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	pages := cachetta.Must(cachetta.New[string](filepath.Join(dir, "page.json"), cachetta.WithDuration(time.Hour)))
	pages.Write(ctx, "<h1>home</h1>", "home")
	pages.Write(ctx, "<h1>old</h1>", "old")
	path, _ := pages.PathFor("old")
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(path, old, old)

	removed, err := pages.Prune(ctx)
	fmt.Println(len(removed), filepath.Base(removed[0]) == filepath.Base(path), err)
	ok, _ := pages.Exists(ctx, "home")
	fmt.Println(ok)
	// Output:
	// 1 true <nil>
	// true
}

func ExampleCachetta_Write() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	type Settings struct {
		Theme string `json:"theme"`
	}
	settings := cachetta.Must(cachetta.New[Settings](filepath.Join(dir, "settings.json")))
	if err := settings.Write(ctx, Settings{Theme: "dark"}); err != nil {
		log.Fatal(err)
	}
	data, _ := os.ReadFile(settings.Path())
	fmt.Println(string(data))
	// Output:
	// {"theme":"dark"}
}

func ExampleCachetta_Invalidate() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	users := cachetta.Must(cachetta.New[string](filepath.Join(dir, "user.json")))
	users.Write(ctx, "ada", 1)
	users.Write(ctx, "grace", 2)

	if err := users.Invalidate(ctx, 1); err != nil {
		log.Fatal(err)
	}
	one, _ := users.Exists(ctx, 1)
	two, _ := users.Exists(ctx, 2)
	fmt.Println(one, two)
	// Output:
	// false true
}

func ExampleCachetta_PathFor() {
	users := cachetta.Must(cachetta.New[string]("cache/user.json"))
	path, _ := users.PathFor()
	fmt.Println(path)
	path, _ = users.PathFor(42)
	fmt.Println(path)
	path, _ = users.PathFor(42, "eu")
	fmt.Println(path)
	// Output:
	// cache/user.json
	// cache/user-08f5e39ca06e5b2b.json
	// cache/user-7a9234d1e27a2f2f.json
}

func ExampleKey() {
	key, err := cachetta.Key(42)
	fmt.Println(key, err)
	// Floats stay floats, as in Python: 42.0 is another key.
	key, err = cachetta.Key(42.0)
	fmt.Println(key, err)
	_, err = cachetta.Key(func() {})
	fmt.Println(err != nil)
	// Output:
	// 08f5e39ca06e5b2b <nil>
	// 22d9d9026d51a525 <nil>
	// true
}

func ExampleWrap2() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	sums := cachetta.Must(cachetta.New[int](filepath.Join(dir, "sum.json")))
	calls := 0
	add := cachetta.Wrap2(sums, func(ctx context.Context, a, b int) (int, error) {
		calls++
		return a + b, nil
	})
	x, _ := add(ctx, 2, 3)
	y, _ := add(ctx, 2, 3)
	z, _ := add(ctx, 3, 2) // other arguments, another entry
	fmt.Println(x, y, z, calls)
	// Output:
	// 5 5 5 2
}

func ExampleWrap3() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	greetings := cachetta.Must(cachetta.New[string](filepath.Join(dir, "greeting.json")))
	greet := cachetta.Wrap3(greetings, func(ctx context.Context, greeting, name string, times int) (string, error) {
		return strings.Repeat(greeting+" "+name+"! ", times), nil
	})
	s, err := greet(ctx, "hello", "ada", 2)
	fmt.Printf("%q %v\n", s, err)
	ok, _ := greetings.Exists(ctx, "hello", "ada", 2)
	fmt.Println(ok)
	// Output:
	// "hello ada! hello ada! " <nil>
	// true
}

func ExampleCachetta_ReadStale() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	rates := cachetta.Must(cachetta.New[float64](filepath.Join(dir, "rate.json"),
		cachetta.WithDuration(time.Hour), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: 24 * time.Hour})))
	rates.Write(ctx, 1.08)
	old := time.Now().Add(-3 * time.Hour)
	os.Chtimes(rates.Path(), old, old)

	_, fresh, _ := rates.Read(ctx)
	v, ok, _ := rates.ReadStale(ctx)
	info, _ := rates.Info(ctx)
	fmt.Println(fresh, v, ok, info.Stale)
	// Output:
	// false 1.08 true true
}

func ExampleCachetta_Wait() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	prices := cachetta.Must(cachetta.New[int](filepath.Join(dir, "price.json"),
		cachetta.WithDuration(time.Hour), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour})))
	prices.Write(ctx, 1)
	old := time.Now().Add(-90 * time.Minute)
	os.Chtimes(prices.Path(), old, old)
	price := cachetta.Wrap(prices, func(context.Context) (int, error) { return 2, nil })

	v, _ := price(ctx) // stale: served at once, refreshed in the background
	prices.Wait()      // the refresh has written its result
	w, _ := price(ctx)
	fmt.Println(v, w)
	// Output:
	// 1 2
}
