package cachetta_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// BenchmarkJSONCodec encodes and decodes records with the default codec
// beside encoding/json's Marshal and Unmarshal. Run it once as is and once
// with GOEXPERIMENT=jsonv2 to compare the engines; within one build the
// floor shows what the codec adds to its engine.
func BenchmarkJSONCodec(b *testing.B) {
	for _, sz := range benchSizes {
		recs := benchRecords(b, sz.size)
		data, err := cachetta.JSON.Marshal(recs)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("op=decode/size="+sz.name+"/impl=floor", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			var v []benchRecord
			var err error
			for b.Loop() {
				v = nil
				err = json.Unmarshal(data, &v)
			}
			if err != nil || len(v) != len(recs) {
				b.Fatalf("Unmarshal = %d records, %v", len(v), err)
			}
		})
		b.Run("op=decode/size="+sz.name+"/impl=cachetta", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			var v []benchRecord
			var err error
			for b.Loop() {
				v = nil
				err = cachetta.JSON.Unmarshal(data, &v)
			}
			if err != nil || len(v) != len(recs) {
				b.Fatalf("Unmarshal = %d records, %v", len(v), err)
			}
		})
		b.Run("op=encode/size="+sz.name+"/impl=floor", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			var out []byte
			var err error
			for b.Loop() {
				out, err = json.Marshal(recs)
			}
			if err != nil || len(out) != len(data) {
				b.Fatalf("Marshal = %d bytes, %v", len(out), err)
			}
		})
		b.Run("op=encode/size="+sz.name+"/impl=cachetta", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			var out []byte
			var err error
			for b.Loop() {
				out, err = cachetta.JSON.Marshal(recs)
			}
			if err != nil || !bytes.Equal(out, data) {
				b.Fatalf("Marshal = %d bytes, %v", len(out), err)
			}
		})
	}
}

// wholeCodec hides the StreamUnmarshaler of the codec it holds, so that a
// cache using it reads every file into one buffer, as before.
type wholeCodec struct{ cachetta.Codec }

// BenchmarkStreamThreshold decodes files of sizes around the threshold from
// a reader beside reading them whole and decoding the bytes, to place the
// threshold. Only the jsonv2 build has a codec that decodes from a reader.
func BenchmarkStreamThreshold(b *testing.B) {
	s, ok := cachetta.JSON.(cachetta.StreamUnmarshaler)
	if !ok {
		b.Skip("the JSON codec decodes from a reader only under GOEXPERIMENT=jsonv2")
	}
	for _, size := range []struct {
		name string
		size int
	}{{"64KiB", 64 << 10}, {"256KiB", 256 << 10}, {"1MiB", 1 << 20}, {"4MiB", 4 << 20}, {"16MiB", 16 << 20}} {
		path := filepath.Join(b.TempDir(), "rec.json")
		data, err := cachetta.JSON.Marshal(benchRecords(b, size.size))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
		b.Run("size="+size.name+"/impl=floor", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			var v []benchRecord
			var err error
			for b.Loop() {
				v = nil
				var whole []byte
				if whole, err = os.ReadFile(path); err == nil {
					err = cachetta.JSON.Unmarshal(whole, &v)
				}
			}
			if err != nil || len(v) == 0 {
				b.Fatal(err)
			}
		})
		b.Run("size="+size.name+"/impl=cachetta", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			var v []benchRecord
			var err error
			for b.Loop() {
				v = nil
				var f *os.File
				if f, err = os.Open(path); err == nil {
					err = s.UnmarshalRead(f, &v)
					f.Close()
				}
			}
			if err != nil || len(v) == 0 {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkRead100MiB reads a 100 MiB file through Read without memory,
// decoding it whole (the floor: the code before StreamUnmarshaler) and from
// a reader, and reports the peak of the heap above where it started, as a
// multiple of the file, and the bytes allocated per read, likewise. Each
// read starts after a collection, on both sides, so that the peak is that
// of one read. Run it with -benchtime=3x.
func BenchmarkRead100MiB(b *testing.B) {
	const size = 100 << 20
	data, err := cachetta.JSON.Marshal(benchRecords(b, size))
	if err != nil {
		b.Fatal(err)
	}
	for _, impl := range []struct {
		name  string
		codec cachetta.Codec
	}{{"floor", wholeCodec{cachetta.JSON}}, {"cachetta", cachetta.JSON}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			c := benchCache(b, cachetta.WithCodec(impl.codec), cachetta.WithDuration(time.Hour))
			if err := os.WriteFile(c.Path(), data, 0o600); err != nil {
				b.Fatal(err)
			}
			ctx := b.Context()
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			runtime.GC()
			base := heapObjectBytes()
			peak := watchHeap()
			var v []benchRecord
			var ok bool
			for b.Loop() {
				v = nil
				runtime.GC()
				v, ok, err = c.Read(ctx)
			}
			high := peak()
			if !ok || err != nil || len(v) == 0 {
				b.Fatalf("Read = %d records, %v, %v", len(v), ok, err)
			}
			b.ReportMetric(float64(high-min(high, base))/float64(len(data)), "peak-heap/file")
		})
	}
}

// watchHeap samples the bytes of heap objects every 100µs until the
// function it returns is called, which returns the highest sample.
func watchHeap() func() uint64 {
	var high uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(100 * time.Microsecond)
		defer tick.Stop()
		for {
			high = max(high, heapObjectBytes())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return high
	}
}

func heapObjectBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
