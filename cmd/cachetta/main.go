// Command cachetta inspects and tidies the files of cachetta caches: it lists
// entries with their size, age and state, shows one entry, prints the file
// that a call with given arguments uses, and prunes or clears a cache
// directory.
//
// Usage:
//
//	cachetta ls [--json] DIR
//	cachetta stat FILE
//	cachetta key NAME.json [ARG...]
//	cachetta prune [--dry-run] [--duration D] [--stale D] [--max-bytes N] [--max-entries N] DIR
//	cachetta clear [--yes] DIR
//
// DIR is taken for a directory cache, as cachetta.New(DIR) makes one: its
// entries are the regular files below it that a cachetta write marked (see
// cachetta.Cachetta.Entries). Each command takes --help.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/cachetta-go/cachetta"
)

const usage = `usage: cachetta <command> [flags] [arguments]

commands:
  ls [--json] DIR            list the entries below DIR with size, age and state
  stat FILE                  show one entry's state and its JSON value
  key NAME.json [ARG...]     print the file a call with these JSON arguments uses
  prune [--dry-run] [--duration D] [--stale D] [--max-bytes N] [--max-entries N] DIR
                             remove leftover temporary and lock files below DIR,
                             expired entries, and the oldest beyond the bounds
  clear [--yes] DIR          remove every entry below DIR, and its temporary and lock files

DIR is taken for a directory cache: every regular file below it that a write
of cachetta marked, with the lock file .NAME.cachetta-lock beside it, is an
entry; other files are left alone. ls and stat judge freshness
by --duration (default 168h, the package's) and --stale (default 0), which
should be those of the cache that wrote the files. Run
"cachetta <command> --help" for a command's flags.
`

// exit codes: 0 success, 1 failure, 2 bad usage.
const (
	exitFailure = 1
	exitUsage   = 2
)

// errUsage reports bad arguments, whose message has been printed already.
var errUsage = errors.New("usage")

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// env is what a command reads and writes.
type env struct {
	ctx            context.Context
	stdin          *os.File
	stdout, stderr io.Writer
}

// commands are the subcommands, each of which parses its own flags.
var commands = map[string]func(e env, args []string) error{
	"ls":    runLs,
	"stat":  runStat,
	"key":   runKey,
	"prune": runPrune,
	"clear": runClear,
}

// run runs the command line args and returns the exit code.
func run(args []string, stdin *os.File, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "cachetta: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	switch err := cmd(env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}, args[1:]); {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return exitUsage
	default:
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
}

// flagSet is the flags of one command, whose usage line names args and
// whose --help prints help.
type flagSet struct {
	*flag.FlagSet
	e     env
	usage bytes.Buffer // what fs.Usage printed
}

func (e env) flagSet(name, args, help string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet("cachetta "+name, flag.ContinueOnError), e: e}
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(&fs.usage, "usage: cachetta %s [flags] %s\n\n%s\n", name, args, help)
		fs.SetOutput(&fs.usage)
		if hasFlags(fs.FlagSet) {
			fmt.Fprintln(&fs.usage, "\nflags:")
			fs.PrintDefaults()
		}
		fs.SetOutput(e.stderr)
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parse parses the flags in args, before and after the positional
// arguments, and checks that between min and max of these (max < 0: any
// number) are left, which it returns: "ls DIR --json" means "ls --json DIR".
// After "--" every argument is positional, as a negative number must be.
// --help prints the usage to stdout and returns flag.ErrHelp; a bad flag
// or count prints it to stderr and returns errUsage.
func (fs *flagSet) parse(args []string, min, max int) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.e.stdout.Write(fs.usage.Bytes())
				return nil, err
			}
			fs.e.stderr.Write(fs.usage.Bytes())
			return nil, errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	if len(positional) < min || max >= 0 && len(positional) > max {
		fmt.Fprintf(fs.e.stderr, "%s: wrong number of arguments\n", fs.Name())
		fs.Usage()
		fs.e.stderr.Write(fs.usage.Bytes())
		return nil, errUsage
	}
	return positional, nil
}

// freshness adds the flags that judge freshness to fs.
func (fs *flagSet) freshness() (duration, stale *time.Duration) {
	duration = fs.Duration("duration", cachetta.DefaultDuration, "how long an entry stays fresh")
	stale = fs.Duration("stale", 0, "how long after that an expired entry may still be served")
	return duration, stale
}

// dirCache returns the directory cache at dir, which must be a directory and
// not a symbolic link, judging freshness by duration and stale. The library
// takes a link there for a file pattern in the link's directory, so a link
// is refused rather than followed.
func dirCache(dir string, duration, stale time.Duration) (*cachetta.Cachetta[json.RawMessage], error) {
	info, err := os.Lstat(dir)
	if err != nil {
		return nil, fmt.Errorf("cachetta: %w", err)
	}
	if info.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("cachetta: %s is a symbolic link; name the directory it leads to", dir)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("cachetta: %s is not a directory", dir)
	}
	return open(dir, duration, stale)
}

// open returns a cache at path, judging freshness by duration and stale.
// Its values stay the JSON text they are.
func open(path string, duration, stale time.Duration) (*cachetta.Cachetta[json.RawMessage], error) {
	return cachetta.New[json.RawMessage](path, cachetta.WithDuration(duration), cachetta.WithStaleDuration(stale))
}

// state names the freshness of an entry.
func state(info cachetta.Info) string {
	switch {
	case info.Stale:
		return "stale"
	case info.Expired:
		return "expired"
	}
	return "fresh"
}
