// Command httpserver serves a slow computation over HTTP through a cache
// with an in-memory LRU and stale-while-revalidate: once the entry expires,
// the next request still gets the old value at once while a refresh runs in
// the background. It starts the server with net/http/httptest, sends a few
// requests, prints what came back and exits.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/cachetta-go/cachetta"
)

// Quote is what the slow computation returns.
type Quote struct {
	Symbol  string `json:"symbol"`
	Version int64  `json:"version"`
}

func main() {
	dir, err := os.MkdirTemp("", "cachetta-httpserver-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	quotes, err := cachetta.New[Quote](filepath.Join(dir, "quote.json"),
		cachetta.WithDuration(200*time.Millisecond),                               // short, to expire within the demo
		cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Minute}), // then served stale while refreshing
		cachetta.WithLRU(128))
	if err != nil {
		log.Fatal(err)
	}
	var computed atomic.Int64
	quote := cachetta.Wrap1(quotes, func(ctx context.Context, symbol string) (Quote, error) {
		return Quote{Symbol: symbol, Version: computed.Add(1)}, nil
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /quote/{symbol}", func(w http.ResponseWriter, r *http.Request) {
		q, err := quote(r.Context(), r.PathValue("symbol"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(q)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	get := func(note string) {
		resp, err := http.Get(srv.URL + "/quote/ACME")
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%d %s  %s\n", resp.StatusCode, body[:len(body)-1], note)
	}
	get("a miss: computed")
	get("a hit from memory")
	time.Sleep(250 * time.Millisecond) // let the entry expire
	get("expired: served stale at once, refreshed in the background")
	quotes.Wait() // the refresh has written version 2
	get("the refreshed value")
	fmt.Println("computed", computed.Load(), "times for 4 requests")
}
