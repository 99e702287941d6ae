package blobstore

import (
	"crypto/rand"
	"os"
	"strconv"
	"strings"

	"cloud.google.com/go/storage"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"
)

// An entry's Version must change with every Save, even of the same bytes,
// and Load must learn it from the response that brought the bytes, or it
// could pair old bytes with a new version. So:
//   - S3 and Azure: a random token Save writes as the object's metadata,
//     which comes back in the GET's headers (S3's and Azure's ETags are
//     digests of the bytes, the same for equal bytes). Objects written by
//     something else fall back to the ETag.
//   - Cloud Storage: the object's generation, a number every write changes,
//     on the reader as on the attributes.
//   - fileblob and memblob: none. fileblob's metadata sidecar is rewritten
//     in place, so it races a reader, and file times are too coarse to tell
//     two Saves apart; memblob is for tests.
//
// List leaves Version empty: listings carry no metadata; Stat tells it.

// A kind is the service behind a bucket, found once by New.
type kind uint8

const (
	kindOther kind = iota // memblob, or a driver this package does not know
	kindS3
	kindGCS
	kindAzure
	kindFile // fileblob, whose reader is the open *os.File
)

func bucketKind(b *blob.Bucket) kind {
	var s3c *s3.Client
	var gcs *storage.Client
	var az *container.Client
	var fi os.FileInfo
	switch {
	case b.As(&s3c):
		return kindS3
	case b.As(&gcs):
		return kindGCS
	case b.As(&az):
		return kindAzure
	case b.As(&fi):
		return kindFile
	}
	return kindOther
}

// versionKey is the metadata key of the token: lower case and without
// punctuation, which Azure would otherwise escape.
const versionKey = "cachettaversion"

// newVersion returns a fresh token for a Save.
func newVersion() string { return rand.Text() }

func readerVersion(k kind, r *blob.Reader) string {
	switch k {
	case kindS3:
		var out s3.GetObjectOutput
		if !r.As(&out) {
			return ""
		}
		if v := lookup(out.Metadata); v != "" {
			return v
		}
		return deref(out.ETag)
	case kindAzure:
		var out azblobblob.DownloadStreamResponse
		if !r.As(&out) {
			return ""
		}
		for k, v := range out.Metadata {
			if strings.EqualFold(k, versionKey) && v != nil {
				return *v
			}
		}
		if out.ETag != nil {
			return string(*out.ETag)
		}
	case kindGCS:
		var sr *storage.Reader
		if r.As(&sr) {
			return generation(sr.Attrs.Generation)
		}
	}
	return ""
}

func attributesVersion(k kind, a *blob.Attributes) string {
	switch k {
	case kindS3, kindAzure:
		// gocloud lowercases and unescapes metadata keys here.
		if v := a.Metadata[versionKey]; v != "" {
			return v
		}
		return a.ETag
	case kindGCS:
		var oa storage.ObjectAttrs
		if a.As(&oa) {
			return generation(oa.Generation)
		}
	}
	return ""
}

// lookup finds the token in S3's metadata, whose keys the SDK may or may not
// have lowercased.
func lookup(md map[string]string) string {
	if v, ok := md[versionKey]; ok {
		return v
	}
	for k, v := range md {
		if strings.EqualFold(k, versionKey) {
			return v
		}
	}
	return ""
}

func generation(g int64) string {
	return "g" + strconv.FormatInt(g, 10)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
