package storetest

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

// listed collects what List yields, failing the test on an error.
func listed(t *testing.T, st cachetta.Store, prefix string) map[string]cachetta.StoreEntry {
	t.Helper()
	got := map[string]cachetta.StoreEntry{}
	for e, err := range st.List(t.Context(), prefix) {
		if err != nil {
			t.Errorf("List(%q) error = %v", prefix, err)
			return got
		}
		if _, dup := got[e.Name]; dup {
			t.Errorf("List(%q) yielded %q twice", prefix, e.Name)
		}
		got[e.Name] = e
	}
	return got
}

func (s suite) list(t *testing.T) {
	st := s.newStore(t)
	ctx := s.ctx(t)
	// Names that share prefixes, nest, and hold the characters of glob
	// patterns, so that a store matching its prefix as a pattern (SCAN
	// MATCH, filepath.Match) without escaping it lists too much.
	names := []string{
		"a/b/c.json",
		"a/b.json",
		"ab.json",
		"a*b/x.json",
		"a?c/y z.json",
		"a[b]/z.json",
		`a\b.json`,
		"b.json",
		"with space/é.json",
	}
	for i, name := range names {
		if err := st.Save(ctx, name, []byte(fmt.Sprint(i)), 0); err != nil {
			t.Fatalf("Save(%q) = %v", name, err)
		}
	}
	for _, tt := range []struct {
		prefix string
		want   []string
	}{
		{"", names},
		{"a", []string{"a/b/c.json", "a/b.json", "ab.json", "a*b/x.json", "a?c/y z.json", "a[b]/z.json", `a\b.json`}},
		{"a/", []string{"a/b/c.json", "a/b.json"}},
		{"a/b", []string{"a/b/c.json", "a/b.json"}},
		{"a/b/", []string{"a/b/c.json"}},
		{"a*", []string{"a*b/x.json"}},
		{"a?", []string{"a?c/y z.json"}},
		{"a[b]", []string{"a[b]/z.json"}},
		{"a[", []string{"a[b]/z.json"}},
		{`a\`, []string{`a\b.json`}},
		{"with space/", []string{"with space/é.json"}},
		{"ab.json", []string{"ab.json"}},
		{"c", nil},
		{"*", nil},
	} {
		got := listed(t, st, tt.prefix)
		if names := slices.Sorted(maps.Keys(got)); !slices.Equal(names, slices.Sorted(slices.Values(tt.want))) {
			t.Errorf("List(%q) = %q; want %q", tt.prefix, names, slices.Sorted(slices.Values(tt.want)))
		}
	}
	// What List says of an entry is what Stat says.
	for name, e := range listed(t, st, "") {
		stat, err := st.Stat(ctx, name)
		if err != nil {
			t.Errorf("Stat(%q) = %v", name, err)
			continue
		}
		if e.Size != stat.Size || e.ModTime.Sub(stat.ModTime).Abs() > s.opts.TimePrecision {
			t.Errorf("List entry %+v; Stat says %+v", e, stat)
		}
	}
	if locker, ok := st.(cachetta.Locker); ok {
		// A held lock is bookkeeping, not an entry.
		unlock, err := locker.Lock(ctx, "a/b.json", s.opts.Lease)
		if err != nil {
			t.Fatalf("Lock = %v", err)
		}
		defer unlock()
		unlock2, err := locker.Lock(ctx, "lockonly.json", s.opts.Lease)
		if err != nil {
			t.Fatalf("Lock = %v", err)
		}
		defer unlock2()
		if got := listed(t, st, ""); len(got) != len(names) {
			t.Errorf("List with locks held = %q; want only the %d entries", slices.Sorted(maps.Keys(got)), len(names))
		}
	}
}

func (s suite) listAfterDelete(t *testing.T) {
	st := s.newStore(t)
	ctx := s.ctx(t)
	for _, name := range []string{"x/1.json", "x/2.json", "x/3.json"} {
		if err := st.Save(ctx, name, []byte(`1`), time.Hour); err != nil {
			t.Fatalf("Save(%q) = %v", name, err)
		}
	}
	if err := st.Delete(ctx, "x/2.json"); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	got := slices.Sorted(maps.Keys(listed(t, st, "x/")))
	if want := []string{"x/1.json", "x/3.json"}; !slices.Equal(got, want) {
		t.Errorf("List after Delete = %q; want %q", got, want)
	}
	for _, name := range []string{"x/1.json", "x/3.json"} {
		if err := st.Delete(ctx, name); err != nil {
			t.Fatalf("Delete = %v", err)
		}
	}
	if got := listed(t, st, ""); len(got) != 0 {
		t.Errorf("List after deleting all = %q; want nothing", slices.Sorted(maps.Keys(got)))
	}
}

// listStop breaks out of List early: the sequence must stop yielding (a
// range-over-func loop panics otherwise) and leave the store usable.
func (s suite) listStop(t *testing.T) {
	st := s.newStore(t)
	ctx := s.ctx(t)
	for i := range 30 {
		if err := st.Save(ctx, fmt.Sprintf("many/%02d.json", i), []byte(`1`), 0); err != nil {
			t.Fatalf("Save = %v", err)
		}
	}
	n := 0
	for _, err := range st.List(ctx, "many/") {
		if err != nil {
			t.Fatalf("List = %v", err)
		}
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("List yielded %d before the break; want 2", n)
	}
	if got := listed(t, st, "many/"); len(got) != 30 {
		t.Errorf("List after an early break = %d entries; want 30", len(got))
	}
}
