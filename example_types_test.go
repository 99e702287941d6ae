package cachetta_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cachetta-go/cachetta"
)

// Catalog holds the caches of a service; a *Cachetta is safe to share
// between goroutines, so one per kind of value is enough.
type Catalog struct {
	prices *cachetta.Cachetta[map[string]int]
}

func ExampleCachetta() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	cat := Catalog{prices: cachetta.Must(cachetta.New[map[string]int](filepath.Join(dir, "prices.json"),
		cachetta.WithDuration(time.Hour)))}

	// One file per region, each computed at most once an hour.
	prices := cachetta.Wrap1(cat.prices, func(_ context.Context, region string) (map[string]int, error) {
		return map[string]int{"tea": len(region)}, nil
	})
	eu, _ := prices(ctx, "eu")
	asia, _ := prices(ctx, "asia")
	fmt.Println(eu, asia)
	// Output:
	// map[tea:2] map[tea:4]
}

func ExampleInfo() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	feed := cachetta.Must(cachetta.New[string](filepath.Join(dir, "feed.json"),
		cachetta.WithDuration(time.Hour), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour})))
	feed.Write(ctx, "items")

	for _, hoursOld := range []int{0, 1, 3} {
		when := time.Now().Add(-time.Duration(hoursOld)*time.Hour - time.Minute)
		os.Chtimes(feed.Path(), when, when)
		info, _ := feed.Info(ctx)
		fmt.Printf("%dh old: expired=%v stale=%v\n", hoursOld, info.Expired, info.Stale)
	}
	feed.Invalidate(ctx)
	info, _ := feed.Info(ctx)
	fmt.Println("removed: exists =", info.Exists)
	// Output:
	// 0h old: expired=false stale=false
	// 1h old: expired=true stale=true
	// 3h old: expired=true stale=false
	// removed: exists = false
}

func ExampleOption() {
	dir, cleanup := tempDir()
	defer cleanup()
	// Settings shared by every cache of a program; a cache's own options come
	// after them and win.
	defaults := []cachetta.Option{cachetta.WithDuration(time.Hour), cachetta.WithLRU(256)}
	users := cachetta.Must(cachetta.New[string](filepath.Join(dir, "user.json"), defaults...))
	quotes := cachetta.Must(cachetta.New[string](filepath.Join(dir, "quote.json"),
		append(defaults, cachetta.WithDuration(time.Minute))...))

	ctx := context.Background()
	users.Write(ctx, "ada")
	quotes.Write(ctx, "up 2%")
	old := time.Now().Add(-10 * time.Minute)
	os.Chtimes(users.Path(), old, old)
	os.Chtimes(quotes.Path(), old, old)
	u, _ := users.Info(ctx)
	q, _ := quotes.Info(ctx)
	fmt.Println(u.Expired, q.Expired)
	// Output:
	// false true
}
