package cachetta_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

func TestNewRejectsBadFreshnessOptions(t *testing.T) {
	match := func(error) bool { return true }
	tests := []struct {
		name    string
		opts    []cachetta.Option
		wantErr string
	}{
		{"negative stale-if-error", []cachetta.Option{cachetta.WithRefresh(cachetta.Refresh{StaleIfError: -time.Second})}, "stale-if-error duration must not be negative"},
		{"windows overflow", []cachetta.Option{cachetta.WithDuration(math.MaxInt64 - time.Hour), cachetta.WithRefresh(cachetta.Refresh{StaleWhileRevalidate: time.Hour, StaleIfError: 1})}, "overflows"},
		{"negative beta", []cachetta.Option{cachetta.WithRefresh(cachetta.Refresh{Early: -1})}, "early refresh beta"},
		{"NaN beta", []cachetta.Option{cachetta.WithRefresh(cachetta.Refresh{Early: math.NaN()})}, "early refresh beta"},
		{"infinite beta", []cachetta.Option{cachetta.WithRefresh(cachetta.Refresh{Early: math.Inf(1)})}, "early refresh beta"},
		{"zero error caching duration", []cachetta.Option{cachetta.WithErrorCaching(0, match)}, "error caching duration must be positive"},
		{"negative error caching duration", []cachetta.Option{cachetta.WithErrorCaching(-time.Second, match)}, "error caching duration must be positive"},
		{"nil match", []cachetta.Option{cachetta.WithErrorCaching(time.Second, nil)}, "match function must not be nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := cachetta.New[int]("x.json", tt.opts...)
			if err == nil || c != nil {
				t.Fatalf("New = %v, %v; want an error", c, err)
			}
			if !strings.HasPrefix(err.Error(), "cachetta: ") || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New error %q; want the cachetta: prefix and %q", err, tt.wantErr)
			}
		})
	}
	if _, err := cachetta.New[int]("x.json", cachetta.WithRefresh(cachetta.Refresh{StaleIfError: time.Hour, Early: 1}),
		cachetta.WithErrorCaching(time.Second, match)); err != nil {
		t.Errorf("New with valid freshness options: %v", err)
	}
}
