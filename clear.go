package cachetta

import (
	"context"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"
)

// Clear removes every file the cache can have written, whatever its age, and
// empties every memory of its family (see Join and With); it returns the
// paths it removed, sorted. Its scope is Prune's. For a cache whose Path() is
// a file pattern (cache/user.json) it removes, in that file's directory only:
//
//   - the entries: the file at Path() and its keyed siblings
//     name-<16 hex digits>.ext;
//   - their temporary files, and the per-entry lock files of earlier
//     releases; those of other caches in the directory stay.
//
// A cache with a path function removes, in that directory too, every regular
// file with the cache's extension (see Entries). For a cache whose Path() is
// a directory, it removes such files in the tree below it, and the temporary
// files there, this package's and Python's. The directory's lock file,
// .cachetta-lock, stays: other processes may be coordinating through it.
//
// Clear removes no directory, no symbolic link and nothing outside its
// scope, and it never follows a link: it walks and removes as Prune does,
// through handles on the directories it opened itself, and removes each
// entry under the lock of its directory. A lock file that a process holds
// stays. A computation that is running meanwhile may still write its result;
// Invalidate is the way to keep one off the disk.
func (c *Cachetta[T]) Clear(ctx context.Context) (removed []string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if c.cfg.store != nil {
		return c.clearStored(ctx)
	}
	p := c.pruner(ctx)
	p.visit = p.clear
	removed, err = p.run("clear")
	// Memory may hold entries whose files were removed by others.
	for _, m := range c.shared.allMemories() {
		m.purge()
	}
	for _, path := range removed {
		c.shared.invalidated(path)
	}
	return removed, err
}

// always judges every file removable.
func always(fs.FileInfo) bool { return true }

// clear removes the file name of d, which is at path, when the cache can
// have written it.
func (p *pruner[T]) clear(d *os.Root, path, name string, kind fileKind) error {
	switch {
	case kind == kindEntry:
		return p.removeEntry(d, path, name, always)
	case kind == kindTemp && (p.tree || isTempName(name) && isTempOf(name, p.entryName)):
		return p.remove(d, path, name, always)
	case kind == kindOldLock && (p.tree || isRunLockOf(name, p.entryName)):
		return p.remove(d, path, name, always)
	}
	return nil
}

// isTempOf reports whether the temporary file name, which isTempName
// accepts, is one of an entry named as entryName's entries are:
// .<entry name, cut>.<random>.cachetta-tmp (see tempName).
func isTempOf(name, entryName string) bool {
	rest := strings.TrimSuffix(name, tempSuffix)
	base := rest[1:strings.LastIndexByte(rest, '.')]
	return isEntryName(base, entryName) ||
		len(base) > maxTempBase-utf8.UTFMax && isEntryNamePrefix(base, entryName)
}

// isRunLockOf reports whether the lock file name, which isLockName accepts,
// is the run lock an earlier release made for an entry named as entryName's
// entries are:
// .<entry name>.cachetta-lock, or, for a long name, the name cut and followed
// by "-" and 16 hex digits (see runLockPath).
func isRunLockOf(name, entryName string) bool {
	base := name[1 : len(name)-len(lockSuffix)]
	if isEntryName(base, entryName) {
		return true
	}
	const hashLen = 16
	keep := maxNameLen - len(".-") - hashLen - len(lockSuffix)
	cut, hash := len(base)-hashLen-1, base[max(len(base)-hashLen, 0):]
	return cut > keep-utf8.UTFMax && base[cut] == '-' && isHex(hash) && isEntryNamePrefix(base[:cut], entryName)
}

// isEntryNamePrefix reports whether s begins entryName or one of its keyed
// forms, as a name cut to fit a longer one does.
func isEntryNamePrefix(s, entryName string) bool {
	if strings.HasPrefix(entryName, s) {
		return true
	}
	keyed := keyedPath(entryName, "0000000000000000")
	stemLen := strings.LastIndex(keyed, "-0000000000000000") + 1
	if len(s) > len(keyed) {
		return false
	}
	for i := range len(s) {
		if stemLen <= i && i < stemLen+16 {
			if !isHex(s[i : i+1]) {
				return false
			}
		} else if s[i] != keyed[i] {
			return false
		}
	}
	return true
}

// isHex reports whether s is made of lowercase hex digits only.
func isHex(s string) bool {
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}
