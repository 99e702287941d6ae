module github.com/cachetta-go/cachetta/redisstore

// go-redis v9.23 needs Go 1.26.
go 1.26.0

// Inside this repository the workspace in ../go.work replaces the version
// of github.com/cachetta-go/cachetta below by the parent directory.
require (
	github.com/cachetta-go/cachetta v0.1.0
	github.com/redis/go-redis/v9 v9.23.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)
