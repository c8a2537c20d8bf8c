package ratelimit

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

var t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func fixed(t time.Time) func() time.Time { return func() time.Time { return t } }

func TestUpdate(t *testing.T) {
	epoch := func(d time.Duration) string { return strconv.FormatInt(t0.Add(d).Unix(), 10) }
	tests := []struct {
		name   string
		header http.Header
		want   Snapshot
	}{
		{
			name:   "none",
			header: http.Header{"Content-Type": {"application/json"}},
			want:   Snapshot{Name: "b"},
		},
		{
			name: "X epoch reset",
			header: http.Header{"X-Rate-Limit-Limit": {"450"}, "X-Rate-Limit-Remaining": {"449"},
				"X-Rate-Limit-Reset": {epoch(15 * time.Minute)}},
			want: Snapshot{Name: "b", Limit: 450, Remaining: 449, Reset: t0.Add(15 * time.Minute), Known: true},
		},
		{
			name: "Mastodon ISO reset with microseconds",
			header: http.Header{"X-Ratelimit-Limit": {"300"}, "X-Ratelimit-Remaining": {"12"},
				"X-Ratelimit-Reset": {"2026-11-20T12:05:00.123456Z"}},
			want: Snapshot{Name: "b", Limit: 300, Remaining: 12, Reset: t0.Add(5*time.Minute + 123456*time.Microsecond), Known: true},
		},
		{
			name: "Reddit float remaining, used, delta seconds",
			header: http.Header{"X-Ratelimit-Used": {"4"}, "X-Ratelimit-Remaining": {"96.0"},
				"X-Ratelimit-Reset": {"120"}},
			want: Snapshot{Name: "b", Limit: 100, Remaining: 96, Reset: t0.Add(2 * time.Minute), Known: true},
		},
		{
			name: "Reddit fractional remaining rounds down",
			header: http.Header{"X-Ratelimit-Used": {"99"}, "X-Ratelimit-Remaining": {"0.6"},
				"X-Ratelimit-Reset": {"30"}},
			want: Snapshot{Name: "b", Limit: 99, Remaining: 0, Reset: t0.Add(30 * time.Second), Known: true},
		},
		{
			name: "Bluesky epoch reset",
			header: http.Header{"Ratelimit-Limit": {"3000"}, "Ratelimit-Remaining": {"2999"},
				"Ratelimit-Reset": {epoch(5 * time.Minute)}, "Ratelimit-Policy": {"3000;w=300"}},
			want: Snapshot{Name: "b", Limit: 3000, Remaining: 2999, Reset: t0.Add(5 * time.Minute), Known: true},
		},
		{
			name:   "limit from RateLimit-Policy, delta reset",
			header: http.Header{"Ratelimit-Remaining": {"7"}, "Ratelimit-Reset": {"60"}, "Ratelimit-Policy": {"10;w=60, 100;w=3600"}},
			want:   Snapshot{Name: "b", Limit: 10, Remaining: 7, Reset: t0.Add(time.Minute), Known: true},
		},
		{
			name:   "garbage ignored",
			header: http.Header{"X-Rate-Limit-Limit": {"lots"}, "X-Rate-Limit-Remaining": {"-3"}, "X-Rate-Limit-Reset": {"soon"}},
			want:   Snapshot{Name: "b"},
		},
		{
			name:   "reset in the past",
			header: http.Header{"X-Rate-Limit-Limit": {"15"}, "X-Rate-Limit-Remaining": {"0"}, "X-Rate-Limit-Reset": {epoch(-time.Minute)}},
			want:   Snapshot{Name: "b", Limit: 15, Remaining: 15, Reset: t0, Known: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New("b", fixed(t0))
			b.Update(tt.header)
			if got := b.Snapshot(); got != tt.want {
				t.Errorf("Snapshot() = %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestUpdateKeepsLimitAndResetWhenAbsent(t *testing.T) {
	b := New("b", fixed(t0))
	b.Update(http.Header{"X-Rate-Limit-Limit": {"450"}, "X-Rate-Limit-Remaining": {"10"},
		"X-Rate-Limit-Reset": {strconv.FormatInt(t0.Add(time.Minute).Unix(), 10)}})
	b.Update(http.Header{"X-Rate-Limit-Remaining": {"9"}})
	want := Snapshot{Name: "b", Limit: 450, Remaining: 9, Reset: t0.Add(time.Minute), Known: true}
	if got := b.Snapshot(); got != want {
		t.Errorf("Snapshot() = %+v; want %+v", got, want)
	}
}

// fakeTimer records the wait asked for and fires when told.
type fakeTimer struct {
	asked chan time.Duration
	fire  chan time.Time
}

func newFakeTimer() *fakeTimer {
	return &fakeTimer{asked: make(chan time.Duration, 1), fire: make(chan time.Time)}
}

func (f *fakeTimer) timer(d time.Duration) (<-chan time.Time, func() bool) {
	f.asked <- d
	return f.fire, func() bool { return true }
}

func spent(reset time.Duration, remaining int) http.Header {
	return http.Header{"X-Rate-Limit-Limit": {"450"}, "X-Rate-Limit-Remaining": {strconv.Itoa(remaining)},
		"X-Rate-Limit-Reset": {strconv.FormatInt(t0.Add(reset).Unix(), 10)}}
}

func TestWaitReturnsAtOnce(t *testing.T) {
	tests := []struct {
		name    string
		header  http.Header
		reserve int
	}{
		{"unknown budget", nil, 5},
		{"above reserve", spent(10*time.Second, 6), 5},
		{"reset passed", spent(-time.Second, 0), 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New("b", fixed(t0))
			b.newTimer = func(d time.Duration) (<-chan time.Time, func() bool) {
				t.Fatalf("Wait started a %v timer; want no wait", d)
				return nil, nil
			}
			b.Update(tt.header)
			if err := b.Wait(context.Background(), tt.reserve); err != nil {
				t.Errorf("Wait = %v; want nil", err)
			}
		})
	}
}

func TestWaitBlocksUntilReset(t *testing.T) {
	b := New("b", fixed(t0))
	ft := newFakeTimer()
	b.newTimer = ft.timer
	b.Update(spent(30*time.Second, 5))
	done := make(chan error, 1)
	go func() { done <- b.Wait(context.Background(), 5) }()
	if got := <-ft.asked; got != 30*time.Second {
		t.Errorf("timer set for %v; want 30s", got)
	}
	select {
	case err := <-done:
		t.Fatalf("Wait returned %v before the reset", err)
	default:
	}
	ft.fire <- t0.Add(30 * time.Second)
	if err := <-done; err != nil {
		t.Errorf("Wait = %v; want nil", err)
	}
}

func TestWaitCancelled(t *testing.T) {
	b := New("b", fixed(t0))
	ft := newFakeTimer()
	b.newTimer = ft.timer
	b.Update(spent(30*time.Second, 0))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Wait(ctx, 0) }()
	<-ft.asked
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Wait = %v; want context.Canceled", err)
	}
}

func TestWaitTooLongBecomesRetryAfter(t *testing.T) {
	tests := []struct {
		name  string
		reset time.Duration
		want  time.Duration
	}{
		{"just over MaxBlock", MaxBlock + time.Second, MaxBlock + time.Second},
		{"X window", 14 * time.Minute, 14 * time.Minute},
		{"capped at MaxWait", 50 * time.Minute, MaxWait},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New("x:app", fixed(t0))
			b.Update(spent(tt.reset, 0))
			err := b.Wait(context.Background(), 0)
			var ra *alerts.RetryAfterError
			if !errors.As(err, &ra) || ra.After != tt.want {
				t.Fatalf("Wait = %v; want RetryAfterError after %v", err, tt.want)
			}
			if !errors.Is(err, ErrExhausted) {
				t.Errorf("Wait = %v; want it to wrap ErrExhausted", err)
			}
		})
	}
}

func TestBlock(t *testing.T) {
	b := New("b", fixed(t0))
	b.Update(spent(time.Minute, 100))
	b.Block(t0.Add(10 * time.Minute))
	err := b.Wait(context.Background(), 0)
	if ra, ok := alerts.RetryAfter(err); !ok || ra != 10*time.Minute {
		t.Fatalf("Wait after Block = %v; want retry after 10m", err)
	}
	if s := b.Snapshot(); s.Remaining != 0 || s.Limit != 450 {
		t.Errorf("Snapshot() = %+v; want 0 of 450 remaining", s)
	}
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	var wg sync.WaitGroup
	got := make([]*Budget, 8)
	for i := range got {
		wg.Go(func() { got[i] = r.Get("x:app", fixed(t0)) })
	}
	wg.Wait()
	for i, b := range got {
		if b != got[0] {
			t.Fatalf("Get #%d returned a different budget", i)
		}
	}
	r.Get("bluesky:public", fixed(t0)).Update(http.Header{"Ratelimit-Remaining": {"3"}})
	snaps := r.Snapshots()
	if len(snaps) != 2 || snaps[0].Name != "bluesky:public" || snaps[1].Name != "x:app" {
		t.Fatalf("Snapshots() = %+v; want bluesky:public then x:app", snaps)
	}
	if !snaps[0].Known || snaps[0].Remaining != 3 || snaps[1].Known {
		t.Errorf("Snapshots() = %+v; want bluesky known with 3 left, x unknown", snaps)
	}
}

func FuzzUpdate(f *testing.F) {
	f.Add("450", "0", "1763640000", "")
	f.Add("300", "12", "2026-11-20T12:05:00.123456Z", "")
	f.Add("", "99.0", "299.0", "3000;w=300")
	f.Fuzz(func(t *testing.T, limit, remaining, reset, policy string) {
		for _, prefix := range []string{"X-Rate-Limit-", "X-Ratelimit-", "Ratelimit-"} {
			b := New("f", fixed(t0))
			b.Update(http.Header{prefix + "Limit": {limit}, prefix + "Remaining": {remaining},
				prefix + "Reset": {reset}, "Ratelimit-Policy": {policy}, "X-Ratelimit-Used": {limit}})
			s := b.Snapshot()
			if s.Remaining < 0 || s.Limit < 0 {
				t.Fatalf("negative budget %+v", s)
			}
			if s.Reset.Sub(t0) > time.Hour {
				t.Fatalf("reset %v is more than an hour away", s.Reset)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_ = b.Wait(ctx, 0) // must not block
		}
	})
}
