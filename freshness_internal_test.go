package cachetta

import (
	"testing"
	"time"
)

// TestFreshnessBoundaries checks the rule at exact instants, which a test
// through the file system cannot pin: fresh iff now - mtime < duration, an
// mtime in the future is fresh, and stale iff duration <= age < duration +
// stale with reading on.
func TestFreshnessBoundaries(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	const hour = time.Hour
	tests := []struct {
		name  string
		age   time.Duration
		stale time.Duration
		read  bool
		want  freshness
	}{
		{"age zero", 0, 0, true, fresh},
		{"one tick before expiry", hour - 1, 0, true, fresh},
		{"exactly the duration", hour, 0, true, expired},
		{"in the future", -hour, 0, true, fresh},
		{"stale at expiry", hour, hour, true, stale},
		{"stale one tick before the window ends", 2*hour - 1, hour, true, stale},
		{"past the window at its end", 2 * hour, hour, true, expired},
		{"no stale with reading off", hour, hour, false, expired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := defaultConfig()
			cfg.duration, cfg.stale, cfg.read = hour, tt.stale, tt.read
			c := &Cachetta[int]{cfg: cfg}
			if got := c.freshnessAt(now.Add(-tt.age), now); got != tt.want {
				t.Errorf("freshnessAt(age %v) = %v; want %v", tt.age, got, tt.want)
			}
		})
	}
}
