package redisstore

import "strings"

// The keys of an entry are derived from its name here and nowhere else.
//
// Every key of the entry name is prefix + "{" + tag + "}" + kind + ":" +
// name, where tag is the 8 lower-case hex digits of the 32-bit FNV-1a hash
// of name's bytes and kind is 'e' for the value, 'l' for the lock. Redis
// Cluster hashes only what lies between the first "{" and the first "}"
// after it, so every key of one entry falls in one slot, which a script
// over the entry's value and lock needs, while the names' hashes spread
// the entries over all slots. The tag is a hash rather than the name
// itself because a name may hold braces: one that starts with "}" would
// leave the braces empty, and then Redis hashes the whole key, which
// differs between the value and the lock. The tag comes before the kind,
// so that even a brace in the prefix could not put the kinds in different
// slots; New refuses braces in the prefix all the same, since a tag in the
// prefix would put every key of the store in one slot.

// tagLen is the length of a tag in hex digits.
const tagLen = 8

// tagOf returns the tag of the entry name: the 32-bit FNV-1a hash of its
// bytes in hex, computed here rather than with hash/fnv so that building a
// key allocates nothing but the key.
func tagOf(name string) [tagLen]byte {
	const hexDigits = "0123456789abcdef"
	h := uint32(2166136261)
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= 16777619
	}
	var t [tagLen]byte
	for i := range t {
		t[i] = hexDigits[h>>(28-4*i)&0xf]
	}
	return t
}

// key returns the key of kind ('e' or 'l') of the entry name, whose tag is
// tag.
func (s *Store) key(tag [tagLen]byte, kind byte, name string) string {
	var b strings.Builder
	b.Grow(len(s.prefix) + len("{}e:") + tagLen + len(name))
	b.WriteString(s.prefix)
	b.WriteByte('{')
	b.Write(tag[:])
	b.WriteByte('}')
	b.WriteByte(kind)
	b.WriteByte(':')
	b.WriteString(name)
	return b.String()
}

// entryKey is the Redis key of the entry name.
func (s *Store) entryKey(name string) string { return s.key(tagOf(name), 'e', name) }

// lockKey is the Redis key of the lock of name, of a kind of its own so
// that no entry name can collide with it and List never meets it.
func (s *Store) lockKey(name string) string { return s.key(tagOf(name), 'l', name) }

// entryKeys returns the KEYS of a script on the entry name, both in one
// slot: its value's key, then its lock's.
func (s *Store) entryKeys(name string) []string {
	tag := tagOf(name)
	return []string{s.key(tag, 'e', name), s.key(tag, 'l', name)}
}

// entryPattern is the SCAN MATCH pattern of the entries whose names start
// with prefix: "?" for each digit of the tag, so that a name holding "}e:"
// cannot shift where the name begins.
func (s *Store) entryPattern(prefix string) string {
	return escapeGlob(s.prefix) + "{" + strings.Repeat("?", tagLen) + "}e:" + escapeGlob(prefix) + "*"
}

// entryName returns the name of the entry whose key, matched by
// entryPattern, is key, and false when the key's tag is not its name's: a
// key no Save wrote, which no Load or Delete of that name would reach.
func (s *Store) entryName(key string) (string, bool) {
	start := len(s.prefix) + len("{}e:") + tagLen
	if len(key) < start || !strings.HasPrefix(key, s.prefix) {
		return "", false
	}
	name := key[start:]
	tag := tagOf(name)
	return name, key[len(s.prefix)+1:len(s.prefix)+1+tagLen] == string(tag[:])
}

// escapeGlob makes s match itself literally in a SCAN MATCH pattern, whose
// special characters are * ? [ and the backslash that escapes them.
func escapeGlob(s string) string {
	if !strings.ContainsAny(s, `*?[]\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
