package main

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// quoteName returns name as the human-readable output of the command shows
// it: unchanged when it holds only printable characters and no single
// quote, otherwise quoted as a POSIX shell reads it (see shellQuote). A name
// is text from the disk, and a raw control character in it could move the
// cursor, retitle or clear the terminal, or, as a newline, forge a line of
// the output. A quoted form always holds a single quote and a plain name
// never does, so no plain name reads as the quoted form of another.
func quoteName(name string) string {
	if strings.ContainsRune(name, '\'') || !printable(name) {
		return shellQuote(name)
	}
	return name
}

// shellWord returns s as one word to type in a POSIX shell: unchanged when
// it is made of letters, digits and _@%+=:,./- only, quoted otherwise.
func shellWord(s string) string {
	safe := s != ""
	for i := 0; i < len(s) && safe; i++ {
		c := s[i]
		safe = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_@%+=:,./-", c) >= 0
	}
	if safe {
		return s
	}
	return shellQuote(s)
}

// printable reports whether s is valid UTF-8 of printable characters only,
// as strconv.IsPrint judges them: letters, marks, numbers, punctuation,
// symbols and the ASCII space.
func printable(s string) bool {
	for i := 0; i < len(s); {
		n := printableAt(s, i)
		if n == 0 {
			return false
		}
		i += n
	}
	return true
}

// shellQuote returns s quoted as GNU ls's shell-escape style quotes it, so
// that bash, zsh and ksh read it back byte for byte: runs of printable
// characters inside '...', a single quote as \', and runs of other bytes
// inside $'...' as C escapes (\a \b \t \n \v \f \r) or three octal digits
// (ESC as \033, DEL as \177, each byte of invalid UTF-8 or of a
// non-printable character on its own). The name a, newline, b becomes
//
//	'a'$'\n''b'
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		switch start := i; {
		case s[i] == '\'':
			b.WriteString(`\'`)
			i++
		case printableAt(s, i) > 0:
			for n := printableAt(s, i); n > 0 && s[i] != '\''; n = printableAt(s, i) {
				i += n
			}
			b.WriteString("'" + s[start:i] + "'")
		default:
			b.WriteString("$'")
			for i < len(s) && s[i] != '\'' && printableAt(s, i) == 0 {
				_, size := utf8.DecodeRuneInString(s[i:])
				for _, c := range []byte(s[i : i+size]) {
					b.WriteString(cEscape(c))
				}
				i += size
			}
			b.WriteString("'")
		}
	}
	return b.String()
}

// printableAt returns the length of the character at s[i] when it is a
// printable one, and 0 otherwise or at the end of s.
func printableAt(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size == 1 || !strconv.IsPrint(r) {
		return 0
	}
	return size
}

// cEscape returns the escape of byte c inside $'...'.
func cEscape(c byte) string {
	switch c {
	case '\a':
		return `\a`
	case '\b':
		return `\b`
	case '\t':
		return `\t`
	case '\n':
		return `\n`
	case '\v':
		return `\v`
	case '\f':
		return `\f`
	case '\r':
		return `\r`
	}
	return `\` + string([]byte{'0' + c>>6, '0' + c>>3&7, '0' + c&7})
}

// escapeControl returns s with each character that is not printable, and
// each byte of invalid UTF-8, written as a Go escape (\n, \x1b, \u202e).
// It is the last guard for text the command did not quote, such as an
// error of the library that holds a path: nothing raw reaches the terminal.
func escapeControl(s string) string {
	if printable(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if n := printableAt(s, i); n > 0 {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		q := strconv.Quote(s[i : i+size])
		b.WriteString(q[1 : len(q)-1])
		i += size
	}
	return b.String()
}
