package cachetta_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cachetta-go/cachetta"
)

func ExampleWithLRU() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	profiles := cachetta.Must(cachetta.New[string](filepath.Join(dir, "profile.json"),
		cachetta.WithLRU(1024)))
	profiles.Write(ctx, "ada", 1)
	profiles.Read(ctx, 1) // the first read decodes the file and keeps the value

	// Later reads are answered from memory: they do not notice that the file
	// went away behind the cache's back.
	path, _ := profiles.PathFor(1)
	os.Remove(path)
	v, ok, _ := profiles.Read(ctx, 1)
	fmt.Println(v, ok)

	// Invalidate empties memory as well as the disk.
	profiles.Invalidate(ctx, 1)
	_, ok, _ = profiles.Read(ctx, 1)
	fmt.Println(ok)
	// Output:
	// ada true
	// false
}

func ExampleWithFileCheck() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	path := filepath.Join(dir, "flags.json")
	flags := cachetta.Must(cachetta.New[string](path, cachetta.WithLRU(64), cachetta.WithFileCheck(true)))
	flags.Write(ctx, "v1")
	flags.Read(ctx)

	// Another process replaces the file; the memory entry no longer matches
	// it, so the next read goes to the disk.
	other := cachetta.Must(cachetta.New[string](path))
	other.Write(ctx, "v2")
	v, _, _ := flags.Read(ctx)
	fmt.Println(v)
	// Output:
	// v2
}

func ExampleWithRefresh() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	weather := cachetta.Must(cachetta.New[string](filepath.Join(dir, "weather.json"),
		cachetta.WithDuration(10*time.Minute),
		cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour})))
	weather.Write(ctx, "sunny")
	old := time.Now().Add(-30 * time.Minute)
	os.Chtimes(weather.Path(), old, old)
	getWeather := cachetta.Wrap(weather, func(context.Context) (string, error) { return "rain", nil })

	// Expired but inside the stale hour: the old value comes back at once
	// and one background refresh replaces it.
	v, _ := getWeather(ctx)
	fmt.Println(v)
	weather.Wait()
	v, _ = getWeather(ctx)
	fmt.Println(v)

	// Past the stale window the caller waits for a new value.
	weather.Write(ctx, "fog")
	older := time.Now().Add(-2 * time.Hour)
	os.Chtimes(weather.Path(), older, older)
	v, _ = getWeather(ctx)
	fmt.Println(v)
	// Output:
	// sunny
	// rain
	// rain
}

func ExampleWithRefresh_timeout() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()
	rates := cachetta.Must(cachetta.New[string](filepath.Join(dir, "rates.json"),
		cachetta.WithDuration(time.Minute),
		cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour, Timeout: time.Millisecond}),
		quiet))
	rates.Write(ctx, "old rates")
	old := time.Now().Add(-2 * time.Minute)
	os.Chtimes(rates.Path(), old, old)
	// A refresh that honours its context gives up when the timeout cancels
	// it; the stale entry stays.
	getRates := cachetta.Wrap(rates, func(ctx context.Context) (string, error) {
		<-ctx.Done()
		return "", ctx.Err()
	})

	v, _ := getRates(ctx)
	rates.Wait()
	data, _ := os.ReadFile(rates.Path())
	fmt.Println(v, string(data))
	// Output:
	// old rates "old rates"
}
