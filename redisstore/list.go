package redisstore

import (
	"context"
	"fmt"
	"iter"
	"sync"

	"github.com/cachetta-go/cachetta"
	"github.com/redis/go-redis/v9"
)

// scanCount is the COUNT hint of each SCAN: how many keys the server looks
// at per call, and so how many entries one stat round trip covers at most.
const scanCount = 500

// List yields the entries whose names start with prefix, walking each
// server that holds keys (every master of a cluster, one after the other)
// with SCAN MATCH, never KEYS, which blocks the server, and reading the
// headers of each page in one round trip. Entries saved or deleted during
// the walk may or may not be yielded, as SCAN promises; so may entries
// whose slot moves to another master during it. None is yielded twice.
func (s *Store) List(ctx context.Context, prefix string) iter.Seq2[cachetta.StoreEntry, error] {
	return func(yield func(cachetta.StoreEntry, error) bool) {
		fail := func(err error) { yield(cachetta.StoreEntry{}, fmt.Errorf("redisstore: list %s: %w", prefix, err)) }
		if err := ctx.Err(); err != nil {
			fail(err)
			return
		}
		nodes, err := s.nodes(ctx)
		if err != nil {
			fail(err)
			return
		}
		match := s.entryPattern(prefix)
		// SCAN may return a key more than once.
		seen := map[string]bool{}
		for _, node := range nodes {
			var cursor uint64
			for {
				keys, next, err := node.Scan(ctx, cursor, match, scanCount).Result()
				if err != nil {
					fail(err)
					return
				}
				names := make([]string, 0, len(keys))
				for _, k := range keys {
					if name, ok := s.entryName(k); ok && !seen[name] {
						seen[name] = true
						names = append(names, name)
					}
				}
				if len(names) > 0 {
					// Through the store's client, not node: in a cluster it
					// follows a slot that moved since the SCAN.
					entries, err := s.statPage(ctx, names)
					if err != nil {
						fail(err)
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
					break
				}
				cursor = next
			}
		}
	}
}

// clusterClient is what List needs of a cluster client (a
// *redis.ClusterClient, or a type that embeds one): a way to reach each
// master, whose keys a SCAN of that master alone returns.
type clusterClient interface {
	ForEachMaster(ctx context.Context, fn func(ctx context.Context, client *redis.Client) error) error
}

// nodes returns the clients of the servers whose keys are all the store's:
// the masters of a cluster, or the store's client itself.
func (s *Store) nodes(ctx context.Context) ([]redis.Cmdable, error) {
	cluster, ok := s.client.(clusterClient)
	if !ok {
		return []redis.Cmdable{s.client}, nil
	}
	var (
		mu      sync.Mutex // guards masters: ForEachMaster calls fn on each master at once
		masters []redis.Cmdable
	)
	err := cluster.ForEachMaster(ctx, func(_ context.Context, master *redis.Client) error {
		mu.Lock()
		defer mu.Unlock()
		masters = append(masters, master)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return masters, nil
}
