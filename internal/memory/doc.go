// Package memory holds what a cache keeps in its process's memory and
// looks up far more often than it changes: today, the memos of the paths
// that a wrapper's arguments, or its path function's results, resolve to.
// Values is keyed by a comparable key; Args by an argument's content, its
// data at every depth, so that an argument holding a slice, a map or a
// pointer is found again only while that data is unchanged. A lookup reads
// one immutable map, with no lock and no allocation; a memo is bounded, and
// forgets everything to make room rather than grow. It knows nothing of
// files, stores, JSON or the cache above it: which types have a meaning
// beyond their data is the caller's to say.
package memory
