package cachetta_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/cachetta-go/cachetta"
)

// Two machines keep local copies in front of one shared store: a function
// runs once between them, each reads the shared entry once, and each then
// answers from its own disk. Here the shared store is a directory; in
// production it is a bucket (blobstore.Open) or a Redis (redisstore.New).
func ExampleNewTiered() {
	shared, cleanup := tempStore()
	defer cleanup()

	// machine returns one machine's cache: a local directory in front of
	// shared, whose copies it trusts for a minute before it asks again.
	machine := func() (*cachetta.Cachetta[string], func()) {
		local, cleanup := tempStore()
		tier, err := cachetta.NewTiered(local, shared, time.Minute)
		if err != nil {
			log.Fatal(err)
		}
		return cachetta.Must(cachetta.New[string]("cache/user.json", cachetta.WithStore(tier))), cleanup
	}
	a, cleanupA := machine()
	defer cleanupA()
	b, cleanupB := machine()
	defer cleanupB()

	fetch := func(_ context.Context, id int) (string, error) {
		fmt.Println("fetching", id)
		return fmt.Sprint("user ", id), nil
	}
	getA, getB := cachetta.Wrap1(a, fetch), cachetta.Wrap1(b, fetch)
	ctx := context.Background()
	getA(ctx, 42)            // runs fetch; saves to shared, keeps a copy
	getB(ctx, 42)            // loads from shared, keeps a copy
	name, _ := getB(ctx, 42) // reads B's copy
	fmt.Println(name)

	// Entries, Prune and Clear see the local copies.
	for info := range b.Entries(ctx) {
		fmt.Println("B's copy:", info.Path)
	}
	// Clear empties B's disk and leaves the shared entry.
	b.Clear(ctx)
	_, err := shared.Stat(ctx, "cache/user-08f5e39ca06e5b2b.json")
	fmt.Println("shared entry after B's Clear:", err == nil)
	// Output:
	// fetching 42
	// user 42
	// B's copy: cache/user-08f5e39ca06e5b2b.json
	// shared entry after B's Clear: true
}
