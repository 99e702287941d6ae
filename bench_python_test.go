package cachetta_test

import (
	"os"
	"path/filepath"
	"testing"
)

// pythonBenchDirEnv names the directory where BenchmarkPythonDiskHit leaves
// its files, so that bench/python/floor.py times Python reading exactly the
// bytes the cache read. Unset, the files go to a temporary directory.
const pythonBenchDirEnv = "CACHETTA_PYTHON_BENCH_DIR"

// BenchmarkPythonDiskHit is BenchmarkDiskHit on files a Python process can
// find afterwards: rec-1KiB.json and rec-1MiB.json in $CACHETTA_PYTHON_BENCH_DIR.
// bench/python/run.sh divides its impl=cachetta figures by Python's open and
// json.load of the same files; impl=floor is the Go floor, as everywhere,
// and impl=syscalls the floor of any language: open, fstat, read and close
// of the file without decoding it.
func BenchmarkPythonDiskHit(b *testing.B) {
	dir := os.Getenv(pythonBenchDirEnv)
	if dir == "" {
		dir = b.TempDir()
	}
	for _, s := range benchSizes {
		recs := benchRecords(b, s.size)
		c := benchCacheAt(b, filepath.Join(dir, "rec-"+s.name+".json"))
		path := mustWrite(b, c, recs)
		b.Run("size="+s.name+"/impl=cachetta", func(b *testing.B) {
			readHits(b, c, len(recs))
		})
		b.Run("size="+s.name+"/impl=floor", func(b *testing.B) {
			floorDiskHit(b, path, len(recs))
		})
		b.Run("size="+s.name+"/impl=syscalls", func(b *testing.B) {
			floorSyscalls(b, path, fileSize(b, path))
		})
	}
}

// fileSize returns the size of the file at path.
func fileSize(b *testing.B, path string) int {
	b.Helper()
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return int(info.Size())
}
