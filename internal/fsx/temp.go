package fsx

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"
)

// TempSuffix ends the name of every temporary file the cache writes, so
// that Prune can tell its own leftovers from other files.
const TempSuffix = ".cachetta-tmp"

// randomLen is the longest random part of a temporary name: the base-36
// digits of the largest uint64.
const randomLen = 13

// MaxNameLen is the longest file name, in bytes, that common file systems
// accept: NAME_MAX on Linux and macOS. Windows counts UTF-16 code units,
// and a UTF-8 name never has more of those than bytes.
const MaxNameLen = 255

// MaxTempBase is how many bytes of the entry's name a temporary name keeps.
const MaxTempBase = MaxNameLen - len("..") - randomLen - len(TempSuffix)

// A Temp is a temporary file that CreateTemp made, open for writing. On
// the plain file system of a Unix system it is written and closed through
// its descriptor alone: an *os.File would cost an fcntl, a finalizer and the
// poller's bookkeeping on every write, which File pays only when asked.
type Temp struct {
	name string
	fd   int      // the descriptor while f is nil; -1 once closed
	f    *os.File // the file, when opened through an FS or made by File
}

// Name returns the file's name, as CreateTemp made it.
func (t *Temp) Name() string { return t.name }

// File returns the file as an *os.File, which owns the descriptor from then
// on: for a sync, a stat through the handle or RemoveMoved.
func (t *Temp) File() *os.File {
	if t.f == nil && t.fd >= 0 {
		t.f = os.NewFile(uintptr(t.fd), t.name)
		t.fd = -1
	}
	return t.f
}

// Write writes all of data to the file, or fails.
func (t *Temp) Write(data []byte) error {
	if t.f != nil {
		_, err := t.f.Write(data)
		return err
	}
	if t.fd < 0 {
		return &fs.PathError{Op: "write", Path: t.name, Err: fs.ErrClosed}
	}
	return writeFD(t.fd, t.name, data)
}

// Close closes the file. Calls after the first fail, and close nothing.
func (t *Temp) Close() error {
	if t.f != nil {
		return t.f.Close()
	}
	if t.fd < 0 {
		return &fs.PathError{Op: "close", Path: t.name, Err: fs.ErrClosed}
	}
	fd := t.fd
	t.fd = -1
	return closeFD(fd, t.name)
}

// CreateTemp creates a file named .<base>.<random>.cachetta-tmp beside
// path, exclusively with mode perm, so that no two writers share one. Base
// is path's file name, cut to fit the whole name in MaxNameLen bytes, so
// that every name the file system accepts can be written; random is a
// uint64 in base 36.
func CreateTemp(fsys FS, path string, perm fs.FileMode) (*Temp, error) {
	dir, base := filepath.Split(path)
	// The setuid, setgid and sticky bits are for os.OpenFile to map.
	_, plain := fsys.(OS)
	plain = plain && plainDescriptors && perm == perm.Perm()
	// The name is made in one allocation, on every write.
	var buf [256]byte
	for range 10 {
		name := string(appendTempName(append(buf[:0], dir...), base))
		var err error
		if plain {
			var fd int
			if fd, err = createFD(name, perm); err == nil {
				return &Temp{name: name, fd: fd}, nil
			}
		} else {
			var f *os.File
			if f, err = fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm); err == nil {
				return &Temp{name: name, fd: -1, f: f}, nil
			}
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
	return nil, errors.New("no free temporary file name")
}

// TempName returns a new temporary name for a file named base, as
// CreateTemp makes them and Prune uses to set a file aside.
func TempName(base string) string {
	return string(appendTempName(nil, base))
}

// appendTempName appends a new temporary name for a file named base to b.
func appendTempName(b []byte, base string) []byte {
	b = append(b, '.')
	b = append(b, CutAtRune(base, MaxTempBase)...)
	b = append(b, '.')
	b = strconv.AppendUint(b, rand.Uint64(), 36)
	return append(b, TempSuffix...)
}

// CutAtRune returns s cut to at most n bytes, and fewer only to end at a
// rune boundary, so that a UTF-8 name stays UTF-8, as macOS and Windows
// require.
func CutAtRune(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && i > n-utf8.UTFMax+1 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// IsTempName reports whether a file name is one CreateTemp makes:
// .<base>.<1 to 13 base-36 digits>.cachetta-tmp, of at most MaxNameLen
// bytes.
func IsTempName(name string) bool {
	rest, ok := strings.CutSuffix(name, TempSuffix)
	if !ok || len(name) > MaxNameLen || !strings.HasPrefix(rest, ".") {
		return false
	}
	i := strings.LastIndexByte(rest, '.')
	random := rest[i+1:]
	if i < 2 || random == "" || len(random) > randomLen {
		return false
	}
	for _, r := range random {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'z') {
			return false
		}
	}
	return true
}

// TempBase returns the part of the temporary name name, which IsTempName
// accepts, that comes from the entry's name: cut when that was long.
func TempBase(name string) string {
	rest := strings.TrimSuffix(name, TempSuffix)
	return rest[1:strings.LastIndexByte(rest, '.')]
}

// IsPythonTempName reports whether name is one Python's cachetta gives
// the temporary file of a write, as tempfile makes them: tmp, eight or more
// letters, digits and underscores, and .tmp.
func IsPythonTempName(name string) bool {
	rest, ok := strings.CutPrefix(name, "tmp")
	if !ok {
		return false
	}
	random, ok := strings.CutSuffix(rest, ".tmp")
	if !ok || len(random) < 8 || len(random) > 64 {
		return false
	}
	for _, r := range random {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r == '_') {
			return false
		}
	}
	return true
}

// Fill writes data to t and, with fsync, flushes it with fsync; the caller
// closes t. With info, it sets *info to t's stat: the stat of the handle,
// not of a name, is surely of the file written, which a rename moves
// without changing its identity, time or size.
func Fill(t *Temp, data []byte, fsync func(*os.File) error, info *fs.FileInfo) error {
	if err := t.Write(data); err != nil {
		return err
	}
	if fsync != nil {
		if err := fsync(t.File()); err != nil {
			return err
		}
	}
	if info != nil {
		var err error
		if *info, err = t.File().Stat(); err != nil {
			return err
		}
	}
	return nil
}

// SyncDir makes the names in directory dir durable with fsync, such as one
// just renamed into it. On Windows, where a directory cannot be synced, it
// does nothing. A file system that cannot sync directories and says so
// with EINVAL, as SMB mounts do, is not an error.
func SyncDir(fsys FS, dir string, fsync func(*os.File) error) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := fsys.Open(dir)
	if err != nil {
		return err
	}
	err = fsync(d)
	if errors.Is(err, syscall.EINVAL) {
		err = nil
	}
	if closeErr := d.Close(); err == nil {
		err = closeErr
	}
	return err
}

// MkdirAll creates the directory dir and its missing parents with mode
// perm. With fsync it syncs the directory that holds each one it creates,
// so that they survive power loss with what is later renamed into dir;
// dir itself is for the caller to sync after that rename.
func MkdirAll(fsys FS, dir string, perm fs.FileMode, fsync func(*os.File) error) error {
	if fsync == nil {
		return fsys.MkdirAll(dir, perm)
	}
	// The directories that will hold a new one, deepest first. That of the
	// topmost is left out when it cannot be looked at, as above the
	// directory of a Root.
	var holders []string
	for d := dir; ; d = filepath.Dir(d) {
		_, err := fsys.Lstat(d)
		if d != dir && (err == nil || errors.Is(err, fs.ErrNotExist)) {
			holders = append(holders, d)
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(d) == d {
			break
		}
	}
	if err := fsys.MkdirAll(dir, perm); err != nil {
		return err
	}
	for _, d := range slices.Backward(holders) {
		if err := SyncDir(fsys, d, fsync); err != nil {
			return err
		}
	}
	return nil
}
