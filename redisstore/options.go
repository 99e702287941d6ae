package redisstore

// DefaultPrefix is the start of every key a Store writes unless WithPrefix
// says otherwise.
const DefaultPrefix = "cachetta:"

// An Option configures a Store in New.
type Option interface {
	apply(*config)
}

type config struct {
	prefix string
}

type prefixOption string

func (p prefixOption) apply(c *config) { c.prefix = string(p) }

// WithPrefix sets the start of every key the Store writes, so that caches
// (or applications) sharing one Redis database keep apart. Two stores share
// entries exactly when their prefixes are equal. The default is
// DefaultPrefix; an empty prefix is allowed.
func WithPrefix(prefix string) Option { return prefixOption(prefix) }
