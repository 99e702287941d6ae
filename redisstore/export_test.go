package redisstore

// The keys of a Store, for tests that reach behind it.
var (
	EntryKey = (*Store).entryKey
	LockKey  = (*Store).lockKey
)
