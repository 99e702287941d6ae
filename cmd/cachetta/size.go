package main

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// sizeUnits are the units parseSize takes, by their lower-case spelling:
// decimal SI units in powers of 1000, binary IEC units in powers of 1024,
// each with or without its final B.
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "ki": 1 << 10, "kib": 1 << 10,
	"m": 1e6, "mb": 1e6, "mi": 1 << 20, "mib": 1 << 20,
	"g": 1e9, "gb": 1e9, "gi": 1 << 30, "gib": 1 << 30,
	"t": 1e12, "tb": 1e12, "ti": 1 << 40, "tib": 1 << 40,
	"p": 1e15, "pb": 1e15, "pi": 1 << 50, "pib": 1 << 50,
	"e": 1e18, "eb": 1e18, "ei": 1 << 60, "eib": 1 << 60,
}

// errSize explains what a size looks like.
var errSize = errors.New("want a size such as 1048576, 500MB or 1.5GiB (kB, MB, GB, TB: powers of 1000; KiB, MiB, GiB, TiB: powers of 1024)")

// parseSize returns the number of bytes s names: a decimal number, with or
// without a fraction, then, with or without a space between, an optional
// unit of sizeUnits in any case (10MB, 1.5GiB, 4096, 64 KiB). A fraction of
// a byte is dropped.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && ('0' <= s[end] && s[end] <= '9' || s[end] == '.') {
		end++
	}
	number, unit := s[:end], strings.ToLower(strings.TrimSpace(s[end:]))
	if len(s) > 1 && s[0] == '-' && ('0' <= s[1] && s[1] <= '9' || s[1] == '.') {
		return 0, errors.New("must not be negative")
	}
	mult, ok := sizeUnits[unit]
	whole, frac, _ := strings.Cut(number, ".")
	if !ok || whole == "" && frac == "" || strings.Contains(frac, ".") {
		return 0, errSize
	}
	// Exact arithmetic, so that 1.1GB is 1100000000 bytes and not one less.
	n, ok := new(big.Rat).SetString(whole + "." + frac + "0")
	if !ok {
		return 0, errSize
	}
	n.Mul(n, new(big.Rat).SetInt64(mult))
	bytes := new(big.Int).Quo(n.Num(), n.Denom())
	if !bytes.IsInt64() {
		return 0, fmt.Errorf("more than %d bytes", int64(math.MaxInt64))
	}
	return bytes.Int64(), nil
}

// formatSize returns n bytes in the one style the command prints sizes in:
// binary IEC units, below 1024 as bytes ("512 B") and above with one
// decimal in the largest unit that keeps the number at least 1 ("1.5 KiB",
// "10.0 MiB"). parseSize reads it back, rounded.
func formatSize(n int64) string {
	const units = "KMGTPE"
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v := float64(n) / 1024
	i := 0
	// Past 1023.95 the number would round to 1024.0: the next unit shows it.
	for v >= 1023.95 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + units[i:i+1] + "iB"
}

// sizeFlag is a flag.Value holding a size that parseSize reads.
type sizeFlag int64

func (f *sizeFlag) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	*f = sizeFlag(n)
	return nil
}

func (f *sizeFlag) String() string {
	if f == nil || *f == 0 {
		return "0"
	}
	return formatSize(int64(*f))
}
