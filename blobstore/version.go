package blobstore

import (
	"fmt"
	"time"

	"cloud.google.com/go/storage"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"gocloud.dev/blob"
)

// An entry's Version is the service's ETag, the same from Load, Stat and
// List. Load gets it from the GET's response, through the driver's own type
// (blob.Reader's portable attributes leave it out), at the cost of a type
// switch and a copy of the response header struct, never a request. Cloud
// Storage's reader carries no ETag, so there the Version is the object's
// generation, everywhere. fileblob and memblob make their ETag from the
// modification time and the size; localVersion spells it the same way, and
// a test holds the two together.

func readerVersion(r *blob.Reader, mod time.Time, size int64) string {
	var s3out s3.GetObjectOutput
	if r.As(&s3out) {
		return deref(s3out.ETag)
	}
	var az azblobblob.DownloadStreamResponse
	if r.As(&az) {
		if az.ETag != nil {
			return string(*az.ETag)
		}
		return ""
	}
	var gcs *storage.Reader
	if r.As(&gcs) {
		return generation(gcs.Attrs.Generation)
	}
	return localVersion(mod, size)
}

func attributesVersion(a *blob.Attributes) string {
	var gcs storage.ObjectAttrs
	if a.As(&gcs) {
		return generation(gcs.Generation)
	}
	return a.ETag
}

func listVersion(o *blob.ListObject) string {
	var s3obj s3types.Object
	if o.As(&s3obj) {
		return deref(s3obj.ETag)
	}
	var az container.BlobItem
	if o.As(&az) {
		if az.Properties != nil && az.Properties.ETag != nil {
			return string(*az.Properties.ETag)
		}
		return ""
	}
	var gcs storage.ObjectAttrs
	if o.As(&gcs) {
		return generation(gcs.Generation)
	}
	return localVersion(o.ModTime, o.Size)
}

// localVersion is fileblob's and memblob's ETag for an object of this
// modification time and size.
func localVersion(mod time.Time, size int64) string {
	return fmt.Sprintf("\"%x-%x\"", mod.UnixNano(), size)
}

func generation(g int64) string {
	return fmt.Sprintf("g%d", g)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
