package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cachetta-go/cachetta"
)

const lsHelp = `List the entries below DIR, sorted by path: the regular files that a cachetta
write marked, as a directory cache sees them, with their size, age and state
(fresh, stale or expired). Links are not followed.`

// lsEntry is one entry as ls --json prints it.
type lsEntry struct {
	Path       string    `json:"path"`
	Size       int64     `json:"size"`
	ModTime    time.Time `json:"mod_time"`
	AgeSeconds float64   `json:"age_seconds"`
	State      string    `json:"state"`
}

func runLs(e env, args []string) error {
	fs := e.flagSet("ls", "DIR", lsHelp)
	asJSON := fs.Bool("json", false, "print a JSON array for scripts instead of a table")
	duration, stale := fs.freshness()
	args, err := fs.parse(args, 1, 1)
	if err != nil {
		return err
	}
	c, err := dirCache(args[0], *duration, *stale)
	if err != nil {
		return err
	}
	infos, err := entries(e.ctx, c)
	if err != nil {
		return err
	}
	if *asJSON {
		list := make([]lsEntry, 0, len(infos))
		for _, info := range infos {
			list = append(list, lsEntry{info.Path, info.Size, info.ModTime, info.Age.Seconds(), state(info)})
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATE\tSIZE\tAGE\tPATH")
	for _, info := range infos {
		rel, err := filepath.Rel(args[0], info.Path)
		if err != nil {
			rel = info.Path
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", state(info), info.Size, roundAge(info.Age), rel)
	}
	return tw.Flush()
}

// entries returns the entries of c, sorted by path.
func entries(ctx context.Context, c *cachetta.Cachetta[json.RawMessage]) ([]cachetta.Info, error) {
	var infos []cachetta.Info
	for info, err := range c.Entries(ctx) {
		if err != nil {
			return nil, err
		}
		infos = append(infos, info)
	}
	slices.SortFunc(infos, func(a, b cachetta.Info) int { return strings.Compare(a.Path, b.Path) })
	return infos, nil
}

// roundAge rounds an age for a table: to the second, or the minute past an
// hour.
func roundAge(d time.Duration) time.Duration {
	if d >= time.Hour {
		return d.Round(time.Minute)
	}
	return d.Round(time.Second)
}
