package jsoncodec_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sync"
	"testing"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/jsoncodec"
)

// The codec is used as a cachetta.Codec.
var _ cachetta.Codec = jsoncodec.Codec

// decode decodes data with unmarshal into a new value of v's type and
// returns that value.
func decode(v value, unmarshal func([]byte, any) error, data []byte) (any, error) {
	target := v.target()
	err := unmarshal(data, target)
	return reflect.ValueOf(target).Elem().Interface(), err
}

func TestRoundTrip(t *testing.T) {
	for _, v := range values(t) {
		t.Run(v.name, func(t *testing.T) {
			data, err := jsoncodec.Codec.Marshal(v.v)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			got, err := decode(v, jsoncodec.Codec.Unmarshal, data)
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if !reflect.DeepEqual(got, v.v) {
				t.Errorf("Unmarshal(Marshal(v)) differs from v")
			}
		})
	}
}

// TestStandardJSON proves that files stay standard JSON: what the codec
// writes decodes with encoding/json, and what encoding/json writes, with or
// without HTML escaping, decodes with the codec, to the value written.
func TestStandardJSON(t *testing.T) {
	pairs := []struct {
		name      string
		marshal   func(any) ([]byte, error)
		unmarshal func([]byte, any) error
	}{
		{"jsoncodec-to-stdlib", jsoncodec.Codec.Marshal, json.Unmarshal},
		{"stdlib-to-jsoncodec", json.Marshal, jsoncodec.Codec.Unmarshal}, // HTML escaped
		{"cachetta.JSON-to-jsoncodec", cachetta.JSON.Marshal, jsoncodec.Codec.Unmarshal},
	}
	for _, v := range values(t) {
		for _, p := range pairs {
			t.Run(v.name+"/"+p.name, func(t *testing.T) {
				data, err := p.marshal(v.v)
				if err != nil {
					t.Fatalf("Marshal: %v", err)
				}
				got, err := decode(v, p.unmarshal, data)
				if err != nil {
					t.Fatalf("Unmarshal: %v", err)
				}
				if !reflect.DeepEqual(got, v.v) {
					t.Errorf("decoded value differs from the value written")
				}
			})
		}
	}
}

// TestSameBytesAsJSON checks that the codec writes the very bytes of the
// default codec: no HTML escaping, no trailing newline, the same spelling of
// floats and the same order of map keys.
func TestSameBytesAsJSON(t *testing.T) {
	for _, v := range values(t) {
		t.Run(v.name, func(t *testing.T) {
			want, err := cachetta.JSON.Marshal(v.v)
			if err != nil {
				t.Fatalf("cachetta.JSON.Marshal: %v", err)
			}
			got, err := jsoncodec.Codec.Marshal(v.v)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if !bytes.Equal(got, want) {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				t.Errorf("Marshal differs from cachetta.JSON at byte %d: %q; want %q",
					i, excerpt(got, i), excerpt(want, i))
			}
		})
	}
}

// excerpt returns the bytes of data around offset i.
func excerpt(data []byte, i int) []byte {
	return data[max(0, i-20):min(len(data), i+20)]
}

func TestUnmarshalCorrupt(t *testing.T) {
	full, err := jsoncodec.Codec.Marshal(newRecord(42))
	if err != nil {
		t.Fatal(err)
	}
	inputs := []struct {
		name      string
		data      []byte
		validJSON bool // an error for the struct only, not for an any
	}{
		{"empty", nil, false},
		{"space", []byte(" \n"), false},
		{"truncated", full[:len(full)/2], false},
		{"truncated by one byte", full[:len(full)-1], false},
		{"NUL bytes", make([]byte, len(full)), false},
		{"NUL padded", append(bytes.Clone(full[:len(full)/2]), make([]byte, len(full)/2)...), false},
		{"NUL after value", append(bytes.Clone(full), 0), false},
		{"open key", []byte(`{"a":`), false},
		{"trailing garbage", append(bytes.Clone(full), "}"...), false},
		{"bad escape", []byte(`{"name":"\x"}`), false},
		{"wrong type", []byte(`{"id":"42"}`), true},
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			var r record
			if err := jsoncodec.Codec.Unmarshal(in.data, &r); err == nil {
				t.Errorf("Unmarshal(%q) into a struct = nil; want an error", in.data)
			}
			var a any
			if err := jsoncodec.Codec.Unmarshal(in.data, &a); (err == nil) != in.validJSON {
				t.Errorf("Unmarshal(%q) into an any = %v; want an error: %v", in.data, err, !in.validJSON)
			}
		})
	}
}

// TestUnmarshalTorn checks that a file cut short, as a crash in the middle of
// a write outside cachetta could leave it, is an error: the 1 KiB values cut
// at every byte and the 1 MiB one at 8 places, each as cut and padded with
// NUL bytes to its full length.
func TestUnmarshalTorn(t *testing.T) {
	for _, v := range values(t) {
		t.Run(v.name, func(t *testing.T) {
			full, err := jsoncodec.Codec.Marshal(v.v)
			if err != nil {
				t.Fatal(err)
			}
			step := max(1, len(full)/8)
			if len(full) <= 1<<12 {
				step = 1
			}
			for cut := 0; cut < len(full); cut += step {
				padded := append(bytes.Clone(full[:cut]), make([]byte, len(full)-cut)...)
				for _, data := range [][]byte{full[:cut], padded} {
					if err := jsoncodec.Codec.Unmarshal(data, v.target()); err == nil {
						t.Fatalf("Unmarshal of the first %d of %d bytes (%d in all) = nil; want an error",
							cut, len(full), len(data))
					}
				}
			}
		})
	}
}

// TestConcurrentUse runs the codec from many goroutines at once, for the
// race detector; the codec caches per-type encoders and decoders inside.
func TestConcurrentUse(t *testing.T) {
	vals := values(t)
	var wg sync.WaitGroup
	for range 4 {
		for _, v := range vals {
			wg.Go(func() {
				for range 3 {
					data, err := jsoncodec.Codec.Marshal(v.v)
					if err != nil {
						t.Errorf("%s: Marshal: %v", v.name, err)
						return
					}
					got, err := decode(v, jsoncodec.Codec.Unmarshal, data)
					if err != nil || !reflect.DeepEqual(got, v.v) {
						t.Errorf("%s: Unmarshal(Marshal(v)) = _, %v; want v", v.name, err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
}
