package storetest

import (
	"bytes"
	"errors"
	"io/fs"
	"math"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// payloads are the byte strings every store must keep unchanged: a store
// holds JSON but must not read it, so bytes no JSON encoder writes (NUL,
// invalid UTF-8, lone CR) come back as they went in.
func payloads() []struct {
	name string
	data []byte
} {
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	return []struct {
		name string
		data []byte
	}{
		{"empty", []byte{}},
		{"object", []byte(`{"a":1,"b":[true,null,"x"]}` + "\n")},
		{"escapes", []byte(`"\u0000\ud83d\ude00\\\"\r\n"`)},
		{"every byte", every},
		{"large", bytes.Repeat([]byte(`[1234567890,"abcdefghij"],`), 40<<10)},
	}
}

func (s suite) missing(t *testing.T) {
	st := s.newStore(t)
	ctx := s.ctx(t)
	for _, name := range []string{"missing.json", "dir/missing.json"} {
		if data, _, err := st.Load(ctx, name, 1<<20); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Load(%q) = %q, %v; want fs.ErrNotExist", name, data, err)
		}
		if e, err := st.Stat(ctx, name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat(%q) = %+v, %v; want fs.ErrNotExist", name, e, err)
		}
		if err := st.Delete(ctx, name); err != nil {
			t.Errorf("Delete(%q) = %v; want nil", name, err)
		}
	}
}

// missingParent asks for names that are only the "directory" of an entry
// or start one: none is an entry, and deleting one leaves the entry be.
func (s suite) missingParent(t *testing.T) {
	st := s.newStore(t)
	ctx := s.ctx(t)
	if err := st.Save(ctx, "dir/sub/x.json", []byte(`1`), 0); err != nil {
		t.Fatalf("Save = %v", err)
	}
	for _, name := range []string{"dir", "dir/sub", "dir/sub/x", "dir/sub/x.jso"} {
		if data, _, err := st.Load(ctx, name, 100); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Load(%q) = %q, %v; want fs.ErrNotExist", name, data, err)
		}
		if e, err := st.Stat(ctx, name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat(%q) = %+v, %v; want fs.ErrNotExist", name, e, err)
		}
		if err := st.Delete(ctx, name); err != nil {
			t.Errorf("Delete(%q) = %v; want nil", name, err)
		}
	}
	if data, _, err := st.Load(ctx, "dir/sub/x.json", 100); err != nil || string(data) != "1" {
		t.Errorf("Load(dir/sub/x.json) after deleting its parents' names = %q, %v; want it untouched", data, err)
	}
}

func (s suite) roundTrip(t *testing.T) {
	st := s.newStore(t)
	ctx := s.ctx(t)
	for _, p := range payloads() {
		name := "round/" + p.name + ".json"
		if err := st.Save(ctx, name, p.data, 0); err != nil {
			t.Fatalf("Save(%q) = %v", name, err)
		}
		data, loaded, err := st.Load(ctx, name, int64(len(p.data))+1)
		if err != nil || !bytes.Equal(data, p.data) {
			t.Errorf("Load(%q) = %q, %v; want %q", name, truncate(data), err, truncate(p.data))
			continue
		}
		if data == nil {
			t.Errorf("Load(%q) = nil bytes; want an empty slice", name)
		}
		want := cachetta.StoreEntry{Name: name, Size: int64(len(p.data))}
		if loaded.Name != want.Name || loaded.Size != want.Size {
			t.Errorf("Load(%q) entry = %+v; want name %q, size %d", name, loaded, want.Name, want.Size)
		}
		stat, err := st.Stat(ctx, name)
		if err != nil {
			t.Errorf("Stat(%q) = %v", name, err)
			continue
		}
		if stat.Name != loaded.Name || stat.Size != loaded.Size || !stat.ModTime.Equal(loaded.ModTime) || stat.Version != loaded.Version {
			t.Errorf("Stat(%q) = %+v; want what Load returned, %+v", name, stat, loaded)
		}
	}
	// A Save must copy: the caller may reuse its buffer at once.
	buf := []byte(`"before"`)
	if err := st.Save(ctx, "copy.json", buf, 0); err != nil {
		t.Fatalf("Save(copy.json) = %v", err)
	}
	copy(buf, `"after!"`)
	if data, _, err := st.Load(ctx, "copy.json", 100); err != nil || string(data) != `"before"` {
		t.Errorf("Load(copy.json) after the caller changed its buffer = %q, %v; want %q", data, err, `"before"`)
	}
}

func (s suite) modTime(t *testing.T) {
	st := s.newStore(t)
	ctx := s.ctx(t)
	before := time.Now()
	if err := st.Save(ctx, "now.json", []byte(`1`), 0); err != nil {
		t.Fatalf("Save = %v", err)
	}
	after := time.Now()
	e, err := st.Stat(ctx, "now.json")
	if err != nil {
		t.Fatalf("Stat = %v", err)
	}
	p := s.opts.TimePrecision
	if e.ModTime.Before(before.Add(-p)) || e.ModTime.After(after.Add(p)) {
		t.Errorf("Stat ModTime = %v; want between %v and %v (precision %v)", e.ModTime, before, after, p)
	}
}

func (s suite) setModTime(t *testing.T) {
	if s.opts.SetModTime == nil {
		t.Skip("Options.SetModTime is nil: cannot backdate an entry")
	}
	st := s.newStore(t)
	ctx := s.ctx(t)
	p := s.opts.TimePrecision
	for _, back := range []time.Duration{time.Hour, 400 * 24 * time.Hour} {
		name := "old.json"
		if err := st.Save(ctx, name, []byte(`"old"`), 0); err != nil {
			t.Fatalf("Save = %v", err)
		}
		want := time.Now().Add(-back)
		if err := s.opts.SetModTime(ctx, st, name, want); err != nil {
			t.Fatalf("SetModTime(%q, %v) = %v", name, want, err)
		}
		stat, err := st.Stat(ctx, name)
		if err != nil || stat.ModTime.Sub(want).Abs() > p {
			t.Errorf("Stat after SetModTime(%v) = %+v, %v; want that time within %v", want, stat, err, p)
		}
		data, loaded, err := st.Load(ctx, name, 100)
		if err != nil || string(data) != `"old"` || loaded.ModTime.Sub(want).Abs() > p {
			t.Errorf("Load after SetModTime(%v) = %q, %+v, %v; want the bytes and that time", want, data, loaded, err)
		}
		// Pruning goes by what List says.
		if e, ok := listed(t, st, name)[name]; !ok || e.ModTime.Sub(want).Abs() > p {
			t.Errorf("List after SetModTime(%v) = %+v, %v; want that time", want, e, ok)
		}
	}
}

func (s suite) version(t *testing.T) {
	st := s.newStore(t)
	ctx := s.ctx(t)
	seen := map[string]bool{}
	for i := range 3 {
		// The same bytes each time: a version must tell Saves apart, not
		// contents.
		if err := st.Save(ctx, "v.json", []byte(`"same"`), 0); err != nil {
			t.Fatalf("Save #%d = %v", i, err)
		}
		e, err := st.Stat(ctx, "v.json")
		if err != nil {
			t.Fatalf("Stat #%d = %v", i, err)
		}
		if e.Version == "" {
			if len(seen) > 0 {
				t.Fatalf("Stat #%d Version is empty after earlier Saves had one", i)
			}
			t.Skip("the store reports no Version")
		}
		if seen[e.Version] {
			t.Errorf("Stat #%d Version = %q, the same as an earlier Save's", i, e.Version)
		}
		seen[e.Version] = true
	}
}

func (s suite) maxSize(t *testing.T) {
	st := s.newStore(t)
	ctx := s.ctx(t)
	for _, size := range []int{2, 1000, 300 << 10} {
		data := bytes.Repeat([]byte("7"), size)
		if err := st.Save(ctx, "limit.json", data, 0); err != nil {
			t.Fatalf("Save(%d bytes) = %v", size, err)
		}
		if got, _, err := st.Load(ctx, "limit.json", int64(size)); err != nil || len(got) != size {
			t.Errorf("Load(maxSize %d) of %d bytes = %d bytes, %v; want all of them", size, size, len(got), err)
		}
		// No limit at all is the largest int64, which no sum may overflow.
		if got, _, err := st.Load(ctx, "limit.json", math.MaxInt64); err != nil || len(got) != size {
			t.Errorf("Load(maxSize MaxInt64) of %d bytes = %d bytes, %v; want all of them", size, len(got), err)
		}
		got, _, err := st.Load(ctx, "limit.json", int64(size-1))
		if !errors.Is(err, cachetta.ErrTooLarge) {
			t.Errorf("Load(maxSize %d) of %d bytes = %d bytes, %v; want ErrTooLarge", size-1, size, len(got), err)
		}
		if errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Load of a too large entry = %v; must not also say it does not exist", err)
		}
	}
	if err := st.Save(ctx, "zero.json", []byte{}, 0); err != nil {
		t.Fatalf("Save(empty) = %v", err)
	}
	if got, _, err := st.Load(ctx, "zero.json", 1); err != nil || len(got) != 0 {
		t.Errorf("Load(empty, maxSize 1) = %q, %v; want no bytes, nil", got, err)
	}
}

func (s suite) replace(t *testing.T) {
	st := s.newStore(t)
	ctx := s.ctx(t)
	// Shorter after longer: a store that overwrites in place would leave
	// the old tail.
	for _, data := range []string{`"a long first value"`, `"short"`, `"a longer third value than both"`} {
		if err := st.Save(ctx, "r.json", []byte(data), time.Hour); err != nil {
			t.Fatalf("Save(%s) = %v", data, err)
		}
		got, e, err := st.Load(ctx, "r.json", 100)
		if err != nil || string(got) != data || e.Size != int64(len(data)) {
			t.Errorf("Load after Save(%s) = %q, %+v, %v", data, got, e, err)
		}
	}
}

func (s suite) delete(t *testing.T) {
	st := s.newStore(t)
	ctx := s.ctx(t)
	for _, name := range []string{"d.json", "dir/d.json"} {
		if err := st.Save(ctx, name, []byte(`1`), 0); err != nil {
			t.Fatalf("Save(%q) = %v", name, err)
		}
	}
	if err := st.Delete(ctx, "d.json"); err != nil {
		t.Fatalf("Delete(d.json) = %v", err)
	}
	if _, _, err := st.Load(ctx, "d.json", 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(d.json) after Delete = %v; want fs.ErrNotExist", err)
	}
	if _, err := st.Stat(ctx, "d.json"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(d.json) after Delete = %v; want fs.ErrNotExist", err)
	}
	if err := st.Delete(ctx, "d.json"); err != nil {
		t.Errorf("Delete(d.json) twice = %v; want nil", err)
	}
	if data, _, err := st.Load(ctx, "dir/d.json", 10); err != nil || string(data) != "1" {
		t.Errorf("Load(dir/d.json) after Delete(d.json) = %q, %v; want it untouched", data, err)
	}
}

// truncate keeps failure messages readable when a payload is large.
func truncate(b []byte) []byte {
	if len(b) > 64 {
		return append(b[:64:64], "..."...)
	}
	return b
}
