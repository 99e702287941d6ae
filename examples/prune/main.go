// Command prune runs Prune from a ticker, as a long-running program would,
// for a few ticks and exits. Each tick writes one more keyed entry of 100
// bytes; entries that no read can return any more (past duration plus
// stale duration) go, and so do the oldest beyond the disk budget of
// WithPruneBudget, which keeps at most three of them.
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

	// An entry lives 250ms here, an hour or a day in a real program, whose
	// ticker would tick about as often. A page is 100 bytes on disk: a JSON
	// string of 98 characters.
	pages, err := cachetta.New[string](filepath.Join(dir, "page.json"),
		cachetta.WithDuration(250*time.Millisecond), cachetta.WithPruneBudget(300, 0))
	if err != nil {
		log.Fatal(err)
	}
	ticker := time.NewTicker(60 * time.Millisecond)
	defer ticker.Stop()
	for tick := range 6 {
		page := fmt.Sprintf("%-98s", fmt.Sprint("page ", tick))
		if err := pages.Write(ctx, page, tick); err != nil {
			log.Fatal(err)
		}
		<-ticker.C
		removed, err := pages.Prune(ctx)
		if err != nil {
			log.Fatal(err)
		}
		n, bytes := 0, int64(0)
		for info, err := range pages.Entries(ctx) {
			if err != nil {
				log.Fatal(err)
			}
			n++
			bytes += info.Size
		}
		fmt.Printf("tick %d: pruned %d, entries left: %d (%d bytes)\n", tick, len(removed), n, bytes)
	}
}
