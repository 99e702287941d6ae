package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/cachetta-go/cachetta"
)

const clearHelp = `Remove every entry below DIR, as Clear of a directory cache does: every
regular .json file that is not hidden, whichever program wrote it, the
temporary files of cachetta and of Python's cachetta, and the per-entry lock
files of earlier releases. The directory's lock file .cachetta-lock stays. Other files,
directories and links stay. It asks for confirmation on stdin unless --yes
is given, and refuses without --yes when stdin is not a terminal (a pipe, a
file or /dev/null: a script must say --yes). It prints the paths removed,
quoted as ls quotes them.`

func runClear(e env, args []string) error {
	fs := e.flagSet("clear", "DIR", clearHelp)
	yes := fs.Bool("yes", false, "remove without asking")
	args, err := fs.parse(args, 1, 1)
	if err != nil {
		return err
	}
	c, err := dirCache("clear", args[0], cachetta.DefaultDuration, 0)
	if err != nil {
		return err
	}
	if !*yes {
		infos, err := entries(e.ctx, c)
		if err != nil {
			return err
		}
		if err := confirm(e, fmt.Sprintf("remove %s and the temporary and lock files below %s? [y/N] ", count(len(infos), "entry", "entries"), quoteName(c.Path()))); err != nil {
			return err
		}
	}
	removed, err := c.Clear(e.ctx)
	for _, path := range removed {
		fmt.Fprintln(e.stdout, quoteName(path))
	}
	return err
}

// errNotConfirmed reports a clear the user did not confirm.
var errNotConfirmed = errors.New("cachetta: clear: not confirmed, nothing removed")

// confirm asks question on stderr and reads the answer from stdin, which
// must be a terminal: a script must say --yes. Being a character device is
// not enough, since /dev/null is one and would answer for a script.
func confirm(e env, question string) error {
	if !isTerminal(e.stdin) {
		return errors.New("cachetta: clear: stdin is not a terminal; pass --yes to remove without asking")
	}
	fmt.Fprint(e.stderr, question)
	answer, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && answer == "" {
		return errNotConfirmed
	}
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	return errNotConfirmed
}
