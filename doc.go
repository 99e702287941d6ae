// Package cachetta is a file-backed JSON cache for Go values and a memoizer
// for expensive functions. It is the Go member of the Cachetta packages:
// Python's and JavaScript's cachetta read the same files, and for the same
// arguments this package names the same files as Python's cachetta, byte for
// byte.
//
//	forecasts, err := cachetta.New[Forecast]("cache/forecast.json",
//		cachetta.WithDuration(10*time.Minute))
//	if err != nil {
//		return err
//	}
//	forecast := cachetta.Wrap1(forecasts, fetchForecast) // fetchForecast(ctx, city) (Forecast, error)
//	f, err := forecast(ctx, "Lisbon")                    // runs fetchForecast at most once in 10 minutes per city
//	err = forecasts.Invalidate(ctx, "Lisbon")            // drops what forecast(ctx, "Lisbon") wrote
//	f, ok, err := forecasts.Read(ctx, "Lisbon")          // Read, Write, Info use the same files
//
// # Files
//
// An entry is one file holding exactly the JSON encoding of its value, with
// no envelope, no HTML escaping and no trailing newline, so any JSON reader
// can use it. A call without arguments uses the cache's path; a call with
// arguments uses the path with "-" and [Key] of the arguments inserted before
// the extension (cache/forecast-<16 hex digits>.json), the file Python's
// cachetta uses for the same call. Writes go to a temporary file in the same
// directory that is renamed over the target: readers in this and other
// processes see the old value or the new one, never a torn one. Nothing is
// fsynced unless [Files] says Sync. Reads refuse anything but a regular
// file (a planted named pipe never blocks them) and read no more than the
// size the file had when opened, nor more than [Files].ReadLimit.
// [WithRoot] confines every path to one directory.
//
// # Freshness
//
// An entry is fresh while now - mtime < duration, where mtime is its file's
// modification time and duration is set by [WithDuration]; an mtime in the
// future counts as fresh. Nothing else is stored: the file is the whole
// state. A missing, expired or undecodable file is a miss, never an error;
// errors are reserved for I/O failures a caller can act on, bad arguments
// ([ErrArgs]) and a done context. A stored JSON null is a hit holding the
// zero value, where Python's cachetta runs the function again for a cached
// None. [WithRefresh] serves entries past their duration while they are
// refreshed, or when the function fails.
//
// # Concurrency
//
// A *Cachetta is immutable after New and safe for use by any number of
// goroutines. [Cachetta.Join] and [Cachetta.With] return copies that share
// the counters, the bookkeeping of runs and background refreshes, and the
// in-memory LRU (unless With changes its size or root) with the original. Concurrent calls of a wrapped function that
// resolve to one file share one run of the function; a caller whose context
// is done leaves at once, and the run is cancelled when no caller waits for
// it any more. [Cachetta.Wait] waits for runs and background refreshes.
//
// Values are shared, not copied: every hit of one memory entry returns the
// value that entry holds, and concurrent reads of one unchanged file share
// one read and decode, so its readers receive one value too. Treat values
// from the cache as read-only, or copy them before changing them. A memory
// entry is always decoded from the file's bytes, also when a write filled
// it: it is never the value passed to Write or returned by a wrapped
// function, which stays the caller's own.
//
// # Processes
//
// Processes sharing a directory also share runs: a wrapped function that
// misses runs under a lock of its entry, so that one process runs it and the
// others read its file, and an Invalidate in any process keeps the result
// of a run that began before it off the disk. The locks are byte ranges of
// one hidden file per directory, .cachetta-lock, which nothing removes; they
// die with their process (see [WithProcessLock]). Hits take no lock. Python's
// and JavaScript's cachetta share the files but not the runs. [WithStore]
// moves the entries to Redis or object storage, for processes on several
// machines.
//
// # Packages
//
//	cachetta                caches, options, wrappers, Entries, Prune, Clear, Stats
//	cachetta/cmd/cachetta   the command: ls, stat, key, prune, clear
//	cachetta/jsoncodec      a faster Codec on goccy/go-json (a module of its own)
//	cachetta/redisstore     a Store and Locker on Redis (a module of its own)
//	cachetta/blobstore      a Store on S3, GCS, Azure Blob (a module of its own)
//	cachetta/storetest      the contract suite every Store passes
//	cachetta/examples/...   programs that show one feature each
//	internal/storage        the seam between policy and bytes: Meta, Commit, RunLock, Found
//	internal/disk           the local backend: entries as files, their locks and walks
//	internal/fsx            file I/O on hostile ground: os.Root, bounded reads, temp-and-rename
//	internal/lockfile       the lock file through which processes coordinate
//	internal/fswatch        wakes a waiter when another process writes its entry
//	internal/flight         one run of a wrapped function for its concurrent callers
//	internal/memory         the LRU of decoded entries, handles on its keys, the argument memos
//	internal/pyjson         Python's json.dumps spelling, for keys and PythonJSON
//	internal/stdjson        encoding/json (v1, or v2 on Go 1.27) behind JSON
//
// The root holds the API and the policy; every storage operation goes
// through one unexported seam to internal/disk or to a Store, and no
// internal package imports the root (see ARCHITECTURE.md).
//
// The README is the guide; the reference beyond this package's
// documentation is in docs/: [semantics] (freshness, reads, writes, keys,
// wrapping, memory, refresh, confinement, codecs), [processes], [pruning]
// (Entries, Prune, Clear and the disk budget), [stores], [operating]
// (Stats, events, logs), [the command] and [performance].
//
// [semantics]: https://github.com/cachetta-go/cachetta/blob/main/docs/semantics.md
// [processes]: https://github.com/cachetta-go/cachetta/blob/main/docs/processes.md
// [pruning]: https://github.com/cachetta-go/cachetta/blob/main/docs/pruning.md
// [stores]: https://github.com/cachetta-go/cachetta/blob/main/docs/stores.md
// [operating]: https://github.com/cachetta-go/cachetta/blob/main/docs/operating.md
// [the command]: https://github.com/cachetta-go/cachetta/blob/main/docs/cli.md
// [performance]: https://github.com/cachetta-go/cachetta/blob/main/docs/performance.md
package cachetta
