package cachetta

import (
	"path/filepath"
	"testing"
	"time"
)

type spelled int

func (spelled) MarshalText() ([]byte, error) { return []byte("x"), nil }

// TestArgMemoKeepsToContent: a wrapper remembers the paths of arguments
// whose key is a function of their data, at any depth, and of no others:
// none of a type that writes its own JSON, anywhere inside, nor of an
// interface, which may hold anything.
func TestArgMemoKeepsToContent(t *testing.T) {
	type id int
	type plain struct {
		User string
		Page int
		Flag bool
		IDs  [2]id
	}
	type inner struct{ plain }
	type tagged struct {
		User string
		Tags []string
		Opts map[string]int
		Next *plain
		Rate float64
	}
	c := Must(New[int](filepath.Join(t.TempDir(), "v.json"), WithLRU(8)))
	noMemory := Must(c.With(WithLRU(0)))
	tests := []struct {
		name string
		memo bool
		want bool
	}{
		{"int", argMemo[int](c) != nil, true},
		{"id", argMemo[id](c) != nil, true},
		{"plain", argMemo[plain](c) != nil, true},
		{"inner", argMemo[inner](c) != nil, true},
		{"[3]string", argMemo[[3]string](c) != nil, true},
		{"float64", argMemo[float64](c) != nil, true},
		{"*plain", argMemo[*plain](c) != nil, true},
		{"[]int", argMemo[[]int](c) != nil, true},
		{"map[string]int", argMemo[map[string]int](c) != nil, true},
		{"tagged", argMemo[tagged](c) != nil, true},
		{"pair", argMemo[pair[plain, []int]](c) != nil, true},
		{"any", argMemo[any](c) != nil, false},
		{"struct{ V any }", argMemo[struct{ V any }](c) != nil, false},
		{"time.Time", argMemo[time.Time](c) != nil, false},
		{"spelled", argMemo[spelled](c) != nil, false},
		{"struct{ S spelled }", argMemo[struct{ S spelled }](c) != nil, false},
		{"[]spelled", argMemo[[]spelled](c) != nil, false},
		{"map[spelled]int", argMemo[map[spelled]int](c) != nil, false},
		{"pair with time.Time", argMemo[pair[int, time.Time]](c) != nil, false},
		{"complex128", argMemo[complex128](c) != nil, false},
		{"plain without memory", argMemo[plain](noMemory) != nil, false},
	}
	for _, tt := range tests {
		if tt.memo != tt.want {
			t.Errorf("argMemo[%s] made = %v; want %v", tt.name, tt.memo, tt.want)
		}
	}
}
