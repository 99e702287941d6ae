package blobstore_test

import (
	"bytes"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
	"github.com/cachetta-go/cachetta/blobstore"
	"gocloud.dev/blob/memblob"
)

func TestSaveLoadStat(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s, _, _ := newStore(t, b)
			ctx := t.Context()
			// S3 keeps whole seconds.
			before := time.Now().Add(-time.Second)
			for _, data := range [][]byte{[]byte(`{"v":1}`), []byte(`{"v":"second"}`), {}} {
				if err := s.Save(ctx, "users/42.json", data, time.Hour); err != nil {
					t.Fatalf("Save: %v", err)
				}
				got, e, err := s.Load(ctx, "users/42.json", 1<<20)
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("Load = %q, %v; want %q", got, err, data)
				}
				after := time.Now().Add(time.Second)
				if e.Name != "users/42.json" || e.Size != int64(len(data)) || e.ModTime.Before(before) || e.ModTime.After(after) {
					t.Errorf("Load entry = %+v; want name users/42.json, size %d, time in [%v, %v]", e, len(data), before, after)
				}
				st, err := s.Stat(ctx, "users/42.json")
				if err != nil || st != e && !(st.ModTime.Equal(e.ModTime) && st.Name == e.Name && st.Size == e.Size && st.Version == e.Version) {
					t.Errorf("Stat = %+v, %v; want %+v as Load said", st, err, e)
				}
			}
		})
	}
}

// Where the service tells two Saves of the same bytes apart (Cloud
// Storage's generation, Azure's ETag), every Save has a new Version, the same
// from Load, Stat and List; where it cannot (S3's ETag is their digest, file
// times are coarse), no Version may claim to. The contract suite skips its
// Version subtest for a store that reports none, so it alone would not see
// a service whose versions were lost.
func TestVersions(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s, _, _ := newStore(t, b)
			ctx := t.Context()
			seen := map[string]bool{}
			for i := range 3 {
				if err := s.Save(ctx, "k.json", []byte(`"same"`), 0); err != nil {
					t.Fatal(err)
				}
				_, e, err := s.Load(ctx, "k.json", 100)
				if err != nil {
					t.Fatal(err)
				}
				if b.versions && (e.Version == "" || seen[e.Version]) {
					t.Errorf("Save #%d: Load(k.json).Version = %q; want one no earlier Save had (%v)", i, e.Version, seen)
				}
				if !b.versions && e.Version != "" {
					t.Errorf("Save #%d: Load(k.json).Version = %q; want none from %s", i, e.Version, b.name)
				}
				seen[e.Version] = true
				if st, err := s.Stat(ctx, "k.json"); err != nil || st.Version != e.Version {
					t.Errorf("Save #%d: Stat(k.json).Version = %q, %v; want %q as Load said", i, st.Version, err, e.Version)
				}
				for le, err := range s.List(ctx, "") {
					if err != nil || le.Version != e.Version {
						t.Errorf("Save #%d: List: version %q, %v; want %q as Load said", i, le.Version, err, e.Version)
					}
				}
			}
		})
	}
}

func TestBackdatedModTime(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s, _, backdate := newStore(t, b, blobstore.WithPrefix("p"))
			if backdate == nil {
				t.Skipf("%s takes modification times from the clock; they cannot be backdated", b.name)
			}
			ctx := t.Context()
			if err := s.Save(ctx, "old.json", []byte("1"), 0); err != nil {
				t.Fatal(err)
			}
			mod := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
			backdate(t, "p/old.json", mod)
			_, e, err := s.Load(ctx, "old.json", 10)
			if err != nil || !e.ModTime.Equal(mod) {
				t.Errorf("Load(old.json).ModTime = %v, %v; want %v", e.ModTime, err, mod)
			}
			if st, err := s.Stat(ctx, "old.json"); err != nil || !st.ModTime.Equal(mod) {
				t.Errorf("Stat(old.json).ModTime = %v, %v; want %v", st.ModTime, err, mod)
			}
			for le, err := range s.List(ctx, "") {
				if err != nil || !le.ModTime.Equal(mod) {
					t.Errorf("List: %+v, %v; want ModTime %v", le, err, mod)
				}
			}
		})
	}
}

func TestTooLarge(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s, _, _ := newStore(t, b)
			ctx := t.Context()
			data := bytes.Repeat([]byte("x"), 100)
			if err := s.Save(ctx, "big.json", data, 0); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				max     int64
				tooLarg bool
			}{{99, true}, {1, true}, {100, false}, {1 << 62, false}} {
				got, _, err := s.Load(ctx, "big.json", tc.max)
				if tc.tooLarg != errors.Is(err, cachetta.ErrTooLarge) || !tc.tooLarg && !bytes.Equal(got, data) {
					t.Errorf("Load(big.json, %d) = %d bytes, %v; want ErrTooLarge: %v", tc.max, len(got), err, tc.tooLarg)
				}
				if tc.tooLarg && !strings.Contains(err.Error(), "big.json") {
					t.Errorf("Load(big.json, %d) error %q does not name the entry", tc.max, err)
				}
			}
			for _, max := range []int64{0, -1} {
				if _, _, err := s.Load(ctx, "big.json", max); err == nil || errors.Is(err, cachetta.ErrTooLarge) {
					t.Errorf("Load(big.json, %d) = %v; want an error that is not ErrTooLarge", max, err)
				}
			}
		})
	}
}

func TestMissing(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s, _, _ := newStore(t, b)
			ctx := t.Context()
			if _, _, err := s.Load(ctx, "no/such.json", 10); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "no/such.json") {
				t.Errorf("Load(missing) = %v; want fs.ErrNotExist naming the entry", err)
			}
			if _, err := s.Stat(ctx, "no/such.json"); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "no/such.json") {
				t.Errorf("Stat(missing) = %v; want fs.ErrNotExist naming the entry", err)
			}
			if err := s.Delete(ctx, "no/such.json"); err != nil {
				t.Errorf("Delete(missing) = %v; want nil", err)
			}
			if err := s.Save(ctx, "gone.json", []byte("1"), 0); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, "gone.json"); err != nil {
				t.Errorf("Delete(gone.json) = %v; want nil", err)
			}
			if _, _, err := s.Load(ctx, "gone.json", 10); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Load(gone.json) after Delete = %v; want fs.ErrNotExist", err)
			}
		})
	}
}

func TestInvalidNames(t *testing.T) {
	s, err := blobstore.New(memblob.OpenBucket(nil), blobstore.WithPrefix("p"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, name := range []string{"", ".", "/abs", "../up", "a/../../up", "a//b", "a/", "./a"} {
		if _, _, err := s.Load(ctx, name, 10); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Load(%q) = %v; want fs.ErrInvalid", name, err)
		}
		if _, err := s.Stat(ctx, name); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Stat(%q) = %v; want fs.ErrInvalid", name, err)
		}
		if err := s.Save(ctx, name, nil, 0); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Save(%q) = %v; want fs.ErrInvalid", name, err)
		}
		if err := s.Delete(ctx, name); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Delete(%q) = %v; want fs.ErrInvalid", name, err)
		}
	}
	for _, prefix := range []string{".", "/abs", "../up", "a/", "a//b"} {
		if _, err := blobstore.New(memblob.OpenBucket(nil), blobstore.WithPrefix(prefix)); err == nil {
			t.Errorf("New(WithPrefix(%q)) = nil error; want an error", prefix)
		}
	}
	if _, err := blobstore.New(nil); err == nil {
		t.Errorf("New(nil) = nil error; want an error")
	}
}
