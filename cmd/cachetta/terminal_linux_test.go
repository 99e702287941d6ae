package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// openPTY returns the two ends of a new pseudo-terminal, or skips the test
// where the system gives none.
func openPTY(t *testing.T) (master, terminal *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	var unlock, n uint32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); errno != 0 {
		t.Skipf("unlock the pseudo-terminal: %v", errno)
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); errno != 0 {
		t.Skipf("number of the pseudo-terminal: %v", errno)
	}
	terminal, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { terminal.Close() })
	return master, terminal
}

func TestIsTerminalOfAPseudoTerminal(t *testing.T) {
	master, terminal := openPTY(t)
	if !isTerminal(terminal) {
		t.Errorf("isTerminal(%s) = false; want true", terminal.Name())
	}
	if !isTerminal(master) {
		t.Errorf("isTerminal(%s) = false; want true", master.Name())
	}
}

// TestClearAsksATerminal runs clear without --yes with stdin from a
// pseudo-terminal, where the answer decides.
func TestClearAsksATerminal(t *testing.T) {
	tests := []struct {
		name, answer string
		removed      bool
	}{
		{"y", "y\n", true},
		{"yes", "Yes\n", true},
		{"n", "n\n", false},
		{"no answer", "\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			master, terminal := openPTY(t)
			// The terminal holds the line until the command reads it.
			if _, err := master.WriteString(tt.answer); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			writeEntry(t, dir, "a.json", "1", 0)
			r := commandReading(t, terminal, "clear", dir)
			if !strings.Contains(r.stderr, "remove 1 entry and the temporary and lock files below "+dir+"? [y/N] ") {
				t.Errorf("clear asked %q; want the question", r.stderr)
			}
			_, err := os.Stat(filepath.Join(dir, "a.json"))
			if gone := err != nil; gone != tt.removed || (r.code == 0) != tt.removed {
				t.Errorf("clear answered %q = %d, %q, %q, entry gone %v; want gone %v", tt.answer, r.code, r.stdout, r.stderr, gone, tt.removed)
			}
		})
	}
}
