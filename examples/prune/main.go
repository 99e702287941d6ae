// Command prune runs Prune from a ticker, as a long-running program would,
// for a few ticks and exits. Each tick writes one more keyed entry; entries
// that no read can return any more (past duration plus stale duration) go.
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

func main() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cachetta-prune-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// An entry lives 100ms here, an hour or a day in a real program, whose
	// ticker would tick about as often.
	pages, err := cachetta.New[string](filepath.Join(dir, "page.json"), cachetta.WithDuration(100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	ticker := time.NewTicker(60 * time.Millisecond)
	defer ticker.Stop()
	for tick := range 5 {
		if err := pages.Write(ctx, fmt.Sprint("page ", tick), tick); err != nil {
			log.Fatal(err)
		}
		<-ticker.C
		removed, err := pages.Prune(ctx)
		if err != nil {
			log.Fatal(err)
		}
		n := 0
		for _, err := range pages.Entries(ctx) {
			if err != nil {
				log.Fatal(err)
			}
			n++
		}
		fmt.Printf("tick %d: pruned %d, entries left: %d\n", tick, len(removed), n)
	}
}
