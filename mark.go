package cachetta

import "os"

// Every write of an entry leaves a trace beside it by which Prune, Clear and
// Entries tell the files of this package from others, even where a path
// function named them freely: the entry's run lock, .<name>.cachetta-lock
// (see runLockPath), which is its mark. A regular file whose mark is a
// regular file beside it is an entry. The mark is the file Wrap's runs
// already lock, so it costs no new file; an extended attribute would cost
// nothing on disk either, but Windows, tmpfs on older kernels and many
// network file systems have none, and a copy of the directory loses them.
//
// Prune keeps the mark of a file that is there and removes it with its
// entry. Invalidate leaves it, since it holds the entry's generation stamp;
// with no entry beside it, it goes once it is an hour old, as any lock file
// no process holds.

// markName returns the name of the mark of the file name.
func markName(name string) string {
	return runLockPath(name)
}

// mark creates the mark of the entry at path when it is missing. The
// exclusive create never opens a file that is there, so a named pipe or a
// link planted at the name is neither read nor followed, and a mark that is
// there costs one failed system call. A failure is not the write's: the
// entry is then unmarked, which only a cache with a path function or a
// directory cache notices, by leaving it alone.
func (c *Cachetta[T]) mark(path string) {
	f, err := c.fsys.openFile(runLockPath(path), os.O_WRONLY|os.O_CREATE|os.O_EXCL, c.cfg.fileMode)
	if err == nil {
		f.Close()
	}
}
