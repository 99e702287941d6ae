// Package lockfile coordinates the processes that share a cache directory
// through one file in it, [Name], which no process ever removes.
//
// The file carries two things:
//
//   - Byte-range locks, one byte each, far past the file's contents: one for
//     the directory ([DirOffset]), held for the moment a file in it is
//     replaced or removed, and one per entry name ([RunOffset]), held for a
//     run of the entry's function. They are open-file-description locks on
//     Linux, LockFileEx ranges on Windows and POSIX record locks on the other
//     Unix systems; all die with the process that holds them. Two names may
//     share a run byte (a 40-bit hash): their runs then take turns, which
//     costs time, never a wrong value.
//   - A table of generation counters, 8 bytes each at the start of the file,
//     one per hash slot of an entry name ([GenSlot]). Invalidate adds one to
//     its entry's counter under the directory's lock; a run compares the
//     counter when it starts and before it renames its result into place,
//     and drops the result when it changed.
//
// Because the file is never removed, every process that opens it locks the
// same file: the failure of per-entry lock files, which another process's
// cleanup removed and recreated between an open and a lock, cannot occur.
//
// Threat model: anyone who can write the directory may plant something at
// the name. The file is opened without following a symbolic link and without
// waiting on a named pipe, and it is used only when it is a regular file
// with one link: a hard link to a file elsewhere is never locked or written
// through. Anything else is reported as [ErrObstacle] and the caller goes on
// without cross-process coordination, never failing for good.
//
// Within a process, a File is shared by every opener of one path and knows
// the ranges it holds, so that two callers in one process exclude each other
// even where the kernel's locks belong to the process (POSIX record locks),
// and no close of a second descriptor drops a lock.
//
// On Unix systems a File stays open after its last Close, idle, so that the
// next Open of its path costs one lstat instead of an open, a stat and a
// close: up to 64 idle files per process, the least recently used closed
// first. An idle File is used again only when what is at its path now is
// still the same regular file with one link, and is otherwise closed and
// the path opened afresh, with every check above. It holds no range while
// idle, and it remains the process's one descriptor of its path, so closing
// it drops no lock. Other systems keep none idle: on Windows an open handle
// would keep the directory from being removed.
package lockfile

import (
	"encoding/binary"
	"errors"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"sync"
)

// Name is the name of the lock file in every cache directory.
const Name = ".cachetta-lock"

const (
	// genSlots is the number of generation counters: the table is 32 KiB
	// at most, and written sparsely.
	genSlots = 4096
	// DirOffset is the byte of the directory's lock.
	DirOffset int64 = 1 << 40
	// runBase is the first byte of the run locks, which span 2^40 bytes.
	runBase int64 = 1 << 41
)

var (
	// ErrBusy reports a range held by another process, or by another
	// caller in this one.
	ErrBusy = errors.New("lock held by another process")
	// ErrHeldHere is the ErrBusy of a range that another caller in this
	// process holds: errors.Is(ErrHeldHere, ErrBusy) is true.
	ErrHeldHere error = heldHere{}
	// ErrUnsupported reports a file system or platform without the locks
	// this package uses.
	ErrUnsupported = errors.New("file system does not support locks")
	// ErrObstacle reports something at the lock file's name that is not a
	// regular file with one link: a directory, a named pipe, a symbolic
	// link, or a hard link to another file.
	ErrObstacle = errors.New("not a lock file the cache can use (a directory, pipe, link or hard-linked file)")
)

// heldHere is the type of ErrHeldHere.
type heldHere struct{}

func (heldHere) Error() string        { return "lock held in this process" }
func (heldHere) Is(target error) bool { return target == ErrBusy }

// hash64 returns the FNV-1a hash of name.
func hash64(name string) uint64 {
	h := fnv.New64a()
	io.WriteString(h, name)
	return h.Sum64()
}

// RunOffset returns the byte of the run lock of the entry name.
func RunOffset(name string) int64 {
	return runBase + int64(hash64(name)&(1<<40-1))
}

// GenSlot returns the generation counter of the entry name.
func GenSlot(name string) int {
	return int(hash64(name) % genSlots)
}

// A File is an open lock file, shared by its openers in this process.
type File struct {
	path string
	f    *os.File
	info fs.FileInfo // f's stat when opened, to know the file again at path

	// Guarded by registry.mu: the openers that have not closed the File,
	// and its place in registry.idle.
	refs       int
	idle       bool
	prev, next *File

	mu   sync.Mutex     // guards held
	held map[int64]bool // the ranges this process holds through f
}

// registry holds the lock files open in this process, by path. It is the
// package's one mutable global: a lock file must be open once per process,
// since closing any descriptor of a file drops the process's POSIX locks on
// it.
var registry struct {
	mu    sync.Mutex
	files map[string]*File // open, used or idle, by path
	idle  idleFiles
}

// Open returns the lock file at path, opening it with open when this process
// has it open under no other File, and creating it when it is missing. open
// is called with the flags to pass to the file system, which include
// os.O_CREATE; lstat looks at what is now at path. A nil lstat stands for
// os.Lstat(path), path being then a name on the plain file system, which
// Open looks at on its own, without allocating. A File kept idle since its
// last Close is returned when lstat still finds it at path. Every File
// returned must be closed.
func Open(path string, open func(flag int) (*os.File, error), lstat func() (fs.FileInfo, error)) (*File, error) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if lf := registry.files[path]; lf != nil {
		if !lf.idle {
			lf.refs++
			return lf, nil
		}
		registry.idle.take(lf)
		if lf.stillAt(lstat) {
			lf.refs++
			return lf, nil
		}
		lf.drop()
	}
	if lstat == nil {
		lstat = func() (fs.FileInfo, error) { return os.Lstat(path) }
	}
	f, err := open(os.O_RDWR | os.O_CREATE | openNoFollow | openNonblock)
	if err != nil {
		// Which error an open reports for a link depends on who opens: the
		// system, or an os.Root that refuses a link leading out of it.
		if isObstacleErr(err) || notRegular(lstat) {
			err = &fs.PathError{Op: "open", Path: path, Err: ErrObstacle}
		}
		return nil, err
	}
	info, err := check(f, path, lstat)
	if err != nil {
		f.Close()
		return nil, err
	}
	lf := &File{path: path, f: f, info: info, refs: 1, held: make(map[int64]bool)}
	if registry.files == nil {
		registry.files = make(map[string]*File)
	}
	registry.files[path] = lf
	return lf, nil
}

// notRegular reports whether something other than a regular file is at the
// name now.
func notRegular(lstat func() (fs.FileInfo, error)) bool {
	info, err := lstat()
	return err == nil && !info.Mode().IsRegular()
}

// check refuses an opened file that is not a regular file with one link, or,
// where the open could not refuse a symbolic link, not the file at path. It
// returns the file's stat.
func check(f *os.File, path string, lstat func() (fs.FileInfo, error)) (fs.FileInfo, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() || links(f, info) != 1 {
		return nil, &fs.PathError{Op: "open", Path: path, Err: ErrObstacle}
	}
	if openNoFollow == 0 {
		looked, err := lstat()
		if err != nil {
			return nil, err
		}
		if !os.SameFile(info, looked) {
			return nil, &fs.PathError{Op: "open", Path: path, Err: ErrObstacle}
		}
	}
	return info, nil
}

// Path returns the path the file was opened at.
func (lf *File) Path() string { return lf.path }

// Close gives up this opener's share of the file; after the last one, the
// file is kept idle or closed once no range is held through it. The ranges
// still held stay held until their Unlock.
func (lf *File) Close() {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	lf.refs--
	lf.retire()
}

// retire keeps lf idle when no opener has it and it holds no range, unless
// it is idle or forgotten already. The caller holds registry.mu.
func (lf *File) retire() {
	if lf.refs > 0 || lf.idle || registry.files[lf.path] != lf {
		return
	}
	lf.mu.Lock()
	busy := len(lf.held) > 0
	lf.mu.Unlock()
	if busy {
		// A holder unlocks later and then finds refs at 0.
		return
	}
	registry.idle.keep(lf)
}

// TryLock takes the byte at off without waiting. It returns ErrHeldHere
// when a caller in this process holds it, ErrBusy when another process
// does, and an error wrapping ErrUnsupported when the file system refuses
// locks.
func (lf *File) TryLock(off int64) error {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	if lf.held[off] {
		return ErrHeldHere
	}
	if err := tryLockRange(lf.f, off); err != nil {
		if !errors.Is(err, ErrBusy) && !errors.Is(err, ErrUnsupported) {
			err = &fs.PathError{Op: "lock", Path: lf.path, Err: err}
		}
		return err
	}
	lf.held[off] = true
	return nil
}

// Unlock releases the byte at off, which the caller took with TryLock.
func (lf *File) Unlock(off int64) {
	lf.mu.Lock()
	if lf.held[off] {
		unlockRange(lf.f, off)
		delete(lf.held, off)
	}
	free := len(lf.held) == 0
	lf.mu.Unlock()
	if free {
		registry.mu.Lock()
		lf.retire()
		registry.mu.Unlock()
	}
}

// Generation returns the counter of slot; a counter never written is 0.
func (lf *File) Generation(slot int) (uint64, error) {
	var b [8]byte
	if _, err := lf.f.ReadAt(b[:], int64(slot)*8); err != nil && err != io.EOF {
		return 0, &fs.PathError{Op: "read", Path: lf.path, Err: err}
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

// Bump adds one to the counter of slot. The caller holds the directory's
// lock, which orders the reads and writes of counters across processes. The
// file is looked at again first: a hard link made to it since it was opened
// makes it another's file too, and it is not written.
func (lf *File) Bump(slot int) error {
	info, err := lf.f.Stat()
	if err != nil {
		return &fs.PathError{Op: "stat", Path: lf.path, Err: err}
	}
	if links(lf.f, info) != 1 {
		return &fs.PathError{Op: "write", Path: lf.path, Err: ErrObstacle}
	}
	gen, err := lf.Generation(slot)
	if err != nil {
		return err
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], gen+1)
	if _, err := lf.f.WriteAt(b[:], int64(slot)*8); err != nil {
		return &fs.PathError{Op: "write", Path: lf.path, Err: err}
	}
	return nil
}
