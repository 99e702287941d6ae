package cachetta_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/cachetta-go/cachetta"
)

// quiet discards the warnings and errors that examples provoke on purpose.
var quiet = cachetta.WithLogger(slog.New(slog.DiscardHandler))

// age sets the modification time of the cache's file to d ago.
func age(c *cachetta.Cachetta[string], d time.Duration) {
	when := time.Now().Add(-d)
	if err := os.Chtimes(c.Path(), when, when); err != nil {
		log.Fatal(err)
	}
}

func ExampleForceRefresh() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	prices := cachetta.Must(cachetta.New[int](filepath.Join(dir, "price.json")))
	price := 100
	getPrice := cachetta.Wrap(prices, func(context.Context) (int, error) {
		price++
		return price, nil
	})

	v, _ := getPrice(ctx)
	fmt.Println(v)
	v, _ = getPrice(ctx)
	fmt.Println(v, "(cached)")
	v, _ = getPrice(cachetta.ForceRefresh(ctx))
	fmt.Println(v, "(forced)")
	v, _ = getPrice(ctx)
	fmt.Println(v, "(cached)")
	// Output:
	// 101
	// 101 (cached)
	// 102 (forced)
	// 102 (cached)
}

func ExampleBypass() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	reports := cachetta.Must(cachetta.New[string](filepath.Join(dir, "report.json")))
	build := cachetta.Wrap(reports, func(context.Context) (string, error) {
		return "draft", nil
	})

	v, _ := build(cachetta.Bypass(ctx))
	exists, _ := reports.Exists(ctx)
	fmt.Println(v, exists)
	// Output:
	// draft false
}

func ExampleMaxAge() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	quotes := cachetta.Must(cachetta.New[string](filepath.Join(dir, "quote.json"),
		cachetta.WithDuration(time.Hour)))
	if err := quotes.Write(ctx, "ten minutes old"); err != nil {
		log.Fatal(err)
	}
	age(quotes, 10*time.Minute)
	getQuote := cachetta.Wrap(quotes, func(context.Context) (string, error) {
		return "new", nil
	})

	v, _ := getQuote(ctx)
	fmt.Println(v)
	v, _ = getQuote(cachetta.MaxAge(ctx, 5*time.Minute))
	fmt.Println(v)
	// Output:
	// ten minutes old
	// new
}

func ExampleWithRefresh_staleIfError() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	rates := cachetta.Must(cachetta.New[string](filepath.Join(dir, "rates.json"),
		cachetta.WithDuration(time.Hour),
		cachetta.WithRefresh(cachetta.Refresh{StaleIfError: 24 * time.Hour}),
		quiet))
	if err := rates.Write(ctx, "yesterday's rates"); err != nil {
		log.Fatal(err)
	}
	age(rates, 3*time.Hour)
	getRates := cachetta.Wrap(rates, func(context.Context) (string, error) {
		return "", errors.New("rates service unavailable")
	})

	v, err := getRates(ctx)
	fmt.Println(v, err)
	// Output:
	// yesterday's rates <nil>
}

func ExampleWithErrorCaching() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	errNoSuchUser := errors.New("no such user")
	users := cachetta.Must(cachetta.New[string](filepath.Join(dir, "user.json"),
		cachetta.WithErrorCaching(time.Minute, func(err error) bool {
			return errors.Is(err, errNoSuchUser)
		})))
	lookups := 0
	getUser := cachetta.Wrap1(users, func(_ context.Context, id int) (string, error) {
		lookups++
		return "", errNoSuchUser
	})

	for range 3 {
		_, err := getUser(ctx, 42)
		fmt.Println(err)
	}
	fmt.Println("looked up", lookups, "time")
	// Output:
	// no such user
	// no such user
	// no such user
	// looked up 1 time
}

func ExampleWithRefresh_backoff() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	feed := cachetta.Must(cachetta.New[string](filepath.Join(dir, "feed.json"),
		cachetta.WithDuration(time.Minute),
		cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour}),
		quiet))
	if err := feed.Write(ctx, "stale feed"); err != nil {
		log.Fatal(err)
	}
	age(feed, 2*time.Minute)
	attempts := 0
	getFeed := cachetta.Wrap(feed, func(context.Context) (string, error) {
		attempts++ // refreshes run one at a time
		return "", errors.New("feed unavailable")
	})

	for range 100 {
		getFeed(ctx)
	}
	feed.Wait()
	v, _ := getFeed(ctx)
	feed.Wait()
	fmt.Println(v, "after", attempts, "refresh attempt")
	// Output:
	// stale feed after 1 refresh attempt
}

func ExampleWithRefresh_early() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	// Entries of an hour whose refresh begins, at random, shortly before
	// they expire: the longer the last computation took, the earlier.
	scores := cachetta.Must(cachetta.New[int](filepath.Join(dir, "scores.json"),
		cachetta.WithDuration(time.Hour),
		cachetta.WithRefresh(cachetta.Refresh{Early: 1})))
	computed := 0
	getScores := cachetta.Wrap(scores, func(context.Context) (int, error) {
		computed++
		return 42, nil
	})

	for range 3 {
		v, _ := getScores(ctx)
		fmt.Println(v)
	}
	scores.Wait()
	fmt.Println("computed", computed, "time")
	// Output:
	// 42
	// 42
	// 42
	// computed 1 time
}
