package redisstore

// The keys of a Store, for tests that reach behind it.
var (
	EntryKey = (*Store).entryKey
	LockKey  = (*Store).lockKey
)

// Prefix returns the start of every key of s.
func Prefix(s *Store) string { return s.prefix }
