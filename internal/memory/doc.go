// Package memory holds what a cache keeps in its process's memory, bounded:
//
//   - [Cache], a least-recently-used cache of values by key that holds
//     exactly its size and evicts the least recently used of the whole
//     cache, split into parts with a lock each so that hits of different
//     keys on different cores do not wait on one another;
//   - [Handle], a caller's lasting hold on one key of a Cache, which gets
//     its value with no hash and no lookup by key;
//   - the memos of what a wrapper's arguments, or its path function's
//     results, resolve to: [Values] by a comparable key, [Args] by an
//     argument's content, its data at every depth, so that an argument
//     holding a slice, a map or a pointer is found again only while that
//     data is unchanged, and [AnyArgs] by the types and content of a list
//     of arguments of any types. A lookup reads one immutable map, with no lock and
//     no allocation; a memo forgets everything to make room rather than
//     grow.
//
// Each is safe for concurrent use and calls no code of its caller's while
// it holds a lock. It knows nothing of files, stores, JSON or the cache
// above it: which types have a meaning beyond their data is the caller's
// to say.
package memory
