module github.com/cachetta-go/cachetta/jsoncodec

go 1.25.0

// The tests also import github.com/cachetta-go/cachetta, which the workspace
// in ../go.work provides from the parent directory; the package needs only
// this.
require github.com/goccy/go-json v0.12.0
