package cachetta_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cachetta-go/cachetta"
)

// tempDir returns a new directory for an example and a function removing it.
func tempDir() (string, func()) {
	dir, err := os.MkdirTemp("", "cachetta-example-")
	if err != nil {
		log.Fatal(err)
	}
	return dir, func() { os.RemoveAll(dir) }
}

func Example() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()

	type Report struct {
		Total int `json:"total"`
	}
	reports := cachetta.Must(cachetta.New[Report](filepath.Join(dir, "report.json"),
		cachetta.WithDuration(time.Hour)))

	calls := 0
	build := cachetta.Wrap(reports, func(ctx context.Context) (Report, error) {
		calls++
		return Report{Total: 42}, nil
	})
	for range 3 {
		r, err := build(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Total)
	}
	fmt.Println("computed", calls, "time")
	data, _ := os.ReadFile(reports.Path())
	fmt.Println(string(data))
	// Output:
	// 42
	// 42
	// 42
	// computed 1 time
	// {"total":42}
}

func ExampleNew() {
	users, err := cachetta.New[[]string]("cache/users.json",
		cachetta.WithDuration(24*time.Hour),
		cachetta.WithLRU(128),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(users.Path())

	_, err = cachetta.New[[]string]("cache/users.json", cachetta.WithDuration(-time.Hour))
	fmt.Println(err)
	// Output:
	// cache/users.json
	// cachetta: duration must be positive, got -1h0m0s
}

func ExampleCachetta_Read() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	scores := cachetta.Must(cachetta.New[map[string]int](filepath.Join(dir, "scores.json")))

	_, ok, err := scores.Read(ctx)
	fmt.Println(ok, err)

	if err := scores.Write(ctx, map[string]int{"ada": 3}); err != nil {
		log.Fatal(err)
	}
	v, ok, err := scores.Read(ctx)
	fmt.Println(v, ok, err)
	// Output:
	// false <nil>
	// map[ada:3] true <nil>
}

func ExampleCachetta_Join() {
	root := cachetta.Must(cachetta.New[string]("cache"))
	page := root.Join("pages", "home.json")
	fmt.Println(page.Path())
	fmt.Println(root.Path())
	// Output:
	// cache/pages/home.json
	// cache
}

func ExampleCachetta_With() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	prices := cachetta.Must(cachetta.New[float64](filepath.Join(dir, "price.json")))

	// A copy that only reads a minute's worth of freshness, as Python's
	// cache.copy(duration=...); the original keeps its own duration.
	minute, err := prices.With(cachetta.WithDuration(time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	prices.Write(ctx, 9.5)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(prices.Path(), old, old)

	_, okOriginal, _ := prices.Read(ctx)
	_, okMinute, _ := minute.Read(ctx)
	fmt.Println(okOriginal, okMinute)
	// Output:
	// true false
}

func ExampleCachetta_Info() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	c := cachetta.Must(cachetta.New[string](filepath.Join(dir, "greeting.json"), cachetta.WithDuration(time.Hour)))

	c.Write(ctx, "hello")
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(c.Path(), old, old)

	info, err := c.Info(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(filepath.Base(info.Path), info.Exists, info.Size, info.Expired, info.Age >= 2*time.Hour)
	// Output:
	// greeting.json true 7 true true
}

func ExampleWrap1() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	users := cachetta.Must(cachetta.New[string](filepath.Join(dir, "user.json")))

	getUser := cachetta.Wrap1(users, func(ctx context.Context, id int) (string, error) {
		return "user " + strconv.Itoa(id), nil
	})
	name, _ := getUser(ctx, 42)
	fmt.Println(name)

	// The file name carries the key Python's cachetta derives for get_user(42).
	path, _ := users.PathFor(42)
	fmt.Println(filepath.Base(path))

	// Python: cache.invalidate(42)
	users.Invalidate(ctx, 42)
	ok, _ := users.Exists(ctx, 42)
	fmt.Println(ok)
	// Output:
	// user 42
	// user-08f5e39ca06e5b2b.json
	// false
}

// UserService is a type whose method is cached.
type UserService struct{ calls int }

// Name looks a user up.
func (s *UserService) Name(ctx context.Context, id int) (string, error) {
	s.calls++
	return "user " + strconv.Itoa(id), nil
}

// ExampleWrap1_method wraps a method value: the receiver is never part of
// the key, only the arguments are.
func ExampleWrap1_method() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	names := cachetta.Must(cachetta.New[string](filepath.Join(dir, "name.json")))

	svc := &UserService{}
	name := cachetta.Wrap1(names, svc.Name)
	name(ctx, 7)
	name(ctx, 7)
	fmt.Println(svc.calls)
	// Output:
	// 1
}

func ExampleWithPathFunc() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	pages := cachetta.Must(cachetta.New[string](dir, cachetta.WithPathFunc(func(slug string) string {
		return filepath.Join(dir, "pages", slug+".json")
	})))
	render := cachetta.Wrap1(pages, func(ctx context.Context, slug string) (string, error) {
		return "<h1>" + slug + "</h1>", nil
	})
	render(ctx, "about")
	data, _ := os.ReadFile(filepath.Join(dir, "pages", "about.json"))
	fmt.Println(string(data))
	// Output:
	// "<h1>about</h1>"
}

// ExampleWrap_overrides wraps with settings of its own through a copy, as
// Python's cache(fn, duration=...).
func ExampleWrap_overrides() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	base := cachetta.Must(cachetta.New[int](filepath.Join(dir, "n.json")))

	short := cachetta.Must(base.With(cachetta.WithDuration(time.Minute), cachetta.WithLRU(16)))
	count := cachetta.Wrap(short, func(ctx context.Context) (int, error) { return 1, nil })
	n, err := count(ctx)
	fmt.Println(n, err)
	// Output:
	// 1 <nil>
}
