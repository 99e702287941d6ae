package cachetta_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/storetest"
)

func TestFileStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) cachetta.Store {
		s, err := cachetta.NewFileStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}, storetest.Options{
		SetModTime: func(_ context.Context, s cachetta.Store, name string, mt time.Time) error {
			return os.Chtimes(filepath.Join(s.(*cachetta.FileStore).Dir(), filepath.FromSlash(name)), time.Time{}, mt)
		},
	})
}

// An empty directory name is an error, not the working directory and not
// a panic.
func TestNewFileStoreOfNoDirectory(t *testing.T) {
	if s, err := cachetta.NewFileStore(""); err == nil {
		s.Close()
		t.Fatal(`NewFileStore("") = nil error; want an error`)
	}
}
