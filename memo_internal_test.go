package cachetta

import (
	"reflect"
	"testing"
	"time"
)

type spelled int

func (spelled) MarshalText() ([]byte, error) { return []byte("x"), nil }

func TestKeyedByValue(t *testing.T) {
	type id int
	type plain struct {
		User string
		Page int
		Flag bool
		IDs  [2]id
	}
	type inner struct{ plain }
	tests := []struct {
		t    reflect.Type
		want bool
	}{
		{reflect.TypeFor[int](), true},
		{reflect.TypeFor[id](), true},
		{reflect.TypeFor[plain](), true},
		{reflect.TypeFor[inner](), true},
		{reflect.TypeFor[[3]string](), true},
		{reflect.TypeFor[float64](), false},
		{reflect.TypeFor[struct{ X float32 }](), false},
		{reflect.TypeFor[*plain](), false},
		{reflect.TypeFor[[]int](), false},
		{reflect.TypeFor[map[string]int](), false},
		{reflect.TypeFor[any](), false},
		{reflect.TypeFor[struct{ V any }](), false},
		{reflect.TypeFor[struct{ S []int }](), false},
		{reflect.TypeFor[time.Time](), false},
		{reflect.TypeFor[spelled](), false},
		{reflect.TypeFor[struct{ S spelled }](), false},
		{reflect.TypeFor[complex128](), false},
	}
	for _, tt := range tests {
		if got := keyedByValue(tt.t); got != tt.want {
			t.Errorf("keyedByValue(%v) = %v; want %v", tt.t, got, tt.want)
		}
	}
}
