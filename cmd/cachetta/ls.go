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

const lsHelp = `List the entries below DIR, sorted by path: the regular .json files that
are not hidden, whichever program wrote them, as a directory cache sees them, with their size and age, and a
last line with their count and total size. Sizes are in binary units: B, then
KiB (1024 bytes), MiB, GiB... with one decimal. With --duration, each entry's
state is shown too: fresh, stale (expired, but within --stale past the
duration) or expired, as a cache with that --duration and --stale judges it;
the files do not record for how long they are fresh, so without --duration no
state is shown. Links are not followed.

A path that holds a control or other non-printable character, or a single
quote, is quoted as a POSIX shell (bash, zsh) reads it back, as GNU ls's
shell-escape style does: the name a, newline, b shows as 'a'$'\n''b'.

--json prints an array of objects with path (a JSON string, not quoted for
the shell; JSON holds only text, so a byte that is not UTF-8 shows as
U+FFFD), size in bytes, mod_time, age_seconds, and state with --duration.`

// lsEntry is one entry as ls --json prints it.
type lsEntry struct {
	Path       string    `json:"path"`
	Size       int64     `json:"size"`
	ModTime    time.Time `json:"mod_time"`
	AgeSeconds float64   `json:"age_seconds"`
	State      string    `json:"state,omitempty"` // only with --duration
}

func runLs(e env, args []string) error {
	fs := e.flagSet("ls", "DIR", lsHelp)
	asJSON := fs.Bool("json", false, "print a JSON array for scripts instead of a table")
	judge := fs.freshness()
	args, err := fs.parse(args, 1, 1)
	if err != nil {
		return err
	}
	if err := judge.check(fs); err != nil {
		return err
	}
	duration, stale := judge.durations()
	c, err := dirCache("ls", args[0], duration, stale)
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
			list = append(list, lsEntry{info.Path, info.Size, info.ModTime, info.Age.Seconds(), judge.state(info)})
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	total := int64(0)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	if len(infos) > 0 {
		if judge.judged {
			fmt.Fprint(tw, "STATE\t")
		}
		fmt.Fprintln(tw, "SIZE\tAGE\tPATH")
	}
	for _, info := range infos {
		rel, err := filepath.Rel(args[0], info.Path)
		if err != nil {
			rel = info.Path
		}
		if judge.judged {
			fmt.Fprintf(tw, "%s\t", judge.state(info))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", formatSize(info.Size), roundAge(info.Age), quoteName(rel))
		total += info.Size
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "total: %s, %s\n", count(len(infos), "entry", "entries"), formatSize(total))
	return err
}

// count returns n with the singular or plural noun.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
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
