package cachetta

import (
	"runtime"
	"testing"
	"testing/synctest"
	"time"
)

// TestEntryYoungerThan checks the rule by which a hit skips the clock: an
// armed entry whose timer has not fired is younger than its ttl and any
// longer duration, and is judged by the clock for a shorter one or once the
// timer has fired.
func TestEntryYoungerThan(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name     string
		age      time.Duration // at the read
		ttl      time.Duration // the duration the entry is armed for
		fired    bool          // the timer has fired
		d        time.Duration // the duration of the hit
		armed    bool
		want     bool
		wantNote string
	}{
		{"young, same duration", time.Minute, time.Hour, false, time.Hour, true, true, "no clock read"},
		{"young, longer duration", time.Minute, time.Hour, false, 2 * time.Hour, true, true, "no clock read"},
		{"young, shorter duration, fresh", time.Minute, time.Hour, false, 2 * time.Minute, true, true, "clock"},
		{"young, shorter duration, expired", time.Minute, time.Hour, false, 30 * time.Second, true, false, "clock"},
		{"timer fired, fresh by the clock", time.Minute, time.Hour, true, time.Hour, true, true, "clock"},
		{"too close to the end to arm", time.Hour - clockMargin, time.Hour, false, time.Hour, false, true, "clock"},
		{"expired at the read", 2 * time.Hour, time.Hour, false, time.Hour, false, false, "clock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEntry(1, now.Add(-tt.age).Round(0), now)
			e.arm(tt.ttl)
			defer e.disarm()
			if armed := e.timer != nil; armed != tt.armed {
				t.Fatalf("arm(%v) of an entry aged %v armed it: %v; want %v", tt.ttl, tt.age, armed, tt.armed)
			}
			if tt.fired {
				e.young.Store(false)
			}
			if got := e.youngerThan(tt.d); got != tt.want {
				t.Errorf("youngerThan(%v) = %v (%s); want %v", tt.d, got, tt.wantNote, tt.want)
			}
		})
	}
	t.Run("the flag is what decides", func(t *testing.T) {
		// An entry that the clock calls expired, whose flag still says
		// young, proves that an armed hit reads the flag and not the clock.
		e := newEntry(1, now.Add(-time.Minute).Round(0), now)
		e.arm(time.Hour)
		defer e.disarm()
		e.born = e.born.Add(-2 * time.Hour)
		if !e.youngerThan(time.Hour) {
			t.Error("youngerThan(1h) of a young armed entry read the clock")
		}
		e.young.Store(false)
		if e.youngerThan(time.Hour) {
			t.Error("youngerThan(1h) after the timer fired did not read the clock")
		}
	})
}

// TestEntryTimerFires checks that an armed entry's own timer turns it old,
// clockMargin before its ttl: here a millisecond after the read. No sleep
// can say when the timer's goroutine has run, so the test yields until it
// has; a timer that never clears the flag fails it by the test's timeout.
func TestEntryTimerFires(t *testing.T) {
	now := time.Now()
	const ttl = time.Hour
	e := newEntry(1, now.Add(-(ttl - clockMargin - time.Millisecond)).Round(0), now)
	e.arm(ttl)
	if e.timer == nil {
		t.Fatal("arm did not arm an entry a millisecond and a margin from its end")
	}
	for e.young.Load() {
		runtime.Gosched()
	}
	if e.timer.Stop() {
		t.Error("the timer was still running after it cleared the flag")
	}
}

// TestLRUStopsTheTimersOfDroppedEntries checks that memory stops the timer
// of every entry it lets go, by eviction, removal, purge or replacement, so
// that timers never outnumber the entries memory holds.
func TestLRUStopsTheTimersOfDroppedEntries(t *testing.T) {
	tests := []struct {
		name string
		drop func(m *lruCache[int])
	}{
		{"evicted", func(m *lruCache[int]) { m.add("b", m.fresh(2), time.Hour) }},
		{"removed", func(m *lruCache[int]) { m.remove("a") }},
		{"purged", func(m *lruCache[int]) { m.purge() }},
		{"replaced", func(m *lruCache[int]) { m.add("a", m.fresh(3), time.Hour) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newLRUCache[int](1, nil)
			e := m.fresh(1)
			m.add("a", e, time.Hour)
			if e.timer == nil {
				t.Fatal("add did not arm a fresh entry")
			}
			tt.drop(m)
			if e.timer.Stop() {
				t.Error("the timer of a dropped entry was still running")
			}
			m.purge()
		})
	}
}

// fresh returns a new entry of v read now from a file written now.
func (m *lruCache[T]) fresh(v T) *entry[T] {
	now := time.Now()
	return newEntry(v, now.Round(0), now)
}

// TestEntryNotArmedInABubble checks that an entry read inside a synctest
// bubble gets no timer, which could not be stopped from outside the bubble,
// and that its age is read from the bubble's clock.
func TestEntryNotArmedInABubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		now := time.Now()
		e := newEntry(1, now, now)
		e.arm(time.Hour)
		if e.timer != nil || e.young.Load() {
			t.Fatal("an entry read in a bubble was armed")
		}
		time.Sleep(time.Hour)
		if e.youngerThan(time.Hour) {
			t.Error("youngerThan(1h) of an entry aged 1h in a bubble = true; want false")
		}
	})
}
