package blobstore

import "time"

// modTime returns the modification time t, which the service of kind k
// reported, as all of Load, Stat and List can report it, since the cache
// compares their times. Cloud Storage keeps the update time to the
// microsecond in the metadata that Stat and List read, but a read's
// Last-Modified header, the only time Load gets without a second request,
// has whole seconds: its times are cut to the second.
func modTime(k kind, t time.Time) time.Time {
	if k == kindGCS {
		return t.Truncate(time.Second)
	}
	return t
}
