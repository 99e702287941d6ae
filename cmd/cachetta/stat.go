package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

const statHelp = `Show the entry at FILE: its size, modification time and age, with --duration
its state (fresh, stale or expired, judged as ls judges it), and its JSON
value, pretty-printed. A file that is not valid JSON is shown as such. A
missing file, a directory, a symbolic link and anything else that is not a
regular file are errors: stat reads the file as a cache would. The path is
quoted as ls quotes it.`

func runStat(e env, args []string) error {
	fs := e.flagSet("stat", "FILE", statHelp)
	judge := fs.freshness()
	args, err := fs.parse(args, 1, 1)
	if err != nil {
		return err
	}
	if err := judge.check(fs); err != nil {
		return err
	}
	path := args[0]
	// Look first, to name what is there in the user's words; readEntry
	// checks again on the file it opens.
	fi, err := os.Lstat(path)
	switch {
	case err != nil:
		return pathError("stat", path, err)
	case fi.IsDir():
		return fmt.Errorf("cachetta: stat %s: is a directory; stat takes an entry's file (use ls for a directory)", quoteName(path))
	case fi.Mode()&os.ModeSymlink != 0:
		return fmt.Errorf("cachetta: stat %s: is a symbolic link, which a cache does not follow; stat the file it leads to", quoteName(path))
	case !fi.Mode().IsRegular():
		return fmt.Errorf("cachetta: stat %s: is %s, not an entry's file", quoteName(path), fileKind(fi.Mode()))
	}
	duration, stale := judge.durations()
	c, err := open(path, duration, stale)
	if err != nil {
		return err
	}
	info, err := c.Info(e.ctx)
	if err != nil {
		return err
	}
	if !info.Exists {
		return fmt.Errorf("cachetta: stat %s: no such file", quoteName(path))
	}
	data, err := readEntry(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "path:     %s\n", quoteName(info.Path))
	size := formatSize(info.Size)
	if info.Size >= 1024 {
		size += fmt.Sprintf(" (%d bytes)", info.Size)
	}
	fmt.Fprintf(e.stdout, "size:     %s\n", size)
	fmt.Fprintf(e.stdout, "modified: %s\n", info.ModTime.Format(time.RFC3339))
	fmt.Fprintf(e.stdout, "age:      %s\n", roundAge(info.Age))
	if judge.judged {
		fmt.Fprintf(e.stdout, "state:    %s\n", judge.state(info))
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, bytes.TrimSpace(data), "", "  "); err != nil {
		fmt.Fprintf(e.stdout, "value:    not valid JSON (%v)\n", err)
		return nil
	}
	fmt.Fprintf(e.stdout, "value:\n%s\n", pretty.Bytes())
	return nil
}
