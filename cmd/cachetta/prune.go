package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/cachetta-go/cachetta"
)

const pruneHelp = `Remove what no cache can use below DIR, as Prune of a directory cache does:
temporary files older than an hour, left by killed writers, and lock files
older than an hour that no process holds. Entries stay: below a directory
their names do not say which cache wrote them, nor for how long they are
fresh. It prints the paths removed, or with --dry-run those it would remove
(a lock file that a process holds is kept all the same).`

// leftoverAge is the age past which Prune takes a temporary or lock file for
// a leftover.
const leftoverAge = time.Hour

func runPrune(e env, args []string) error {
	fs := e.flagSet("prune", "DIR", pruneHelp)
	dryRun := fs.Bool("dry-run", false, "print what would be removed and remove nothing")
	args, err := fs.parse(args, 1, 1)
	if err != nil {
		return err
	}
	c, err := dirCache(args[0], cachetta.DefaultDuration, 0)
	if err != nil {
		return err
	}
	var removed []string
	if *dryRun {
		removed, err = leftovers(e, c)
	} else {
		removed, err = c.Prune(e.ctx)
	}
	for _, path := range removed {
		fmt.Fprintln(e.stdout, path)
	}
	return err
}

// leftovers returns the temporary and lock files below the directory cache
// c that Prune would remove, unless a process holds them: the regular files
// that are not entries, and an hour old.
func leftovers(e env, c *cachetta.Cachetta[json.RawMessage]) ([]string, error) {
	infos, err := entries(e.ctx, c)
	if err != nil {
		return nil, err
	}
	isEntry := make(map[string]bool, len(infos))
	for _, info := range infos {
		isEntry[info.Path] = true
	}
	now := time.Now()
	var old []string
	// WalkDir follows no link, and lists in lexical order.
	err = filepath.WalkDir(c.Path(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || isEntry[path] {
			return nil
		}
		if info, err := d.Info(); err == nil && now.Sub(info.ModTime()) >= leftoverAge {
			old = append(old, path)
		}
		return nil
	})
	return old, err
}
