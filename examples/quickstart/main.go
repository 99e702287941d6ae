// Command quickstart caches a slow computation in a JSON file under the
// user's cache directory and prints how long a miss and a hit take. Run it
// twice: the second run finds the file of the first and computes nothing.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/cachetta-go/cachetta"
)

// Forecast is what the slow computation returns.
type Forecast struct {
	City    string  `json:"city"`
	TempC   float64 `json:"temp_c"`
	Summary string  `json:"summary"`
}

// fetchForecast stands in for a slow network call.
func fetchForecast(ctx context.Context, city string) (Forecast, error) {
	select {
	case <-time.After(500 * time.Millisecond):
	case <-ctx.Done():
		return Forecast{}, ctx.Err()
	}
	return Forecast{City: city, TempC: 21.5, Summary: "sunny"}, nil
}

func main() {
	ctx := context.Background()
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir() // no home directory: a CI container, say
	}
	dir := filepath.Join(base, "cachetta-quickstart")
	fmt.Println("cache directory:", dir)

	forecasts, err := cachetta.New[Forecast](filepath.Join(dir, "forecast.json"),
		cachetta.WithDuration(10*time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	computed := false
	fetch := func(ctx context.Context, city string) (Forecast, error) {
		computed = true
		return fetchForecast(ctx, city)
	}
	forecast := cachetta.Wrap1(forecasts, fetch)

	for range 2 {
		computed = false
		start := time.Now()
		f, err := forecast(ctx, "Lisbon")
		if err != nil {
			log.Fatal(err)
		}
		label := "hit, read from disk"
		if computed {
			label = "miss, computed"
		}
		fmt.Printf("%-19s %8v  %+v\n", label, time.Since(start).Round(time.Microsecond), f)
	}

	path, _ := forecasts.PathFor("Lisbon")
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("file %s holds %s\n", filepath.Base(path), data)
	fmt.Println("run it again for a hit from disk; go run ./cmd/cachetta clear", dir, "starts afresh")
}
