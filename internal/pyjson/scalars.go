package pyjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// appendNumberText appends a JSON number as Python reads and rewrites it: a
// float when it has '.', 'e' or 'E', an int otherwise.
func appendNumberText(dst []byte, s string) ([]byte, error) {
	// A JSON value that starts with '-' or a digit is a number, and one that
	// ends in a digit has no trailing space.
	if s == "" || !json.Valid([]byte(s)) || s[0] != '-' && !isDigit(s[0]) || !isDigit(s[len(s)-1]) {
		return dst, fmt.Errorf("invalid number %q", s)
	}
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return dst, fmt.Errorf("number %q: %w", s, err)
		}
		return appendPyFloat(dst, f, 64)
	}
	if s == "-0" {
		s = "0"
	}
	return append(dst, s...), nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// appendPyFloat appends f as Python's repr writes it: the shortest digits that
// read back to f, in positional notation for exponents -4 to 15 with at least
// one digit after the point, in scientific notation with a two-digit
// exponent otherwise.
func appendPyFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, fmt.Errorf("unsupported float %v", f)
	}
	var scratch [32]byte
	sci := strconv.AppendFloat(scratch[:0], f, 'e', -1, bits)
	exp, _ := strconv.Atoi(string(sci[bytes.IndexByte(sci, 'e')+1:]))
	if exp < -4 || exp >= 16 {
		return append(dst, sci...), nil
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', -1, bits)
	if bytes.IndexByte(dst[start:], '.') < 0 {
		dst = append(dst, ".0"...)
	}
	return dst, nil
}

// appendPyString appends s quoted as Python's json.dumps writes it with
// ensure_ascii: printable ASCII as is, everything else escaped, characters
// beyond the BMP as surrogate pairs.
func (w writer) appendPyString(dst []byte, s string) ([]byte, error) {
	return w.appendPyText(dst, s, false)
}

// appendPyText is appendPyString for a string that may hold lone
// surrogates, as readJSON keeps them, when surrogates is set; Python writes
// one as a \u escape of its own. Outside a key, a byte that is not UTF-8 is
// written as U+FFFD.
func (w writer) appendPyText(dst []byte, s string, surrogates bool) ([]byte, error) {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				if c < 0x20 || c == 0x7f {
					dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
				} else {
					dst = append(dst, c)
				}
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			if r, size = surrogateAt(s, i); !surrogates || size == 0 {
				if w.key {
					return dst, fmt.Errorf("string %q is not valid UTF-8", s)
				}
				r, size = utf8.RuneError, 1
			}
		}
		i += size
		units := [2]rune{r}
		n := 1
		if r > 0xffff {
			units[0], units[1] = utf16.EncodeRune(r)
			n = 2
		}
		for _, u := range units[:n] {
			dst = append(dst, '\\', 'u', hexDigits[u>>12&0xf], hexDigits[u>>8&0xf], hexDigits[u>>4&0xf], hexDigits[u&0xf])
		}
	}
	return append(dst, '"'), nil
}
