// Package ratelimit tracks each credential's request budget from the
// rate-limit headers platforms send on every response, so watchers slow down
// before the limit instead of discovering it with a 429.
//
// Headers understood (see Budget.Update):
//
//   - X API v2: x-rate-limit-limit, -remaining, -reset (Unix seconds),
//     https://docs.x.com/x-api/fundamentals/rate-limits
//   - Mastodon: X-RateLimit-Limit, -Remaining, -Reset (ISO 8601),
//     https://docs.joinmastodon.org/api/rate-limits/
//   - Bluesky: RateLimit-Limit, -Remaining, -Reset (Unix seconds) and
//     RateLimit-Policy ("<limit>;w=<secs>"),
//     https://docs.bsky.app/docs/advanced-guides/rate-limits
//   - Reddit: X-Ratelimit-Used, -Remaining (a float such as "99.0"), -Reset
//     (seconds until the window ends),
//     https://support.reddithelp.com/hc/en-us/articles/16160319875092
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
)

// MaxBlock is the longest Wait blocks the calling worker. A reset further
// away than this is handed back as an *alerts.RetryAfterError, so the
// scheduler snoozes the job instead of holding a worker (and its poll
// timeout) for minutes.
const MaxBlock = time.Minute

// MaxWait caps any single wait Budget asks for, blocking or not; X windows
// are 15 minutes, so a reset further away than that is treated as bogus.
const MaxWait = 15 * time.Minute

// ErrExhausted is wrapped by the *alerts.RetryAfterError Wait returns when
// the budget is spent and its reset is too far away to block for.
var ErrExhausted = errors.New("rate-limit budget exhausted")

// Snapshot is a budget's state at one moment, for `lookout status`.
type Snapshot struct {
	Name      string    `json:"name"`
	Limit     int       `json:"limit"`
	Remaining int       `json:"remaining"`
	Reset     time.Time `json:"reset"`
	// Known is false until a response carried rate-limit headers.
	Known bool `json:"known"`
}

// Budget tracks one credential's request budget from the platform's
// response headers. It is safe for concurrent use.
type Budget struct {
	name string
	now  func() time.Time
	// newTimer is time.NewTimer; tests replace it to wait without sleeping.
	newTimer func(time.Duration) (<-chan time.Time, func() bool)

	mu        sync.Mutex
	limit     int
	remaining int
	reset     time.Time
	known     bool
}

// New returns an empty budget named name ("x:app", "mastodon:mastodon.social").
// now is the clock; nil means time.Now.
func New(name string, now func() time.Time) *Budget {
	if now == nil {
		now = time.Now
	}
	return &Budget{name: name, now: now, newTimer: realTimer}
}

func realTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// Name returns the budget's name.
func (b *Budget) Name() string { return b.name }

// Update records the budget announced by a response's headers. It reads,
// whichever are present: x-rate-limit-* (X), X-RateLimit-* (Mastodon, and
// Reddit's X-Ratelimit-Used/-Remaining/-Reset), and RateLimit-* with
// RateLimit-Policy (Bluesky, IETF draft). Headers it cannot parse are
// ignored; a response without any leaves the budget as it was.
func (b *Budget) Update(h http.Header) {
	now := b.now()
	for _, f := range families {
		limit, lok := intHeader(h, f.limit)
		remaining, rok := intHeader(h, f.remaining)
		if !rok {
			continue
		}
		if !lok && f.used != "" {
			if used, ok := intHeader(h, f.used); ok {
				limit, lok = used+remaining, true
			}
		}
		if !lok && f.policy != "" {
			limit, lok = policyLimit(h.Get(f.policy))
		}
		var reset time.Time
		if v := strings.TrimSpace(h.Get(f.reset)); v != "" {
			// Reuse httpx's reading of reset values (Unix seconds, delta
			// seconds or ISO 8601) by handing it this one header alone.
			if d, ok := httpx.RetryAfter(http.Header{f.reset: {v}}, now); ok {
				reset = now.Add(d)
			}
		}
		b.mu.Lock()
		b.remaining = remaining
		if lok {
			b.limit = limit
		}
		if !reset.IsZero() {
			b.reset = reset
		}
		b.known = true
		b.mu.Unlock()
		return
	}
}

// Block records that the platform refused a request until the given time
// (a 429): the budget counts as spent until then, so other watches sharing
// the credential wait instead of being refused too.
func (b *Budget) Block(until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.remaining = 0
	if until.After(b.reset) {
		b.reset = until
	}
	b.known = true
}

// Wait returns at once while more than reserve requests remain (or nothing
// is known, or the reset has passed). Otherwise it blocks until the reset,
// returning ctx.Err() if ctx ends first. When the reset is more than
// MaxBlock away it returns an *alerts.RetryAfterError wrapping ErrExhausted
// instead, with the wait (capped at MaxWait), so the caller's job is
// snoozed rather than holding a worker.
func (b *Budget) Wait(ctx context.Context, reserve int) error {
	b.mu.Lock()
	now := b.now()
	d := b.reset.Sub(now)
	spent := b.known && b.remaining <= reserve && d > 0
	remaining := b.remaining
	b.mu.Unlock()
	if !spent {
		return ctx.Err()
	}
	d = min(d, MaxWait)
	if d > MaxBlock {
		return &alerts.RetryAfterError{After: d, Err: fmt.Errorf("%s: %d left: %w", b.name, remaining, ErrExhausted)}
	}
	c, stop := b.newTimer(d)
	defer stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c:
		return nil
	}
}

// Snapshot returns the budget's current state. Once the reset has passed,
// the remaining count is reported as the full limit, since the window has
// started again.
func (b *Budget) Snapshot() Snapshot {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := Snapshot{Name: b.name, Limit: b.limit, Remaining: b.remaining, Reset: b.reset, Known: b.known}
	if s.Known && !s.Reset.IsZero() && !b.now().Before(s.Reset) && s.Limit > 0 {
		s.Remaining = s.Limit
	}
	return s
}

// family names one platform's set of rate-limit headers, in canonical form.
type family struct {
	limit, remaining, reset string
	used                    string // Reddit sends used instead of limit
	policy                  string // RateLimit-Policy carries the limit
}

// families are tried in order; the first with a remaining count wins.
// x-rate-limit-* and X-RateLimit-* are distinct canonical keys.
var families = []family{
	{limit: "X-Rate-Limit-Limit", remaining: "X-Rate-Limit-Remaining", reset: "X-Rate-Limit-Reset"},
	{limit: "X-Ratelimit-Limit", remaining: "X-Ratelimit-Remaining", reset: "X-Ratelimit-Reset", used: "X-Ratelimit-Used"},
	{limit: "Ratelimit-Limit", remaining: "Ratelimit-Remaining", reset: "Ratelimit-Reset", policy: "Ratelimit-Policy"},
}

// intHeader reads a non-negative count, accepting Reddit's "99.0" (rounded
// down, so a fractional request left counts as none).
func intHeader(h http.Header, key string) (int, bool) {
	v := strings.TrimSpace(h.Get(key))
	if v == "" || v[0] < '0' || v[0] > '9' {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// policyLimit reads the quota from a RateLimit-Policy such as "3000;w=300"
// (several policies may be listed; the first is used).
func policyLimit(v string) (int, bool) {
	v, _, _ = strings.Cut(v, ",")
	v, _, _ = strings.Cut(v, ";")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
