package redisstore

import "log/slog"

// DefaultPrefix is the start of every key a Store writes unless WithPrefix
// says otherwise.
const DefaultPrefix = "cachetta:"

// An Option configures a Store in New.
type Option interface {
	apply(*config)
}

type config struct {
	prefix string
	logger *slog.Logger
}

type prefixOption string

func (p prefixOption) apply(c *config) { c.prefix = string(p) }

// WithPrefix sets the start of every key the Store writes, so that caches
// (or applications) sharing one Redis database keep apart. Two stores share
// entries exactly when their prefixes are equal. The default is
// DefaultPrefix; an empty prefix is allowed. New refuses a prefix holding
// "{" or "}": Redis Cluster would take a brace in it for the hash tag that
// the store puts after it, and put every key of the store in one slot, or
// the value and lock of one entry in two.
func WithPrefix(prefix string) Option { return prefixOption(prefix) }

type loggerOption struct{ l *slog.Logger }

func (o loggerOption) apply(c *config) { c.logger = o.l }

// WithLogger sets the logger of what the Store finds with no caller to
// tell: a lock whose lease renewal finds it held no more is logged at warn
// level. Pass the cache's logger (cachetta.WithLogger) to see it beside the
// cache's own lines. The default is slog.Default(); New refuses nil.
func WithLogger(l *slog.Logger) Option { return loggerOption{l} }
