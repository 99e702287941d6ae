package cachetta_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/cachetta-go/cachetta"
)

// BenchmarkWriteSync is BenchmarkWrite/size=1KiB with Files.Sync(true); the
// ratio of the two is what durability costs.
func BenchmarkWriteSync(b *testing.B) {
	recs := benchRecords(b, 1<<10)
	b.Run("size=1KiB/impl=cachetta", func(b *testing.B) {
		c := benchCache(b, cachetta.WithFiles(cachetta.Files{Sync: true}))
		ctx := b.Context()
		b.ReportAllocs()
		for b.Loop() {
			if err := c.Write(ctx, recs); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The floor is the floor of BenchmarkWrite with the file synced before
	// the rename and the directory after it.
	b.Run("size=1KiB/impl=floor", func(b *testing.B) {
		dir := b.TempDir()
		path := filepath.Join(dir, "rec.json")
		tmp := filepath.Join(dir, ".rec.json.tmp")
		b.ReportAllocs()
		for b.Loop() {
			data, err := json.Marshal(recs)
			if err != nil {
				b.Fatal(err)
			}
			f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := f.Write(data); err != nil {
				b.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
			if err := f.Close(); err != nil {
				b.Fatal(err)
			}
			if err := os.Rename(tmp, path); err != nil {
				b.Fatal(err)
			}
			if runtime.GOOS == "windows" {
				continue
			}
			d, err := os.Open(dir)
			if err != nil {
				b.Fatal(err)
			}
			if err := d.Sync(); err != nil {
				b.Fatal(err)
			}
			d.Close()
		}
	})
}
