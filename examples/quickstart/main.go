// Command quickstart caches a slow computation in a JSON file and prints how
// long a miss and a hit take.
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
	dir, err := os.MkdirTemp("", "cachetta-quickstart-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	forecasts, err := cachetta.New[Forecast](filepath.Join(dir, "forecast.json"),
		cachetta.WithDuration(10*time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	forecast := cachetta.Wrap1(forecasts, fetchForecast)

	for _, label := range []string{"miss", "hit"} {
		start := time.Now()
		f, err := forecast(ctx, "Lisbon")
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-4s %8v  %+v\n", label, time.Since(start).Round(time.Microsecond), f)
	}

	path, _ := forecasts.PathFor("Lisbon")
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("file %s holds %s\n", filepath.Base(path), data)
}
