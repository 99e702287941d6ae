package jsoncodec_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/jsoncodec"
)

func Example() {
	type user struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}
	dir, err := os.MkdirTemp("", "jsoncodec-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "users.json")

	users := cachetta.Must(cachetta.New[[]user](path, cachetta.WithCodec(jsoncodec.Codec)))
	ctx := context.Background()
	if err := users.Write(ctx, []user{{1, "Ada"}, {2, "Bob & <Eve>"}}); err != nil {
		fmt.Println(err)
		return
	}
	list, ok, err := users.Read(ctx)
	fmt.Println(list, ok, err)

	data, err := os.ReadFile(path) // the same JSON cachetta.JSON writes
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(data))
	// Output:
	// [{1 Ada} {2 Bob & <Eve>}] true <nil>
	// [{"id":1,"name":"Ada"},{"id":2,"name":"Bob & <Eve>"}]
}
