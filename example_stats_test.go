package cachetta_test

import (
	"context"
	"fmt"
	"log"
	"path/filepath"

	"github.com/cachetta-go/cachetta"
)

func ExampleCachetta_Stats() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()

	prices := cachetta.Must(cachetta.New[float64](filepath.Join(dir, "price.json"), cachetta.WithLRU(10)))
	price := cachetta.Wrap1(prices, func(_ context.Context, sku string) (float64, error) {
		return 9.99, nil
	})
	for _, sku := range []string{"apple", "apple", "apple", "pear"} {
		if _, err := price(ctx, sku); err != nil {
			log.Fatal(err)
		}
	}
	s := prices.Stats()
	fmt.Printf("runs %d, disk hits %d, memory hits %d\n", s.Runs, s.DiskHits, s.MemoryHits)
	// Output:
	// runs 2, disk hits 0, memory hits 2
}

func ExampleWithEvents() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()

	// A hook is called synchronously: a real one would add to a metric.
	quotes := cachetta.Must(cachetta.New[string](filepath.Join(dir, "quote.json"),
		cachetta.WithLRU(10),
		cachetta.WithEvents(func(e cachetta.Event) {
			fmt.Println(e.Kind, filepath.Base(e.Path))
		})))
	quote := cachetta.Wrap(quotes, func(context.Context) (string, error) {
		return "carpe diem", nil
	})
	for range 3 {
		if _, err := quote(ctx); err != nil {
			log.Fatal(err)
		}
	}
	// Output:
	// miss quote.json
	// run quote.json
	// write quote.json
	// memory hit quote.json
	// memory hit quote.json
}

func ExampleEventKind_String() {
	fmt.Println(cachetta.EventStaleHit)
	// Output:
	// stale hit
}

// An Event carries how long the operation took and why it failed, for a
// histogram or a trace span.
func ExampleEvent() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()

	rates := cachetta.Must(cachetta.New[float64](filepath.Join(dir, "rate.json"),
		cachetta.WithEvents(func(e cachetta.Event) {
			if e.Kind == cachetta.EventRun {
				fmt.Println("run failed:", e.Err, e.Duration >= 0)
			}
		})))
	rate := cachetta.Wrap(rates, func(context.Context) (float64, error) {
		return 0, fmt.Errorf("upstream down")
	})
	_, err := rate(ctx)
	fmt.Println(err)
	// Output:
	// run failed: upstream down true
	// upstream down
}

// Stats is a snapshot: counters keep counting after it was taken.
func ExampleStats() {
	dir, cleanup := tempDir()
	defer cleanup()
	ctx := context.Background()

	notes := cachetta.Must(cachetta.New[string](filepath.Join(dir, "note.json")))
	if err := notes.Write(ctx, "remember the milk"); err != nil {
		log.Fatal(err)
	}
	before := notes.Stats()
	if _, _, err := notes.Read(ctx); err != nil {
		log.Fatal(err)
	}
	after := notes.Stats()
	fmt.Println(before.Writes, before.BytesWritten, before.DiskHits)
	fmt.Println(after.DiskHits, after.BytesRead)
	// Output:
	// 1 19 0
	// 1 19
}
