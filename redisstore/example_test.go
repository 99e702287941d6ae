package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/cachetta-go/cachetta/redisstore"
	"github.com/redis/go-redis/v9"
)

// New makes no connection: a store is ready at once, and its first call
// reaches the server.
func ExampleNew() {
	client := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	defer client.Close()
	st, err := redisstore.New(client, redisstore.WithPrefix("myapp:cache:"))
	fmt.Println(st != nil, err)
	// Output: true <nil>
}

// A cluster client is taken as one server's is: the keys of an entry carry
// its hash tag, so that the entry and its lock share a slot, and listing
// walks every master. A Ring is refused.
func ExampleNew_cluster() {
	client := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs: []string{"10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"},
	})
	defer client.Close()
	st, err := redisstore.New(client, redisstore.WithPrefix("myapp:cache:"))
	fmt.Println(st != nil, err)
	// Output: true <nil>
}

// A process that misses takes the entry's lock, so that of the processes
// sharing the server one computes and the others read its result.
// (Not run: it needs a server.)
func ExampleStore_Lock() {
	client := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	defer client.Close()
	st, err := redisstore.New(client)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	unlock, err := st.Lock(ctx, "report.json", 30*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	defer unlock()
	if _, _, err := st.Load(ctx, "report.json", 1<<20); err != nil {
		// Still missing: compute it and save it for an hour.
		_ = st.Save(ctx, "report.json", []byte(`{"rows":42}`), time.Hour)
	}
}
