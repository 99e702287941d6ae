package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

const statHelp = `Show the entry at FILE: its size, modification time and age, with --duration
its state (fresh, stale or expired, judged as ls judges it), and its JSON
value, pretty-printed. A file that is not valid JSON is shown as such. A
missing file, a directory, a symbolic link and anything else that is not a
regular file are errors: stat reads the file as a cache would. The path is
quoted as ls quotes it, and a character of the value that is not printable
(DEL, a C1 control, a bidirectional override) is shown as its \u escape.`

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
	fmt.Fprintf(e.stdout, "value:\n%s\n", printableJSON(pretty.Bytes()))
	return nil
}

// printableJSON returns the valid JSON text, indented by json.Indent, with
// every character that is not printable, other than its newlines, written
// as a \u escape: the same value, which no terminal acts on. Valid JSON
// holds no raw control character below U+0020, but may hold DEL, the C1
// controls (U+009B starts a terminal sequence) and the bidirectional
// overrides raw. A byte that is not UTF-8 is written as \ufffd, which is
// how a cache decodes it.
func printableJSON(text []byte) string {
	var b strings.Builder
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`)
		case r == '\n' || strconv.IsPrint(r):
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		default:
			// Outside strings, JSON has only printable characters and
			// white space, which json.Indent wrote as spaces and newlines.
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}
