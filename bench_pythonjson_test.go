package cachetta_test

import (
	"path/filepath"
	"testing"

	"github.com/cachetta-go/cachetta"
)

// benchPath keeps the compiler from dropping the work of BenchmarkPathFor.
var benchPath string

// BenchmarkPathFor computes the file of a call with one argument, the key
// and the path joined to the cache's directory. Its floor is Key alone: the
// hash of Python's spelling, which PathFor adds a path to.
func BenchmarkPathFor(b *testing.B) {
	c := benchCacheAt(b, filepath.Join(b.TempDir(), "user.json"))
	for _, a := range []struct {
		name string
		arg  any
	}{
		{"int", 42},
		{"string", "user@example.com"},
		{"struct", benchKeyStruct{ID: 42, Name: "Ada", Admin: true}},
	} {
		b.Run("arg="+a.name+"/impl=cachetta", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := c.PathFor(a.arg)
				if err != nil {
					b.Fatal(err)
				}
				benchPath = p
			}
		})
		b.Run("arg="+a.name+"/impl=floor", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				k, err := cachetta.Key(a.arg)
				if err != nil {
					b.Fatal(err)
				}
				benchKey = k
			}
		})
	}
}

// BenchmarkPythonJSON encodes records with PythonJSON beside the JSON codec,
// its floor: the cost of writing Python's spelling over encoding/json's.
func BenchmarkPythonJSON(b *testing.B) {
	for _, sz := range benchSizes {
		recs := benchRecords(b, sz.size)
		for _, impl := range []struct {
			name  string
			codec cachetta.Codec
		}{{"cachetta", cachetta.PythonJSON}, {"floor", cachetta.JSON}} {
			b.Run("size="+sz.name+"/impl="+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				var out []byte
				var err error
				for b.Loop() {
					out, err = impl.codec.Marshal(recs)
				}
				if err != nil || len(out) == 0 {
					b.Fatalf("Marshal = %d bytes, %v", len(out), err)
				}
				b.SetBytes(int64(len(out)))
			})
		}
	}
}
