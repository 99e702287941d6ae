// Command cachetta inspects and tidies the files of cachetta caches: it lists
// entries with their size and age, shows one entry, prints the file that a
// call with given arguments uses, and prunes or clears a cache directory.
//
// Usage:
//
//	cachetta ls [--json] [--duration D [--stale D]] DIR
//	cachetta stat [--duration D [--stale D]] FILE
//	cachetta key NAME.json [ARG...]
//	cachetta prune [--dry-run] [--duration D] [--stale D] [--max-bytes N] [--max-entries N] DIR
//	cachetta clear [--yes] DIR
//
// DIR is taken for a directory cache, as cachetta.New(DIR) makes one: its
// entries are the regular .json files below it that are not hidden, whichever
// program of the family wrote them (see cachetta.Cachetta.Entries). Each command takes --help.
//
// The files do not record for how long they are fresh, so ls and stat call
// an entry fresh, stale or expired only when given the --duration (and
// --stale) of the cache that wrote it. Sizes print in binary units (512 B,
// 1.5 KiB, 10.0 MiB: powers of 1024, one decimal); --max-bytes takes these
// and decimal ones (500MB, 1.5GiB, 1048576). key reads each ARG as Python's
// json.loads does, so that it names the file Python's cachetta names.
//
// Names from the disk are printed unchanged when they hold only printable
// characters and no single quote, and otherwise quoted as a POSIX shell
// reads them back, in the shell-escape style of GNU ls, so that no name can
// drive the terminal or forge a line of the output. The name a, newline, b
// prints as
//
//	'a'$'\n''b'
//
// ls --json prints names as JSON strings instead. clear asks before
// removing unless given --yes, and refuses when stdin is not a terminal.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/signal"
	"time"

	"github.com/cachetta-go/cachetta"
)

const usage = `usage: cachetta <command> [flags] [arguments]

commands:
  ls [--json] DIR            list the entries below DIR with size and age
  stat FILE                  show one entry's size, age and JSON value
  key NAME.json [ARG...]     print the file a call with these JSON arguments uses
  prune [--dry-run] [--duration D] [--stale D] [--max-bytes N] [--max-entries N] DIR
                             remove leftover temporary and lock files below DIR,
                             expired entries, and the oldest beyond the bounds
  clear [--yes] DIR          remove every entry below DIR, and its temporary and lock files

DIR is taken for a directory cache: every regular .json file below it that is
not hidden is an entry, whether Go's, Python's or JavaScript's cachetta wrote
it; other files are left alone. The files do not record for how long they
are fresh: ls and stat show an entry's state (fresh, stale or expired) only
when given --duration, and --stale, those of the cache that wrote it. Sizes
print in binary units (1 KiB = 1024 bytes); --max-bytes takes 500MB or
1.5GiB. Names holding control characters print quoted as a shell reads them
('a'$'\n''b'). Run "cachetta <command> --help" for a command's flags.
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
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		fmt.Fprintf(stderr, "cachetta: %s: interrupted\n", args[0])
		return exitFailure
	default:
		// The library's errors may hold a path as the disk spells it.
		fmt.Fprintln(stderr, escapeControl(err.Error()))
		return exitFailure
	}
}

// flagSet is the flags of one command, whose usage line names args and
// whose --help prints help.
type flagSet struct {
	*flag.FlagSet
	e       env
	command string       // the command's name: ls, stat...
	usage   bytes.Buffer // what fs.Usage printed
}

func (e env) flagSet(name, args, help string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet("cachetta "+name, flag.ContinueOnError), e: e, command: name}
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

// judgement is how ls and stat judge the freshness of entries: by the
// --duration and --stale of the cache that wrote them. The files do not
// record these, so without --duration no entry is called fresh or expired.
type judgement struct {
	duration, stale time.Duration
	judged          bool // --duration was given
}

// freshness adds the flags that judge freshness to fs.
func (fs *flagSet) freshness() *judgement {
	j := &judgement{}
	fs.DurationVar(&j.duration, "duration", 0, "show each entry's state (fresh, stale or expired), judged as a cache whose entries stay fresh this long")
	fs.DurationVar(&j.stale, "stale", 0, "with --duration, how long past it an expired entry is still served, and shown stale")
	return j
}

// check reads from the parsed fs whether --duration was given, and returns
// an error for a judgement that cannot be made.
func (j *judgement) check(fs *flagSet) error {
	stale := false
	fs.Visit(func(f *flag.Flag) {
		j.judged = j.judged || f.Name == "duration"
		stale = stale || f.Name == "stale"
	})
	switch {
	case stale && !j.judged:
		return fmt.Errorf("cachetta: %s: --stale needs --duration, the time an entry stays fresh", fs.command)
	case j.judged && j.duration <= 0:
		return fmt.Errorf("cachetta: %s: --duration must be positive, got %v", fs.command, j.duration)
	case j.stale < 0:
		return fmt.Errorf("cachetta: %s: --stale must not be negative, got %v", fs.command, j.stale)
	case j.stale > math.MaxInt64-j.duration:
		return fmt.Errorf("cachetta: %s: --duration %v plus --stale %v is too long", fs.command, j.duration, j.stale)
	}
	return nil
}

// durations returns the durations of a cache that judges as j. Without a
// judgement they are the package's defaults, which then nothing shows.
func (j *judgement) durations() (duration, stale time.Duration) {
	if !j.judged {
		return cachetta.DefaultDuration, 0
	}
	return j.duration, j.stale
}

// state names the freshness of an entry, or is empty without a judgement.
func (j *judgement) state(info cachetta.Info) string {
	switch {
	case !j.judged:
		return ""
	case info.Stale:
		return "stale"
	case info.Expired:
		return "expired"
	}
	return "fresh"
}

// dirCache returns the directory cache at dir, which must be a directory and
// not a symbolic link, judging freshness by duration and stale; command
// names the command in errors. The library takes a link there for a file
// pattern in the link's directory, so a link is refused rather than
// followed.
func dirCache(command, dir string, duration, stale time.Duration) (*cachetta.Cachetta[json.RawMessage], error) {
	info, err := os.Lstat(dir)
	if err != nil {
		return nil, pathError(command, dir, err)
	}
	if info.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("cachetta: %s %s: is a symbolic link; name the directory it leads to", command, quoteName(dir))
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("cachetta: %s %s: is %s, not a directory; %s takes a cache directory (stat shows one entry's file)", command, quoteName(dir), fileKind(info.Mode()), command)
	}
	return open(dir, duration, stale)
}

// pathError returns err, from a look at path by command, in the words of
// the command: its name and the quoted path, not those of the system call.
func pathError(command, path string, err error) error {
	// errors.AsType would need Go 1.26; the module asks for 1.25.
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("cachetta: %s %s: %w", command, quoteName(path), err)
}

// fileKind names the kind of file of mode, for errors.
func fileKind(mode fs.FileMode) string {
	switch {
	case mode.IsRegular():
		return "a file"
	case mode.IsDir():
		return "a directory"
	case mode&fs.ModeSymlink != 0:
		return "a symbolic link"
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// open returns a cache at path, judging freshness by duration and stale.
// Its values stay the JSON text they are.
func open(path string, duration, stale time.Duration) (*cachetta.Cachetta[json.RawMessage], error) {
	return cachetta.New[json.RawMessage](path, cachetta.WithDuration(duration), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: stale}))
}
