package fswatch

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestWatcherSignalsChangesOfItsName renames a file into place, as a cache
// write does, writes another name, and removes the file: the watcher of the
// name signals for its own changes.
func TestWatcherSignalsChangesOfItsName(t *testing.T) {
	dir := t.TempDir()
	w, err := New(dir, "v.json")
	if errors.Is(err, ErrUnsupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer func() { w.Close(); <-w.Done() }()
	tmp := filepath.Join(dir, ".v.json.x.cachetta-tmp")
	if err := os.WriteFile(tmp, []byte("1"), 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.C:
		t.Fatal("signalled for another name")
	default:
	}
	if err := os.Rename(tmp, filepath.Join(dir, "v.json")); err != nil {
		t.Fatal(err)
	}
	<-w.C // a missing signal hangs the test until its deadline
	if err := os.Remove(filepath.Join(dir, "v.json")); err != nil {
		t.Fatal(err)
	}
	<-w.C
}

// TestCloseEndsTheWatch closes a watcher nothing happened to: its
// goroutines end.
func TestCloseEndsTheWatch(t *testing.T) {
	w, err := New(t.TempDir(), "v.json")
	if errors.Is(err, ErrUnsupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	<-w.Done()
}

func TestNewOfAMissingDirectoryFails(t *testing.T) {
	if _, err := New(filepath.Join(t.TempDir(), "gone"), "v.json"); err == nil {
		t.Error("New of a missing directory = nil; want an error")
	}
}
