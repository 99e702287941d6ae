package storetest

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"
)

// longNames uses elements of 255 bytes, the longest file name most file
// systems take, so that an entry keeps its name between a disk and a store.
func (s suite) longNames(t *testing.T) {
	st := s.newStore(t)
	ctx := s.ctx(t)
	long := strings.Repeat("n", 250) + ".json"
	names := []string{
		long,
		strings.Repeat("d", 255) + "/" + long,
		strings.Repeat("é", 124) + "xy.json", // 255 bytes, 131 runes
	}
	for _, name := range names {
		if err := st.Save(ctx, name, []byte(`"long"`), 0); err != nil {
			t.Errorf("Save(%d-byte name) = %v", len(name), err)
			continue
		}
		data, e, err := st.Load(ctx, name, 100)
		if err != nil || string(data) != `"long"` || e.Name != name {
			t.Errorf("Load(%d-byte name) = %q, %q, %v", len(name), data, e.Name, err)
		}
		if got := listed(t, st, name); len(got) != 1 {
			t.Errorf("List(%d-byte name) = %d entries; want 1", len(name), len(got))
		}
		if err := st.Delete(ctx, name); err != nil {
			t.Errorf("Delete(%d-byte name) = %v", len(name), err)
		}
		if _, err := st.Stat(ctx, name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat(%d-byte name) after Delete = %v; want fs.ErrNotExist", len(name), err)
		}
	}
}

// cancelled calls every method with a context already done: each returns an
// error (a store checks its context before it blocks) and none panics or
// leaves a torn entry behind.
func (s suite) cancelled(t *testing.T) {
	st := s.newStore(t)
	ctx := s.ctx(t)
	if err := st.Save(ctx, "c.json", []byte(`"old"`), 0); err != nil {
		t.Fatalf("Save = %v", err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := st.Load(done, "c.json", 100); err == nil {
		t.Error("Load(cancelled) = nil error")
	}
	if _, err := st.Stat(done, "c.json"); err == nil {
		t.Error("Stat(cancelled) = nil error")
	}
	if err := st.Save(done, "c.json", []byte(`"new"`), time.Hour); err == nil {
		t.Error("Save(cancelled) = nil error")
	}
	if err := st.Save(done, "fresh.json", []byte(`"new"`), time.Hour); err == nil {
		t.Error("Save(cancelled) of a new entry = nil error")
	}
	if err := st.Delete(done, "c.json"); err == nil {
		t.Error("Delete(cancelled) = nil error")
	}
	var listErr error
	for _, err := range st.List(done, "") {
		if err != nil {
			listErr = err
			break
		}
	}
	if listErr == nil {
		t.Error("List(cancelled) ended without an error")
	}
	if data, _, err := st.Load(ctx, "c.json", 100); err != nil || (string(data) != `"old"` && string(data) != `"new"`) {
		t.Errorf("Load after cancelled calls = %q, %v; want the old or the new value whole", data, err)
	}
}
