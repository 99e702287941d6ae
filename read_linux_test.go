//go:build linux

package cachetta_test

import (
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cachetta-go/cachetta"
)

// TestReadFileWhoseSizeChangedIsAMiss reads files whose content is not the
// size their stat gave, as a file appended to or rewritten in place between
// the stat and the read is: a miss logged at warn level with the path, not
// the valid JSON number they hold. Kernel files stand in for the writer, as
// they do so every time: those under /proc report size 0 and yield more,
// those under /sys report 4096 bytes and yield fewer.
func TestReadFileWhoseSizeChangedIsAMiss(t *testing.T) {
	tests := []struct {
		name   string
		source string
	}{
		{"grew", "/proc/sys/kernel/pid_max"},
		{"shrank", "/sys/devices/system/cpu/kernel_max"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			content, err := os.ReadFile(tt.source)
			if err != nil {
				t.Skip(err)
			}
			info, err := os.Stat(tt.source)
			if err != nil {
				t.Skip(err)
			}
			if _, err := strconv.Atoi(strings.TrimSpace(string(content))); err != nil || info.Size() == int64(len(content)) {
				t.Skipf("%s holds %q in a file of size %d; want a number in a file whose size is not its length", tt.source, content, info.Size())
			}
			logger, logs := captureLogs(slog.LevelWarn)
			c := newCache[int](t, "n.json", cachetta.WithLogger(logger))
			if err := os.Symlink(tt.source, c.Path()); err != nil {
				t.Fatal(err)
			}
			if v, ok, err := c.Read(t.Context()); ok || err != nil {
				t.Fatalf("Read(%q) = %v, %v, %v; want a miss", c.Path(), v, ok, err)
			}
			if got := logs.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "cache miss: file changed while read") || !strings.Contains(got, c.Path()) {
				t.Errorf("logs %q lack a warning that the file changed, with the path", got)
			}
		})
	}
}
