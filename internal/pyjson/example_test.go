package pyjson_test

import (
	"fmt"

	"github.com/cachetta-go/cachetta/internal/pyjson"
)

func Example() {
	type T struct {
		B int `json:"b"`
		A int `json:"a"`
	}
	text, err := pyjson.AppendKey(nil, []any{1.0, "é", T{B: 2, A: 1}})
	fmt.Printf("%s %v\n", text, err)
	data, err := pyjson.Marshal(T{B: 2, A: 1})
	fmt.Printf("%s %v\n", data, err)
	// Output:
	// {"args": [1.0, "\u00e9", {"a": 1, "b": 2}], "kwargs": {}} <nil>
	// {"b": 2, "a": 1} <nil>
}
