package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

const statHelp = `Show the entry at FILE: its size, modification time, age and state (fresh,
stale or expired) and its JSON value, pretty-printed. A file that is not
valid JSON is shown as such, with its state; a missing file is an error.`

func runStat(e env, args []string) error {
	fs := e.flagSet("stat", "FILE", statHelp)
	duration, stale := fs.freshness()
	args, err := fs.parse(args, 1, 1)
	if err != nil {
		return err
	}
	c, err := open(args[0], *duration, *stale)
	if err != nil {
		return err
	}
	info, err := c.Info(e.ctx)
	if err != nil {
		return err
	}
	if !info.Exists {
		return fmt.Errorf("cachetta: stat %s: no such file", info.Path)
	}
	data, err := readEntry(info.Path)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "path:     %s\n", info.Path)
	fmt.Fprintf(e.stdout, "size:     %d bytes\n", info.Size)
	fmt.Fprintf(e.stdout, "modified: %s\n", info.ModTime.Format(time.RFC3339))
	fmt.Fprintf(e.stdout, "age:      %s\n", roundAge(info.Age))
	fmt.Fprintf(e.stdout, "state:    %s\n", state(info))
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, bytes.TrimSpace(data), "", "  "); err != nil {
		fmt.Fprintf(e.stdout, "value:    not valid JSON (%v)\n", err)
		return nil
	}
	fmt.Fprintf(e.stdout, "value:\n%s\n", pretty.Bytes())
	return nil
}
