#!/usr/bin/env bash
# Runs blobstore's tests on S3 against SeaweedFS (Apache-2.0), a real
# S3-compatible server, instead of gofakes3 alone: builds SeaweedFS's weed
# command at a pinned commit (once; later runs reuse the binary), then runs
# every test's s3-seaweedfs case, which starts `weed server -s3` on loopback
# ports.
#
# CI does not run this: building weed took 9m14s here on a shared 2-core
# machine with an empty build cache, more than half of CI's budget. Extra
# arguments go to go test (-v, -race, -count=3, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

# SeaweedFS tags its releases without a v (4.53), which the Go module proxy
# cannot serve, so the pin is the pseudo-version of a commit: the one
# reporting version 4.53.
SEAWEEDFS_MODULE=github.com/seaweedfs/seaweedfs
SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6

bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/cachetta/seaweedfs-$SEAWEEDFS_VERSION"
weed="$bin_dir/weed"
if [ ! -x "$weed" ]; then
	echo "== building weed ($SEAWEEDFS_MODULE@$SEAWEEDFS_VERSION); this takes minutes"
	GOWORK=off go mod download "$SEAWEEDFS_MODULE@$SEAWEEDFS_VERSION"
	src="$(go env GOMODCACHE)/$SEAWEEDFS_MODULE@$SEAWEEDFS_VERSION"
	mkdir -p "$bin_dir"
	# go install pkg@version refuses a module whose go.mod has replace
	# directives, and SeaweedFS's has one: build in the module's directory,
	# where its go.mod and go.sum apply.
	(cd "$src" && GOWORK=off go build -o "$weed.tmp" ./weed)
	mv "$weed.tmp" "$weed"
fi
"$weed" version

export CACHETTA_WEED="$weed"
echo "== go test -run '/s3-seaweedfs\$' $* ."
go test -count=1 -run '/s3-seaweedfs$' "$@" .
