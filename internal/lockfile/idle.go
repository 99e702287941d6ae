package lockfile

import (
	"io/fs"
	"os"
)

// idleFiles is the list of the Files that no opener has and that hold no
// range, kept open so that the next Open of their path costs a stat instead
// of an open, a stat and a close. The most recently used is first; at most
// maxIdle are kept, and the least recently used is closed first. Its
// fields and the Files' prev, next and idle are guarded by registry.mu.
type idleFiles struct {
	first, last *File
	n           int
}

// keep puts lf, which no opener has and which holds no range, first in the
// list, and closes the least recently used File when the list is full. The
// caller holds registry.mu.
func (l *idleFiles) keep(lf *File) {
	if maxIdle == 0 {
		lf.drop()
		return
	}
	lf.idle, lf.prev, lf.next = true, nil, l.first
	if l.first != nil {
		l.first.prev = lf
	} else {
		l.last = lf
	}
	l.first = lf
	l.n++
	if l.n > maxIdle {
		oldest := l.last
		l.take(oldest)
		oldest.drop()
	}
}

// take removes lf from the list. The caller holds registry.mu.
func (l *idleFiles) take(lf *File) {
	if lf.prev != nil {
		lf.prev.next = lf.next
	} else {
		l.first = lf.next
	}
	if lf.next != nil {
		lf.next.prev = lf.prev
	} else {
		l.last = lf.prev
	}
	lf.idle, lf.prev, lf.next = false, nil, nil
	l.n--
}

// stillAt reports whether the idle File lf is still the lock file at its
// path, where lstat looks, and one a fresh Open would accept: the same
// file, regular, with one link. Whatever came between lf's last Close and
// now (a file renamed over it, removed and created again, a hard link
// made to it, a directory or a link planted at its name, its directory
// moved or replaced) fails the test, and the caller opens the path
// afresh. The file cannot have been replaced by one that reuses its
// identity: lf's descriptor keeps it alive. A nil lstat looks at lf's path
// on the plain file system (see sameAt).
func (lf *File) stillAt(lstat func() (fs.FileInfo, error)) bool {
	if lstat == nil {
		return sameAt(lf.path, lf.info)
	}
	now, err := lstat()
	return err == nil && now.Mode().IsRegular() && os.SameFile(now, lf.info) && links(lf.f, now) == 1
}

// drop forgets lf and closes its descriptor. No opener has it and it holds
// no range; the caller holds registry.mu.
func (lf *File) drop() {
	delete(registry.files, lf.path)
	lf.f.Close()
}
