package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cachetta-go/cachetta"
)

const keyHelp = `Print the file that a call with the arguments ARG... uses in the cache
NAME.json: NAME-<key>.json, with the key that cachetta in Go, Python and
JavaScript derives alike. Each ARG is one JSON value (42, 1.5, "text",
[1,2], {"a":1}), read as Python's json.loads reads it: numbers without '.'
or an exponent are integers, and a lone surrogate escape ("\ud800") stays
one. A string needs its JSON quotes, kept from the shell: '"text"'. With no
ARG it prints NAME.json. Put "--" before arguments that start with "-".`

func runKey(e env, args []string) error {
	fs := e.flagSet("key", "NAME.json [ARG...]", keyHelp)
	args, err := fs.parse(args, 1, -1)
	if err != nil {
		return err
	}
	if args[0] == "" {
		return errors.New("cachetta: key: NAME.json is empty")
	}
	values := make([]any, 0, len(args)-1)
	for _, arg := range args[1:] {
		v, err := parseArg(arg)
		if err != nil {
			return fmt.Errorf("cachetta: key: %w", err)
		}
		values = append(values, v)
	}
	c, err := open(args[0], cachetta.DefaultDuration, 0)
	if err != nil {
		return err
	}
	path, err := c.PathFor(values...)
	if errors.Is(err, cachetta.ErrArgs) {
		// Valid JSON that does not key: a number beyond a float's range, or
		// nesting deeper than the library goes. Name the argument.
		for i, v := range values {
			if _, err := cachetta.Key(v); err != nil {
				return fmt.Errorf("cachetta: key: %s cannot be keyed: %v", argName(i, args[i+1]), cause(err))
			}
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, quoteName(path))
	return nil
}

// parseArg returns the JSON value in arg for the key: its text, which the
// library reads as Python reads it. encoding/json would turn a lone
// surrogate escape into U+FFFD, and so key another file than Python does.
// An error says in the user's words what is wrong with arg, and what to
// type instead.
func parseArg(arg string) (json.RawMessage, error) {
	if !utf8.ValidString(arg) {
		return nil, fmt.Errorf("argument %s is not valid UTF-8, so not JSON", shellWord(arg))
	}
	if json.Valid([]byte(arg)) {
		return json.RawMessage(arg), nil
	}
	if list, n := jsonValues(arg); n > 1 {
		return nil, fmt.Errorf("argument %s is not one JSON value but %d; pass each as an argument of its own, or type %s for a list", shellWord(arg), n, shellWord(list))
	}
	// A word without quotes is most often meant as a string.
	var text bytes.Buffer
	enc := json.NewEncoder(&text)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(arg); err != nil {
		return nil, fmt.Errorf("argument %s is not JSON", shellWord(arg))
	}
	hint := "for the string, type " + shellWord(strings.TrimSuffix(text.String(), "\n"))
	if t := strings.TrimSpace(arg); t != "" && strings.IndexByte(`{["`, t[0]) >= 0 {
		return nil, fmt.Errorf("argument %s is not valid JSON: %s; %s", shellWord(arg), syntaxProblem(arg), hint)
	}
	return nil, fmt.Errorf("argument %s is not JSON; %s", shellWord(arg), hint)
}

// jsonValues returns how many JSON values follow one another in s, and a
// JSON list of them; n is 0 when s is not such a sequence.
func jsonValues(s string) (list string, n int) {
	dec := json.NewDecoder(strings.NewReader(s))
	var values []string
	for {
		var v json.RawMessage
		switch err := dec.Decode(&v); {
		case err == io.EOF:
			return "[" + strings.Join(values, ", ") + "]", len(values)
		case err != nil:
			return "", 0
		}
		values = append(values, string(v))
	}
}

// syntaxProblem says where the JSON text s, which is not valid, goes wrong.
func syntaxProblem(s string) string {
	var syntax *json.SyntaxError
	err := json.Unmarshal([]byte(s), new(any))
	if !errors.As(err, &syntax) || syntax.Offset <= 0 || syntax.Offset > int64(len(s)) || strings.HasPrefix(syntax.Error(), "unexpected end") {
		return "it ends too early"
	}
	// Offset counts the bytes read, the bad one included, except on Go
	// 1.26's experimental v2 engine (see offsetBeforeBadByte).
	bad := syntax.Offset - 1 + offsetBeforeBadByte
	if bad >= int64(len(s)) {
		return "it ends too early"
	}
	r, _ := utf8.DecodeRuneInString(s[bad:])
	return fmt.Sprintf("unexpected %s at byte %d", strconv.QuoteRune(r), bad+1)
}

// argName names the argument at index i, whose text is arg, in an error:
// by its text when short, by its position otherwise.
func argName(i int, arg string) string {
	if len(arg) <= 40 {
		return "argument " + shellWord(arg)
	}
	return fmt.Sprintf("argument %d", i+1)
}

// cause returns the innermost error that err wraps, the one that says what
// went wrong without the layers that say where.
func cause(err error) error {
	for {
		var next error
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			next = u.Unwrap()
		case interface{ Unwrap() []error }:
			if errs := u.Unwrap(); len(errs) > 0 {
				next = errs[len(errs)-1]
			}
		}
		if next == nil {
			return err
		}
		err = next
	}
}
