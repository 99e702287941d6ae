package redisstore_test

import (
	"testing"

	"github.com/cachetta-go/cachetta/redisstore"
	"github.com/redis/go-redis/v9"
)

// TestNewRefuses checks that New refuses what it cannot serve: no client,
// clients whose keys lie on many servers, which SCAN cannot walk, and no
// logger.
func TestNewRefuses(t *testing.T) {
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	defer cluster.Close()
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1", "b": "127.0.0.1:2"}})
	defer ring.Close()
	one := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer one.Close()
	for _, tt := range []struct {
		name   string
		client redis.UniversalClient
		opts   []redisstore.Option
	}{
		{"nil", nil, nil},
		{"cluster", cluster, nil},
		{"ring", ring, nil},
		{"nil logger", one, []redisstore.Option{redisstore.WithLogger(nil)}},
	} {
		if st, err := redisstore.New(tt.client, tt.opts...); err == nil {
			t.Errorf("New(%s) = %v, nil; want an error", tt.name, st)
		}
	}
}
