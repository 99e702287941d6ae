package cachetta_test

import (
	"context"
	"fmt"

	"github.com/cachetta-go/cachetta"
)

// A cache keeps its entries in a Store instead of local files: here the
// local reference store, in production a Redis or object store from the
// redisstore and blobstore modules. Names stay the file names.
func ExampleWithStore() {
	store, cleanup := tempStore()
	defer cleanup()

	users := cachetta.Must(cachetta.New[string]("cache/user.json", cachetta.WithStore(store)))
	getUser := cachetta.Wrap1(users, func(_ context.Context, id int) (string, error) {
		fmt.Println("fetching", id)
		return fmt.Sprint("user ", id), nil
	})
	ctx := context.Background()
	getUser(ctx, 42)
	name, _ := getUser(ctx, 42)
	fmt.Println(name)

	for info := range users.Entries(ctx) {
		fmt.Println(info.Path, info.Size)
	}
	// Output:
	// fetching 42
	// user 42
	// cache/user-08f5e39ca06e5b2b.json 9
}
