package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"

	"github.com/cachetta-go/cachetta"
	"github.com/redis/go-redis/v9"
)

// countingConn counts the bytes a client reads from the server.
type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// TestLoadTooLargeNotTransferred checks that finding an entry over the
// limit costs about the limit in bytes from the server, not the entry's
// length, and that a hit costs about its length.
func TestLoadTooLargeNotTransferred(t *testing.T) {
	srv := startServer(t)
	var read atomic.Int64
	c := redis.NewClient(&redis.Options{
		Addr: srv.addr(),
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return countingConn{conn, &read}, nil
		},
	})
	t.Cleanup(func() { c.Close() })
	st := newStore(t, c)
	ctx := t.Context()
	const size = 4 << 20
	if err := st.Save(ctx, "big.json", bytes.Repeat([]byte("9"), size), 0); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		maxSize  int64
		tooLarge bool
	}{
		{1000, true},
		{size - 1, true},
		{size, false},
	} {
		before := read.Load()
		data, _, err := st.Load(ctx, "big.json", tt.maxSize)
		got := read.Load() - before
		if tt.tooLarge != errors.Is(err, cachetta.ErrTooLarge) || (!tt.tooLarge && len(data) != size) {
			t.Errorf("Load(maxSize %d) of %d bytes = %d bytes, %v", tt.maxSize, size, len(data), err)
		}
		// The reply's framing and the header are a few dozen bytes.
		if limit := min(tt.maxSize, size) + 100; got > limit {
			t.Errorf("Load(maxSize %d) of %d bytes read %d bytes from the server; want at most %d", tt.maxSize, size, got, limit)
		}
	}
}
