package blobstore_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/cachetta-go/cachetta/blobstore"
	"gocloud.dev/blob/fileblob"
)

func names(t *testing.T, s *blobstore.Store, prefix string) []string {
	t.Helper()
	var got []string
	for e, err := range s.List(t.Context(), prefix) {
		if err != nil {
			t.Fatalf("List(%q): %v", prefix, err)
		}
		got = append(got, e.Name)
	}
	slices.Sort(got)
	return got
}

func TestList(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s, bucket, _ := newStore(t, b, blobstore.WithPrefix("p"))
			ctx := t.Context()
			keys := []string{"p/a.json", "p/users/1.json", "p/users/2.json", "p/usersx.json", "other/x.json", "px/y.json"}
			if !b.pathKeys {
				// No file can be named so; an object can, and is no entry.
				keys = append(keys, "p/dir/", "p/bad//key.json", "p/./dot.json")
			}
			for _, k := range keys {
				if err := bucket.WriteAll(ctx, k, []byte("1"), nil); err != nil {
					t.Fatalf("WriteAll(%q): %v", k, err)
				}
			}
			for _, tc := range []struct {
				prefix string
				want   []string
			}{
				{"", []string{"a.json", "users/1.json", "users/2.json", "usersx.json"}},
				{"users/", []string{"users/1.json", "users/2.json"}},
				{"users", []string{"users/1.json", "users/2.json", "usersx.json"}},
				{"nothing", nil},
			} {
				if got := names(t, s, tc.prefix); !slices.Equal(got, tc.want) {
					t.Errorf("List(%q) = %q; want %q", tc.prefix, got, tc.want)
				}
			}
			n := 0
			for range s.List(ctx, "") {
				n++
				break
			}
			if n != 1 {
				t.Errorf("List stopped after the first entry yielded %d", n)
			}
		})
	}
}

// More entries than one page of the service's listing (1000 on S3).
func TestListPages(t *testing.T) {
	for _, b := range backends {
		if b.name == "file" {
			continue // fileblob lists a directory walk, not pages
		}
		t.Run(b.name, func(t *testing.T) {
			s, _, _ := newStore(t, b, blobstore.WithPrefix("p"))
			want := map[string]bool{}
			for i := range 1003 {
				want[fmt.Sprintf("e/%04d.json", i)] = true
			}
			// Saved by a few goroutines at once: one by one, the servers'
			// round trips would make this the longest test of the module.
			todo := make(chan string)
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					for name := range todo {
						if err := s.Save(t.Context(), name, []byte("1"), 0); err != nil {
							t.Error(err)
						}
					}
				})
			}
			for name := range want {
				todo <- name
			}
			close(todo)
			wg.Wait()
			if t.Failed() {
				return
			}
			got := names(t, s, "e/")
			if !slices.Equal(got, slices.Sorted(maps.Keys(want))) {
				t.Errorf("List(e/) = %d names; want the %d saved, once each", len(got), len(want))
			}
		})
	}
}

// fileblob, given no_tmp_dir, writes temporary files beside the objects.
func TestListSkipsFileblobTemporaries(t *testing.T) {
	dir := t.TempDir()
	bucket, err := fileblob.OpenBucket(dir, &fileblob.Options{Metadata: fileblob.MetadataDontWrite, NoTempDir: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bucket.Close() })
	s, err := blobstore.New(bucket)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(t.Context(), "x.json", []byte("1"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x.json.18ed4de987c405de.tmp"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := names(t, s, ""); !slices.Equal(got, []string{"x.json"}) {
		t.Errorf("List on fileblob = %q; want only x.json", got)
	}
	// Elsewhere such a name is an entry like any other.
	mem, _, _ := newStore(t, backends[1])
	if err := mem.Save(t.Context(), "x.json.18ed4de987c405de.tmp", []byte("1"), 0); err != nil {
		t.Fatal(err)
	}
	if got := names(t, mem, ""); len(got) != 1 {
		t.Errorf("List on memblob = %q; want the one entry", got)
	}
}

func TestPrefixIsolation(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			bucket, _ := b.open(t)
			ctx := t.Context()
			stores := map[string]*blobstore.Store{}
			for _, p := range []string{"a", "ab", "a/b"} {
				s, err := blobstore.New(bucket, blobstore.WithPrefix(p))
				if err != nil {
					t.Fatal(err)
				}
				stores[p] = s
				if err := s.Save(ctx, "x.json", []byte(p), 0); err != nil {
					t.Fatal(err)
				}
			}
			for p, s := range stores {
				if got, _, err := s.Load(ctx, "x.json", 10); err != nil || string(got) != p {
					t.Errorf("store %q: Load(x.json) = %q, %v; want %q", p, got, err, p)
				}
			}
			// "a" sees "a/b"'s entry as its own b/x.json: nested prefixes
			// nest, as directories do. Siblings never meet.
			if got := names(t, stores["ab"], ""); !slices.Equal(got, []string{"x.json"}) {
				t.Errorf("store ab: List = %q; want [x.json]", got)
			}
			if got := names(t, stores["a"], ""); !slices.Equal(got, []string{"b/x.json", "x.json"}) {
				t.Errorf("store a: List = %q; want [b/x.json x.json]", got)
			}
			if err := stores["a"].Delete(ctx, "x.json"); err != nil {
				t.Fatal(err)
			}
			if got, _, err := stores["ab"].Load(ctx, "x.json", 10); err != nil || string(got) != "ab" {
				t.Errorf("store ab after a's Delete: Load(x.json) = %q, %v; want ab", got, err)
			}
			root, err := blobstore.New(bucket)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(t, root, ""); !slices.Equal(got, []string{"a/b/x.json", "ab/x.json"}) {
				t.Errorf("store without prefix: List = %q; want [a/b/x.json ab/x.json]", got)
			}
		})
	}
}
