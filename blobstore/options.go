package blobstore

// An Option configures a Store. Options are made by the With functions of
// this package; later options override earlier ones.
type Option interface {
	apply(*config)
}

// optionFunc keeps the Option interface sealed: only this package can make
// options.
type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	prefix string
}

// WithPrefix places every entry of the store below prefix in the bucket: the
// entry "users/42.json" becomes the object "prefix/users/42.json", and List
// sees nothing outside prefix, so caches that share a bucket stay apart.
// prefix is a slash-separated relative path as fs.ValidPath accepts it,
// without a trailing slash. The default, "", puts entries at the bucket's
// root.
func WithPrefix(prefix string) Option {
	return optionFunc(func(c *config) { c.prefix = prefix })
}
