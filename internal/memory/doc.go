// Package memory holds what a cache keeps in its process's memory, bounded:
//
//   - [Cache], a least-recently-used cache of values by key that holds
//     exactly its size and evicts the least recently used of the whole
//     cache, split into parts with a lock each so that hits of different
//     keys on different cores do not wait on one another;
//   - [Handle], a caller's lasting hold on one key of a Cache, which gets
//     its value with no hash and no lookup by key;
//   - [Values], a memo, such as the handles that a wrapper's arguments
//     resolve to, read from one immutable map with no lock and no
//     allocation, which forgets everything to make room rather than grow.
//
// Each is safe for concurrent use and calls no code of its caller's while
// it holds a lock. It knows nothing of files, stores or the cache above it.
package memory
