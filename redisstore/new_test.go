package redisstore_test

import (
	"testing"

	"github.com/cachetta-go/cachetta/redisstore"
	"github.com/redis/go-redis/v9"
)

// TestNew checks what New takes and what it refuses: one server, a
// failover client and a cluster client, but no client, a Ring (which moves
// keys between shards), no logger, and a prefix whose braces would change
// the keys' cluster slots.
func TestNew(t *testing.T) {
	one := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer one.Close()
	failover := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "m", SentinelAddrs: []string{"127.0.0.1:1"}})
	defer failover.Close()
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	defer cluster.Close()
	universal := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:1", "127.0.0.1:2"}})
	defer universal.Close()
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1", "b": "127.0.0.1:2"}})
	defer ring.Close()
	for _, tt := range []struct {
		name   string
		client redis.UniversalClient
		opts   []redisstore.Option
		ok     bool
	}{
		{"one server", one, nil, true},
		{"failover", failover, nil, true},
		{"cluster", cluster, nil, true},
		{"universal cluster", universal, nil, true},
		{"empty prefix", cluster, []redisstore.Option{redisstore.WithPrefix("")}, true},
		{"prefix with other special characters", cluster, []redisstore.Option{redisstore.WithPrefix(`a*?[]\:`)}, true},
		{"nil", nil, nil, false},
		{"ring", ring, nil, false},
		{"nil logger", one, []redisstore.Option{redisstore.WithLogger(nil)}, false},
		{"prefix with a hash tag", cluster, []redisstore.Option{redisstore.WithPrefix("{app}:")}, false},
		{"prefix with an empty hash tag", one, []redisstore.Option{redisstore.WithPrefix("app{}:")}, false},
		{"prefix with an opening brace", one, []redisstore.Option{redisstore.WithPrefix("app{")}, false},
		{"prefix with a closing brace", one, []redisstore.Option{redisstore.WithPrefix("app}")}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, err := redisstore.New(tt.client, tt.opts...)
			if (err == nil) != tt.ok {
				t.Errorf("New(%s) = %v, %v; want ok %t", tt.name, st, err, tt.ok)
			}
		})
	}
}
