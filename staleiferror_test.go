package cachetta_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cachetta-go/cachetta"
)

// TestStaleIfErrorAnswersFailedComputations gives a cache a one-hour
// duration, a one-hour stale window and a one-hour stale-if-error window,
// and calls it with an entry past the stale window and a function that
// fails.
func TestStaleIfErrorAnswersFailedComputations(t *testing.T) {
	tests := []struct {
		name    string
		age     time.Duration
		fnErr   error
		opts    []cachetta.Option
		ctx     func(context.Context) context.Context
		want    string
		wantErr error
	}{
		{name: "inside the window", age: 150 * time.Minute, fnErr: errUpstream, want: "stale"},
		{name: "one minute before its end", age: 179 * time.Minute, fnErr: errUpstream, want: "stale"},
		{name: "past the window", age: 181 * time.Minute, fnErr: errUpstream, wantErr: errUpstream},
		{name: "a success is returned", age: 150 * time.Minute, want: "fresh"},
		{name: "MaxAge bounds the window", age: 150 * time.Minute, fnErr: errUpstream,
			ctx: func(ctx context.Context) context.Context { return cachetta.MaxAge(ctx, 2*time.Hour) }, wantErr: errUpstream},
		{name: "not for ForceRefresh", age: 150 * time.Minute, fnErr: errUpstream,
			ctx: cachetta.ForceRefresh, wantErr: errUpstream},
		{name: "not for Bypass", age: 150 * time.Minute, fnErr: errUpstream,
			ctx: cachetta.Bypass, wantErr: errUpstream},
		{name: "not for a remembered error", age: 150 * time.Minute, fnErr: errNotFound,
			opts: []cachetta.Option{cachetta.WithErrorCaching(time.Minute, isNotFound)}, wantErr: errNotFound},
		{name: "off", age: 150 * time.Minute, fnErr: errUpstream,
			opts: []cachetta.Option{stale(cachetta.Refresh{StaleIfError: 0})}, wantErr: errUpstream},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger, logs := captureLogs(slog.LevelWarn)
			opts := append([]cachetta.Option{stale(cachetta.Refresh{StaleIfError: time.Hour}), cachetta.WithLogger(logger)}, tt.opts...)
			c := staleCache(t, opts...)
			backdate(t, c.Path(), tt.age)
			ctx := t.Context()
			if tt.ctx != nil {
				ctx = tt.ctx(ctx)
			}
			v, err := cachetta.Wrap(c, func(context.Context) (string, error) {
				if tt.fnErr != nil {
					return "", tt.fnErr
				}
				return "fresh", nil
			})(ctx)
			if v != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("call with an entry %v old = %q, %v; want %q, %v", tt.age, v, err, tt.want, tt.wantErr)
			}
			warned := strings.Contains(logs.String(), "serving a stale entry") &&
				strings.Contains(logs.String(), c.Path()) && strings.Contains(logs.String(), errUpstream.Error())
			if wantWarn := tt.want == "stale"; warned != wantWarn {
				t.Errorf("logs %q: warning naming the path and the error = %v; want %v", logs, warned, wantWarn)
			}
		})
	}
}

func TestStaleIfErrorKeepsCancellations(t *testing.T) {
	c := staleCache(t, stale(cachetta.Refresh{StaleIfError: time.Hour}))
	backdate(t, c.Path(), 150*time.Minute)
	ctx, cancel := context.WithCancel(t.Context())
	v, err := cachetta.Wrap(c, func(context.Context) (string, error) {
		cancel()
		return "", errUpstream
	})(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("call whose context was cancelled = %q, %v; want context.Canceled", v, err)
	}
}

// TestStaleIfErrorAnswersCallersOfAFailedRefresh starts a refresh one second
// before the entry leaves its stale window; a caller that comes after it
// left, and so joins the refresh, gets the entry when the refresh fails.
func TestStaleIfErrorAnswersCallersOfAFailedRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		c := staleCache(t, stale(cachetta.Refresh{StaleIfError: time.Hour}))
		backdate(t, c.Path(), 2*time.Hour-time.Second)
		var calls counter
		get := cachetta.Wrap(c, func(context.Context) (string, error) {
			calls.n.Add(1)
			time.Sleep(2 * time.Second)
			return "", errUpstream
		})
		if v, err := get(ctx); v != "stale" || err != nil {
			t.Fatalf("stale call = %q, %v", v, err)
		}
		time.Sleep(time.Second)
		if v, err := get(ctx); v != "stale" || err != nil || calls.count() != 1 {
			t.Errorf("call joining the failing refresh = %q, %v after %d runs; want stale after 1", v, err, calls.count())
		}
		c.Wait()
	})
}

// TestReadStaleHonoursStaleIfError reads entries of several ages: ReadStale
// returns those of the stale-if-error window too, Read and Info are as
// without it.
func TestReadStaleHonoursStaleIfError(t *testing.T) {
	tests := []struct {
		age                 time.Duration
		sie                 time.Duration
		wantRead, wantStale bool
		wantInfoStale       bool
	}{
		{30 * time.Minute, time.Hour, true, true, false},
		{90 * time.Minute, time.Hour, false, true, true},
		{150 * time.Minute, time.Hour, false, true, false},
		{150 * time.Minute, 0, false, false, false},
		{181 * time.Minute, time.Hour, false, false, false},
	}
	for _, tt := range tests {
		c := staleCache(t, stale(cachetta.Refresh{StaleIfError: tt.sie}))
		backdate(t, c.Path(), tt.age)
		ctx := t.Context()
		if _, ok, err := c.Read(ctx); ok != tt.wantRead || err != nil {
			t.Errorf("age %v, stale-if-error %v: Read = %v, %v; want %v", tt.age, tt.sie, ok, err, tt.wantRead)
		}
		if _, ok, err := c.ReadStale(ctx); ok != tt.wantStale || err != nil {
			t.Errorf("age %v, stale-if-error %v: ReadStale = %v, %v; want %v", tt.age, tt.sie, ok, err, tt.wantStale)
		}
		if info, err := c.Info(ctx); info.Stale != tt.wantInfoStale || info.Expired != (tt.age >= time.Hour) || err != nil {
			t.Errorf("age %v, stale-if-error %v: Info = %+v, %v; want Stale %v", tt.age, tt.sie, info, err, tt.wantInfoStale)
		}
	}
}
