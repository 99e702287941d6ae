package cachetta

import "testing"

// TestCopiesUnderOneRootShareItsHandleAndMemory makes a copy per request
// under one root, as a server confining each tenant would: the family opens
// the root once and keeps one memory for it, not one per copy.
func TestCopiesUnderOneRootShareItsHandleAndMemory(t *testing.T) {
	root := t.TempDir()
	t.Chdir(t.TempDir())
	base := Must(New[int]("n.json", WithLRU(8)))
	var first any
	for i := range 200 {
		cp := Must(base.With(WithRoot(root)))
		if i == 0 {
			first = cp.home
		}
		if cp.home != first {
			t.Fatalf("copy %d opened the root again", i)
		}
	}
	if n := len(base.shared.allMemories()); n != 2 {
		t.Errorf("200 copies under one root made %d memories; want 2 (the original's and the root's)", n)
	}
}
