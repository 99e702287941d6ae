package cachetta_test

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/internal/stdjson"
)

// The codecs' engines are tested in internal/stdjson (JSON) and
// internal/pyjson (PythonJSON's Marshal); these tests check what the public
// values add to them.

// TestDefaultCodecsStreamLikeTheirEngine checks that JSON and PythonJSON are
// StreamUnmarshalers exactly when the build's engine decodes from a reader,
// as the doc of StreamUnmarshaler promises: on encoding/json/v2.
func TestDefaultCodecsStreamLikeTheirEngine(t *testing.T) {
	_, want := any(stdjson.Codec{}).(cachetta.StreamUnmarshaler)
	for _, tt := range []struct {
		name  string
		codec cachetta.Codec
	}{{"JSON", cachetta.JSON}, {"PythonJSON", cachetta.PythonJSON}} {
		if _, ok := tt.codec.(cachetta.StreamUnmarshaler); ok != want {
			t.Errorf("%s is a StreamUnmarshaler: %v; want %v, as stdjson.Codec", tt.name, ok, want)
		}
	}
}

// TestPythonJSONErrors checks that PythonJSON names itself in the errors of
// the spelling it delegates to.
func TestPythonJSONErrors(t *testing.T) {
	for _, v := range []any{math.NaN(), make(chan int)} {
		if got, err := cachetta.PythonJSON.Marshal(v); err == nil || !strings.HasPrefix(err.Error(), "python json: ") {
			t.Errorf("PythonJSON.Marshal(%v) = %s, %v; want an error starting with %q", v, got, err, "python json: ")
		}
	}
}

type pyRoundTrip struct {
	Zeta  float64            `json:"zeta"`
	Alpha int                `json:"alpha"`
	Name  string             `json:"name"`
	Quote int                `json:"quote,string"`
	Tags  []string           `json:"tags"`
	Map   map[string]any     `json:"map"`
	Nums  map[int]float32    `json:"nums"`
	When  time.Time          `json:"when"`
	Nil   map[string]float64 `json:"nil"`
}

// TestPythonJSONRoundTrip writes a value with PythonJSON through a cache
// and reads it back: Unmarshal is JSON's.
func TestPythonJSONRoundTrip(t *testing.T) {
	c := newCache[pyRoundTrip](t, "p.json", cachetta.WithCodec(cachetta.PythonJSON))
	want := pyRoundTrip{Zeta: 3, Alpha: 1, Name: "é😀", Quote: 2, Tags: []string{}, Map: map[string]any{"f": 1.0},
		Nums: map[int]float32{1: 0.5}, When: time.Date(2000, 1, 2, 3, 4, 5, 6, time.UTC)}
	if err := c.Write(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	wantFile := `{"zeta": 3.0, "alpha": 1, "name": "\u00e9\ud83d\ude00", "quote": "2", "tags": [], "map": {"f": 1.0}, ` +
		`"nums": {"1": 0.5}, "when": "2000-01-02T03:04:05.000000006Z", "nil": null}`
	if got := readFile(t, c.Path()); got != wantFile {
		t.Errorf("file holds %s; want %s", got, wantFile)
	}
	got, ok, err := c.Read(t.Context())
	if !ok || err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Read = %+v, %v, %v; want %+v", got, ok, err, want)
	}
}
