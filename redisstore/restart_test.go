package redisstore_test

import (
	"context"
	"errors"
	"io/fs"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
	"github.com/redis/go-redis/v9"
)

// TestRestart stops the server mid-test: every operation returns an error
// (not a panic, not a miss), and once the server is back on the same port
// the same store works again, its scripts loaded anew (List's too).
func TestRestart(t *testing.T) {
	srv := startServer(t)
	c := redis.NewClient(&redis.Options{Addr: srv.addr(), MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	st := newStore(t, c)
	ctx := t.Context()
	if err := st.Save(ctx, "a.json", []byte(`1`), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Load(ctx, "a.json", 10); err != nil {
		t.Fatal(err)
	}
	unlock, err := st.Lock(ctx, "held.json", time.Second)
	if err != nil {
		t.Fatal(err)
	}

	srv.stop()
	short := func() context.Context {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		t.Cleanup(cancel)
		return ctx
	}
	down := func(what string, err error) {
		t.Helper()
		if err == nil || errors.Is(err, fs.ErrNotExist) || errors.Is(err, cachetta.ErrTooLarge) {
			t.Errorf("%s with the server down = %v; want the connection's error", what, err)
		}
	}
	_, _, err = st.Load(short(), "a.json", 10)
	down("Load", err)
	_, err = st.Stat(short(), "a.json")
	down("Stat", err)
	down("Save", st.Save(short(), "a.json", []byte(`2`), time.Hour))
	down("Delete", st.Delete(short(), "a.json"))
	var listErr error
	for _, err := range st.List(short(), "") {
		listErr = err
	}
	down("List", listErr)
	u, err := st.Lock(short(), "other.json", time.Second)
	down("Lock", err)
	if u != nil {
		u()
	}
	// Releasing a lock the server forgot gives up within its bound.
	unlock()

	srv.restart(t)
	// Nothing persisted: the restarted server is empty, and the store's
	// scripts are no longer cached there.
	if _, _, err := st.Load(ctx, "a.json", 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load after restart = %v; want fs.ErrNotExist", err)
	}
	if err := st.Save(ctx, "a.json", []byte(`3`), time.Hour); err != nil {
		t.Fatalf("Save after restart = %v", err)
	}
	if data, _, err := st.Load(ctx, "a.json", 10); err != nil || string(data) != "3" {
		t.Errorf("Load after restart = %q, %v; want 3", data, err)
	}
	// Listing first: its pipeline of EVALSHA finds the script unknown and
	// must send it whole, as Stat's single call does after it.
	var listed []string
	for e, err := range st.List(ctx, "") {
		if err != nil {
			t.Errorf("List after restart = %v", err)
			break
		}
		listed = append(listed, e.Name)
	}
	if len(listed) != 1 || listed[0] != "a.json" {
		t.Errorf("List after restart = %q; want [a.json]", listed)
	}
	if _, err := st.Stat(ctx, "a.json"); err != nil {
		t.Errorf("Stat after restart = %v", err)
	}
	relock, err := st.Lock(ctx, "held.json", time.Second)
	if err != nil {
		t.Fatalf("Lock after restart = %v", err)
	}
	relock()
}
