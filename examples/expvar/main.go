// Command expvar publishes a cache's Stats through the standard library's
// expvar, as a program with a /debug/vars endpoint would, serves it with an
// httptest server, runs a few calls, fetches /debug/vars once and prints the
// cache's counters. It exits by itself.
package main

import (
	"context"
	"encoding/json"
	"expvar"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/cachetta-go/cachetta"
)

func main() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cachetta-expvar-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	users, err := cachetta.New[string](filepath.Join(dir, "user.json"),
		cachetta.WithDuration(time.Hour), cachetta.WithLRU(100))
	if err != nil {
		log.Fatal(err)
	}
	// expvar.Func calls Stats at each fetch, so the page always shows the
	// counters of that moment; encoding/json names them as Stats' fields.
	expvar.Publish("cachetta_users", expvar.Func(func() any { return users.Stats() }))

	name := cachetta.Wrap1(users, func(_ context.Context, id int) (string, error) {
		return fmt.Sprint("user ", id), nil
	})
	for _, id := range []int{1, 2, 1, 1, 3} {
		if _, err := name(ctx, id); err != nil {
			log.Fatal(err)
		}
	}

	// expvar registers its handler on http.DefaultServeMux.
	srv := httptest.NewServer(http.DefaultServeMux)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/debug/vars")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var vars struct {
		Users cachetta.Stats `json:"cachetta_users"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&vars); err != nil {
		log.Fatal(err)
	}
	s := vars.Users
	fmt.Printf("memory hits %d, disk hits %d, misses %d, runs %d, writes %d (%d bytes)\n",
		s.MemoryHits, s.DiskHits, s.Misses, s.Runs, s.Writes, s.BytesWritten)
}
