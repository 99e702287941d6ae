package storetest

import (
	"bytes"
	"sync"
	"testing"
)

// concurrentReplace saves two values of different lengths over each other
// while readers load them: every read must be one of the two whole.
func (s suite) concurrentReplace(t *testing.T) {
	st := s.newStore(t)
	ctx := s.ctx(t)
	values := [][]byte{
		bytes.Repeat([]byte("a"), 64<<10),
		bytes.Repeat([]byte("b"), 3<<10),
	}
	const name = "contended.json"
	if err := st.Save(ctx, name, values[0], 0); err != nil {
		t.Fatalf("Save = %v", err)
	}
	const writers, saves, readers, loads = 2, 20, 4, 30
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range saves {
				if err := st.Save(ctx, name, values[(w+i)%2], 0); err != nil {
					t.Errorf("Save = %v", err)
					return
				}
			}
		})
	}
	for range readers {
		wg.Go(func() {
			for range loads {
				data, e, err := st.Load(ctx, name, 1<<20)
				if err != nil {
					t.Errorf("Load during Saves = %v", err)
					return
				}
				if !bytes.Equal(data, values[0]) && !bytes.Equal(data, values[1]) {
					t.Errorf("Load during Saves = %d bytes %q; want one value whole", len(data), truncate(data))
					return
				}
				if e.Size != int64(len(data)) {
					t.Errorf("Load during Saves: entry size %d for %d bytes", e.Size, len(data))
					return
				}
			}
		})
	}
	wg.Wait()
}
