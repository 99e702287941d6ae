package redisstore

import (
	"context"
	"fmt"
	"iter"

	"github.com/cachetta-go/cachetta"
)

// scanCount is the COUNT hint of each SCAN: how many keys the server looks
// at per call, and so how many entries one stat round trip covers at most.
const scanCount = 500

// List yields the entries whose names start with prefix, walking the
// database with SCAN MATCH (never KEYS, which blocks the server) and
// reading the headers of each page in one round trip. Entries saved or
// deleted during the walk may or may not be yielded, as SCAN promises; none
// is yielded twice.
func (s *Store) List(ctx context.Context, prefix string) iter.Seq2[cachetta.StoreEntry, error] {
	return func(yield func(cachetta.StoreEntry, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(cachetta.StoreEntry{}, fmt.Errorf("redisstore: list %s: %w", prefix, err))
			return
		}
		start := len(s.entryKey(""))
		match := escapeGlob(s.entryKey(prefix)) + "*"
		// SCAN may return a key more than once.
		seen := map[string]bool{}
		var cursor uint64
		for {
			keys, next, err := s.client.Scan(ctx, cursor, match, scanCount).Result()
			if err != nil {
				yield(cachetta.StoreEntry{}, fmt.Errorf("redisstore: list %s: %w", prefix, err))
				return
			}
			names := make([]string, 0, len(keys))
			for _, k := range keys {
				if name := k[start:]; !seen[name] {
					seen[name] = true
					names = append(names, name)
				}
			}
			if len(names) > 0 {
				entries, err := s.stat(ctx, names)
				if err != nil {
					yield(cachetta.StoreEntry{}, fmt.Errorf("redisstore: list %s: %w", prefix, err))
					return
				}
				for _, e := range entries {
					// nil: deleted between the SCAN and the stat.
					if e != nil && !yield(*e, nil) {
						return
					}
				}
			}
			if next == 0 {
				return
			}
			cursor = next
		}
	}
}
