// Package memory holds what a cache keeps in its process's memory and
// looks up far more often than it changes: today, Values, the memo of the
// paths that a wrapper's arguments, or its path function's results,
// resolve to. A lookup reads one immutable map, with no lock and no
// allocation; the memo is bounded, and forgets everything to make room
// rather than grow. It knows nothing of files, stores or the cache above
// it.
package memory
