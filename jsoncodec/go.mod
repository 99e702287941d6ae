module github.com/cachetta-go/cachetta/jsoncodec

go 1.25.0

// The tests import github.com/cachetta-go/cachetta; inside this repository
// the workspace in ../go.work replaces the version below by the parent
// directory, and everywhere else the version is what a user gets.
require (
	github.com/cachetta-go/cachetta v0.1.0
	github.com/goccy/go-json v0.12.0
)
