module github.com/cachetta-go/cachetta/bench/otter

go 1.25.0

// The benchmarks also import github.com/cachetta-go/cachetta, which the
// workspace in ../../go.work provides from the repository's root; only they
// need otter, so the root module never depends on it.
require github.com/maypok86/otter/v2 v2.4.0
