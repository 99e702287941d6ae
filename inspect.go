package cachetta

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// Info describes the file of one entry at the moment Info looked.
type Info struct {
	Path    string        // resolved file path
	Exists  bool          // the file exists
	Age     time.Duration // time since ModTime; 0 when missing or in the future
	ModTime time.Time     // the file's modification time; zero when missing
	Size    int64         // the file's size in bytes
	Expired bool          // exists and Age >= the duration
	Stale   bool          // expired and inside the stale window, with reading on
}

// Info describes the file that args resolve to (see PathFor). A missing file
// is not an error. It looks at the disk only, never at memory.
func (c *Cachetta[T]) Info(ctx context.Context, args ...any) (Info, error) {
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	path, err := c.PathFor(args...)
	if err != nil {
		return Info{}, err
	}
	if c.cfg.store != nil {
		return c.statEntry(ctx, path)
	}
	info := Info{Path: path}
	fi, err := c.fsys.stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return info, nil
	}
	if err != nil {
		return info, fmt.Errorf("cachetta: info: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return info, fmt.Errorf("cachetta: info %s: %w", path, errNotRegular)
	}
	return c.describe(path, fi, time.Now()), nil
}

// describe returns the Info of the existing file fi at path, at now.
func (c *Cachetta[T]) describe(path string, fi fs.FileInfo, now time.Time) Info {
	info := Info{Path: path, Exists: true, ModTime: fi.ModTime(), Size: fi.Size()}
	info.Age = max(now.Sub(info.ModTime), 0)
	f := c.freshnessAt(info.ModTime, now)
	info.Expired = f != fresh
	info.Stale = f == stale
	return info
}

// Exists reports whether the file that args resolve to exists, fresh or not.
func (c *Cachetta[T]) Exists(ctx context.Context, args ...any) (bool, error) {
	info, err := c.Info(ctx, args...)
	return info.Exists, err
}

// Age returns the age of the file that args resolve to; ok is false when it
// is missing. A modification time in the future gives age 0.
func (c *Cachetta[T]) Age(ctx context.Context, args ...any) (age time.Duration, ok bool, err error) {
	info, err := c.Info(ctx, args...)
	return info.Age, info.Exists, err
}
