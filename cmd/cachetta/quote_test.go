package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cachetta-go/cachetta"
)

func TestQuoteName(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "users/1.json", "users/1.json"},
		{"space", "a b.json", "a b.json"},
		{"letters beyond ASCII", "café/été.json", "café/été.json"},
		{"shell characters", `$HOME\*.json`, `$HOME\*.json`},
		{"ESC and BEL of a title sequence", "a\x1b]0;owned\ab.json", `'a'$'\033'']0;owned'$'\a''b.json'`},
		{"BEL alone", "\a", `$'\a'`},
		{"newline", "a\nb", `'a'$'\n''b'`},
		{"tab", "a\tb", `'a'$'\t''b'`},
		{"carriage return", "ok\r", `'ok'$'\r'`},
		{"DEL", "del\x7f.json", `'del'$'\177''.json'`},
		{"invalid UTF-8", "bad\xff\xfe.json", `'bad'$'\377\376''.json'`},
		{"a single quote", "it's.json", `'it'\''s.json'`},
		{"right-to-left override", "a\u202eb", `'a'$'\342\200\256''b'`},
		{"no-break space", "a\u00a0b", `'a'$'\302\240''b'`},
	}
	bash, _ := exec.LookPath("bash")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := quoteName(tt.in)
			if got != tt.want {
				t.Fatalf("quoteName(%q) = %q; want %q", tt.in, got, tt.want)
			}
			if !printable(got) {
				t.Errorf("quoteName(%q) = %q holds what is not printable", tt.in, got)
			}
			if got == tt.in || bash == "" {
				return
			}
			// The quoted form must read back as the name, byte for byte.
			out, err := exec.CommandContext(t.Context(), bash, "-c", "printf %s "+got).Output()
			if err != nil || string(out) != tt.in {
				t.Errorf("bash read quoteName(%q) = %s back as %q, %v", tt.in, got, out, err)
			}
		})
	}
}

func TestShellWord(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", "hello"},
		{"user.json", "user.json"},
		{"-1.5e3", "-1.5e3"},
		{`"hello"`, `'"hello"'`},
		{"1 2", "'1 2'"},
		{"", "''"},
		{"it's", `'it'\''s'`},
		{"{", "'{'"},
	}
	for _, tt := range tests {
		if got := shellWord(tt.in); got != tt.want {
			t.Errorf("shellWord(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestEscapeControl(t *testing.T) {
	tests := []struct{ in, want string }{
		{"cachetta: prune /a: permission denied", "cachetta: prune /a: permission denied"},
		{"cachetta: prune /a\x1b[2J: denied", `cachetta: prune /a\x1b[2J: denied`},
		{"x\ny\xff\u202e", `x\ny\xff\u202e`},
	}
	for _, tt := range tests {
		if got := escapeControl(tt.in); got != tt.want {
			t.Errorf("escapeControl(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// hostileName is an entry name and the form in which the command prints it.
type hostileName struct{ name, quoted string }

// hostileNames are entry names that, printed raw, would drive a terminal
// or forge a line of the output, with the quoted forms the command prints.
var hostileNames = []hostileName{
	{"title\x1b]0;owned\a.json", `'title'$'\033'']0;owned'$'\a''.json'`},
	{"bell\a.json", `'bell'$'\a''.json'`},
	{"two\nlines.json", `'two'$'\n''lines.json'`},
	{"tab\t.json", `'tab'$'\t''.json'`},
	{"del\x7f.json", `'del'$'\177''.json'`},
	{"bad\xff.json", `'bad'$'\377''.json'`},
	{"plain.json", "plain.json"},
}

// writeEntry writes value as the entry name below the directory cache dir,
// through the library so that it is an entry whatever marks one, and makes
// it age old.
func writeEntry(t *testing.T, dir, name, value string, age time.Duration) bool {
	t.Helper()
	c, err := cachetta.New[json.RawMessage](dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Join(name).Write(t.Context(), json.RawMessage(value)); err != nil {
		if !utf8.ValidString(name) {
			return false // a file system that takes only UTF-8 names
		}
		t.Fatal(err)
	}
	when := time.Now().Add(-age)
	if err := os.Chtimes(filepath.Join(dir, name), when, when); err != nil {
		t.Fatal(err)
	}
	return true
}

// TestNamesAreQuoted runs every command that prints names over entries
// whose names hold control characters and invalid UTF-8: the output must
// hold each name quoted, and no byte that is not printable but the
// newlines that end its lines.
func TestNamesAreQuoted(t *testing.T) {
	dir := t.TempDir()
	var written []hostileName
	var quoted []string
	for _, n := range hostileNames {
		if writeEntry(t, dir, n.name, "1", 2*time.Hour) {
			written = append(written, n)
			quoted = append(quoted, n.quoted)
		}
	}
	clean := func(t *testing.T, args []string, out string) {
		t.Helper()
		for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if !printable(line) {
				t.Errorf("cachetta %q printed line %d %q, which is not printable", args, i+1, line)
			}
		}
	}
	// The quoted form of a path below dir, which needs no quotes.
	full := func(q string) string {
		if strings.HasPrefix(q, "'") {
			return "'" + dir + string(filepath.Separator) + q[1:]
		}
		return dir + string(filepath.Separator) + q
	}
	tests := []struct {
		name   string
		args   []string
		quoted func(string) string // from the quoted name to what is printed
		lines  int                 // of stdout
	}{
		{"ls", []string{"ls", dir}, func(q string) string { return "  " + q + "\n" }, len(quoted) + 2},
		{"ls judged", []string{"ls", "--duration", "1h", dir}, func(q string) string { return "  " + q + "\n" }, len(quoted) + 2},
		{"prune --dry-run", []string{"prune", "--dry-run", "--duration", "1h", dir}, func(q string) string { return "would remove " + full(q) + "\n" }, len(quoted)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := command(t, "", tt.args...)
			if r.code != 0 {
				t.Fatalf("cachetta %q = %d, %q", tt.args, r.code, r.stderr)
			}
			clean(t, tt.args, r.stdout)
			for _, q := range quoted {
				if want := tt.quoted(q); !strings.Contains(r.stdout, want) {
					t.Errorf("cachetta %q printed %q; want it to hold %q", tt.args, r.stdout, want)
				}
			}
			if n := strings.Count(r.stdout, "\n"); n != tt.lines {
				t.Errorf("cachetta %q printed %d lines; want %d (a name forged a line)\n%s", tt.args, n, tt.lines, r.stdout)
			}
		})
	}
	t.Run("stat", func(t *testing.T) {
		for _, n := range written {
			args := []string{"stat", filepath.Join(dir, n.name)}
			r := command(t, "", args...)
			if want := "path:     " + full(n.quoted) + "\n"; r.code != 0 || !strings.HasPrefix(r.stdout, want) {
				t.Errorf("cachetta %q = %d, %q, %q; want it to start with %q", args, r.code, r.stdout, r.stderr, want)
			}
			clean(t, args, r.stdout)
		}
	})
	t.Run("ls --json", func(t *testing.T) {
		r := command(t, "", "ls", "--json", dir)
		var got []lsEntry
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("ls --json = %q: %v", r.stdout, err)
		}
		paths := map[string]bool{}
		for _, e := range got {
			paths[e.Path] = true
		}
		for _, n := range hostileNames {
			if p := filepath.Join(dir, n.name); utf8.ValidString(p) && !paths[p] {
				t.Errorf("ls --json = %q; want the path %q as it is", r.stdout, p)
			}
		}
	})
	t.Run("prune", func(t *testing.T) {
		args := []string{"prune", "--duration", "1h", dir}
		r := command(t, "", args...)
		clean(t, args, r.stdout)
		for _, q := range quoted {
			if want := full(q) + "\n"; !strings.Contains(r.stdout, want) {
				t.Errorf("cachetta %q printed %q; want it to hold %q", args, r.stdout, want)
			}
		}
	})
	t.Run("clear", func(t *testing.T) {
		for _, n := range written {
			writeEntry(t, dir, n.name, "2", 0)
		}
		args := []string{"clear", "--yes", dir}
		r := command(t, "", args...)
		clean(t, args, r.stdout)
		for _, q := range quoted {
			if want := full(q) + "\n"; !strings.Contains(r.stdout, want) {
				t.Errorf("cachetta %q printed %q; want it to hold %q", args, r.stdout, want)
			}
		}
	})
}
