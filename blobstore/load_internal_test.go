package blobstore

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll cannot be reached with a driver whose size lies, so it is tested
// alone: it must never read more than maxSize+1 bytes, whatever the size.
func TestReadAllStopsPastTheLimit(t *testing.T) {
	for _, tc := range []struct {
		name          string
		body          int
		size, maxSize int64
		want          int
	}{
		{"honest", 50, 50, 100, 50},
		{"exactly the limit", 100, 100, 100, 100},
		{"size says less than there is", 200, 10, 100, 101},
		{"size says nothing", 5, 0, 3, 4},
		{"size says more than there is", 5, 50, 100, 5},
		{"no limit to speak of", 7, 7, 1 << 62, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := bytes.Repeat([]byte("x"), tc.body)
			got, err := readAll(iotest.OneByteReader(bytes.NewReader(body)), tc.size, tc.maxSize)
			if err != nil || len(got) != tc.want {
				t.Errorf("readAll(%d bytes, size %d, max %d) = %d bytes, %v; want %d", tc.body, tc.size, tc.maxSize, len(got), err, tc.want)
			}
		})
	}
	boom := errors.New("boom")
	if _, err := readAll(io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(boom)), 5, 10); !errors.Is(err, boom) {
		t.Errorf("readAll of a failing reader = %v; want its error", err)
	}
}
