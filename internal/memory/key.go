package memory

import "hash/maphash"

// Key is a key of a Cache with its hash, which a caller that looks one key
// up often keeps, to spare the hash, as a Handle does. Make one with KeyOf:
// the zero Key is no string's.
type Key struct {
	s    string
	hash uint64
}

// seed is the seed of every Key's hash: a Key is valid in any Cache.
var seed = maphash.MakeSeed()

// KeyOf returns the Key of s.
func KeyOf(s string) Key {
	return Key{s, maphash.String(seed, s)}
}

// String returns the string of k.
func (k Key) String() string { return k.s }
