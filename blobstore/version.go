package blobstore

import (
	"os"
	"strconv"

	"cloud.google.com/go/storage"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"gocloud.dev/blob"
)

// An entry's Version must change with every Save, even of the same bytes,
// must be the same from Load, Stat and List (pruning goes by List), and Load
// must learn it from the response that brought the bytes, or it could pair
// old bytes with a new version. So:
//   - Cloud Storage: the object's generation, which every write changes.
//   - Azure: the ETag, a change token that every write changes, without
//     quotes: a response's ETag header has them (API versions since
//     2011-08-18) and a listing's Etag element, on Azurite at least, has
//     not. Dropping them wherever they appear makes the three agree.
//   - S3, fileblob, memblob: none. S3's ETag is a digest of the bytes, the
//     same for equal bytes, and a listing carries nothing else (a token in
//     the metadata would cost a HEAD per listed object); fileblob's times
//     are too coarse to tell two Saves apart and its metadata sidecar races
//     a reader; memblob is for tests.

// A kind is the service behind a bucket, found once by New.
type kind uint8

const (
	kindOther kind = iota // S3, memblob, or a driver this package does not know
	kindGCS
	kindAzure
	kindFile // fileblob, whose reader is the open *os.File
)

func bucketKind(b *blob.Bucket) kind {
	var gcs *storage.Client
	var az *container.Client
	var fi os.FileInfo
	switch {
	case b.As(&gcs):
		return kindGCS
	case b.As(&az):
		return kindAzure
	case b.As(&fi):
		return kindFile
	}
	return kindOther
}

func readerVersion(k kind, r *blob.Reader) string {
	switch k {
	case kindGCS:
		var sr *storage.Reader
		if r.As(&sr) {
			return generation(sr.Attrs.Generation)
		}
	case kindAzure:
		var out azblobblob.DownloadStreamResponse
		if r.As(&out) && out.ETag != nil {
			return etag(string(*out.ETag))
		}
	}
	return ""
}

func attributesVersion(k kind, a *blob.Attributes) string {
	switch k {
	case kindGCS:
		var oa storage.ObjectAttrs
		if a.As(&oa) {
			return generation(oa.Generation)
		}
	case kindAzure:
		return etag(a.ETag)
	}
	return ""
}

func listVersion(k kind, o *blob.ListObject) string {
	switch k {
	case kindGCS:
		var oa storage.ObjectAttrs
		if o.As(&oa) {
			return generation(oa.Generation)
		}
	case kindAzure:
		var item container.BlobItem
		if o.As(&item) && item.Properties != nil && item.Properties.ETag != nil {
			return etag(string(*item.Properties.ETag))
		}
	}
	return ""
}

// etag returns an Azure ETag without the quotes a header puts around it.
func etag(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

func generation(g int64) string {
	return "g" + strconv.FormatInt(g, 10)
}
