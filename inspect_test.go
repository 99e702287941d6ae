package cachetta_test

import (
	"testing"
	"time"

	"github.com/cachetta-go/cachetta"
)

func TestInfo(t *testing.T) {
	tests := []struct {
		name        string
		write       bool
		age         time.Duration
		opts        []cachetta.Option
		wantExpired bool
		wantStale   bool
	}{
		{name: "missing"},
		{name: "fresh", write: true, age: time.Minute},
		{name: "in the future", write: true, age: -time.Hour},
		{name: "expired", write: true, age: 2 * time.Hour, wantExpired: true},
		{name: "stale", write: true, age: 90 * time.Minute, opts: []cachetta.Option{cachetta.WithStaleDuration(time.Hour)}, wantExpired: true, wantStale: true},
		{name: "past the stale window", write: true, age: 3 * time.Hour, opts: []cachetta.Option{cachetta.WithStaleDuration(time.Hour)}, wantExpired: true},
		{name: "stale with reading off", write: true, age: 90 * time.Minute, opts: []cachetta.Option{cachetta.WithStaleDuration(time.Hour), cachetta.WithRead(false)}, wantExpired: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			c := newCache[string](t, "s.json", append(tt.opts, cachetta.WithDuration(time.Hour))...)
			if tt.write {
				writeFile(t, c.Path(), `"abc"`)
				backdate(t, c.Path(), tt.age)
			}
			info, err := c.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if info.Path != c.Path() || info.Exists != tt.write || info.Expired != tt.wantExpired || info.Stale != tt.wantStale {
				t.Errorf("Info = %+v; want exists=%v expired=%v stale=%v", info, tt.write, tt.wantExpired, tt.wantStale)
			}
			switch {
			case !tt.write && (info.Age != 0 || !info.ModTime.IsZero() || info.Size != 0):
				t.Errorf("Info of a missing file = %+v; want zero age, time and size", info)
			case tt.write && info.Size != 5:
				t.Errorf("Info.Size = %d; want 5", info.Size)
			case tt.age < 0 && info.Age != 0:
				t.Errorf("Info.Age of a future file = %v; want 0", info.Age)
			case tt.age > 0 && info.Age < tt.age:
				t.Errorf("Info.Age = %v; want at least %v", info.Age, tt.age)
			}

			age, ok, err := c.Age(ctx)
			if ok != tt.write || err != nil || age < info.Age {
				t.Errorf("Age = %v, %v, %v; want ok=%v, at least %v", age, ok, err, tt.write, info.Age)
			}
			exists, err := c.Exists(ctx)
			if exists != tt.write || err != nil {
				t.Errorf("Exists = %v, %v; want %v", exists, err, tt.write)
			}
		})
	}
}
