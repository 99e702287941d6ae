package jsoncodec_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// The values here are the ones the codec was measured on: a struct of about
// 1 KiB with fields of common kinds, about 1 MiB of such structs, and a
// map[string]any of about 1 KiB as encoding/json decodes one.

type address struct {
	Street string  `json:"street"`
	City   string  `json:"city"`
	Zip    string  `json:"zip"`
	Lat    float64 `json:"lat"`
	Lon    float64 `json:"lon"`
}

type record struct {
	ID       int64     `json:"id"`
	Name     string    `json:"name"`
	Email    string    `json:"email"`
	Score    float64   `json:"score"`
	Ratio    float64   `json:"ratio"`
	Active   bool      `json:"active"`
	Tags     []string  `json:"tags"`
	Counts   []int     `json:"counts"`
	Home     address   `json:"home"`
	Previous []address `json:"previous"`
	Note     string    `json:"note"`
	Parent   *record   `json:"parent,omitempty"`
}

// newRecord returns the i-th record, about 1 KiB of JSON. Its strings hold
// the characters encoding/json escapes for HTML (<, >, &), which files keep
// as they are, and non-ASCII text.
func newRecord(i int) record {
	f := float64(i)
	return record{
		ID:     int64(i) * 7919,
		Name:   "user " + strconv.Itoa(i),
		Email:  "user" + strconv.Itoa(i) + "@example.com",
		Score:  f*1.25 + 0.1,
		Ratio:  1 / (f + 3),
		Active: i%2 == 0,
		Tags:   []string{"alpha", "beta", "gamma <&>", "δέλτα"},
		Counts: []int{i, i * 2, i * 3, -i, 1 << 40},
		Home:   address{"1 Main Street", "Springfield", "12345", 40.7128 + f/1000, -74.006},
		Previous: []address{
			{"22 Elm Road", "Shelbyville", "54321", 39.1, -75.5},
			{"9 Oak Avenue, Apt. 4", "Capital City", "99999", 38.8977, -77.0365},
		},
		Note: strings.Repeat("lorem ipsum dolor sit amet, ", 17) + "\"quoted\" & <tagged>\n",
	}
}

// records returns as many records as fit in size bytes of JSON, and at
// least one.
func records(tb testing.TB, size int) []record {
	tb.Helper()
	var recs []record
	encoded := 2 // []
	for i := 0; ; i++ {
		r := newRecord(i)
		data, err := json.Marshal(r)
		if err != nil {
			tb.Fatal(err)
		}
		if len(recs) > 0 && encoded+len(data)+1 > size {
			return recs
		}
		recs = append(recs, r)
		encoded += len(data) + 1
	}
}

// anyMap returns a map[string]any of about 1 KiB of JSON, holding every kind
// of value encoding/json decodes into an any.
func anyMap(tb testing.TB) map[string]any {
	tb.Helper()
	data, err := json.Marshal(newRecord(42))
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		tb.Fatal(err)
	}
	m["extra"] = map[string]any{
		"null": nil, "big": 1e21, "tiny": 1e-7, "neg": -0.5,
		"list": []any{true, false, "x"},
	}
	return m
}

// A value is one of the measured values, with a way to make a target to
// decode it into.
type value struct {
	name   string
	v      any
	target func() any // a pointer to a new zero value of v's type
}

// values returns the measured values.
func values(tb testing.TB) []value {
	tb.Helper()
	return []value{
		{"struct1KiB", newRecord(42), newOf[record]},
		{"slice1MiB", records(tb, 1<<20), newOf[[]record]},
		{"map1KiB", anyMap(tb), newOf[map[string]any]},
	}
}

func newOf[T any]() any { return new(T) }
