module github.com/cachetta-go/cachetta/bench/otter

go 1.25.0

// Only these benchmarks need otter, so the root module never depends on it.
// Inside this repository the workspace in ../../go.work replaces the version
// of github.com/cachetta-go/cachetta below by the repository's root.
require (
	github.com/cachetta-go/cachetta v0.1.0
	github.com/maypok86/otter/v2 v2.4.0
)
