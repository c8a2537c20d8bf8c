package httpx

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// MaxRetryAfter caps every wait parsed by RetryAfter, so a bogus or hostile
// header cannot park a watcher for days.
const MaxRetryAfter = time.Hour

// epochThreshold separates epoch timestamps from delta seconds in reset
// headers whose unit varies by platform: Reddit's X-Ratelimit-Reset is
// seconds until the window ends, Bluesky's RateLimit-Reset and X's
// x-rate-limit-reset are Unix seconds. Any value at or above this (2001-09-09)
// is read as a Unix time.
const epochThreshold = 1_000_000_000

// RetryAfter reports how long the server asked the client to wait, relative
// to now. It reads, in order:
//
//   - Retry-After: delay seconds or an HTTP-date (RFC 9110 §10.2.3);
//   - x-rate-limit-reset: Unix seconds (X API v2);
//   - X-RateLimit-Reset: ISO 8601 time (Mastodon, with microseconds) or
//     seconds until reset (Reddit);
//   - RateLimit-Reset: Unix seconds (Bluesky) or delta seconds (IETF draft).
//
// A time in the past yields 0. The result is capped at MaxRetryAfter. The
// boolean is false when no header holds a usable value.
//
// See https://docs.x.com/x-api/fundamentals/rate-limits,
// https://docs.joinmastodon.org/api/rate-limits/ and
// https://docs.bsky.app/docs/advanced-guides/rate-limits.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, ok := parseSeconds(v); ok {
			return secondsToDuration(secs), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return until(t, now), true
		}
	}
	// x-rate-limit-reset and X-RateLimit-Reset are distinct canonical keys.
	for _, key := range []string{"X-Rate-Limit-Reset", "X-Ratelimit-Reset", "Ratelimit-Reset"} {
		v := strings.TrimSpace(h.Get(key))
		if v == "" {
			continue
		}
		if d, ok := parseReset(v, now); ok {
			return d, true
		}
	}
	return 0, false
}

// parseReset reads a rate-limit reset value: Unix seconds, delta seconds or
// an ISO 8601 timestamp.
func parseReset(v string, now time.Time) (time.Duration, bool) {
	if secs, ok := parseSeconds(v); ok {
		if secs >= epochThreshold {
			whole, frac := math.Modf(secs)
			return until(time.Unix(int64(whole), int64(frac*1e9)), now), true
		}
		return secondsToDuration(secs), true
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return until(t, now), true
	}
	return 0, false
}

// parseSeconds parses a non-negative, finite decimal number of seconds.
// Fractions are accepted because Reddit sends values such as "299.0".
func parseSeconds(v string) (float64, bool) {
	if v == "" || (v[0] != '.' && (v[0] < '0' || v[0] > '9')) {
		// Rejects signs, "NaN", "Inf" and hex floats up front.
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, false
	}
	return f, true
}

func secondsToDuration(secs float64) time.Duration {
	if secs >= MaxRetryAfter.Seconds() {
		return MaxRetryAfter
	}
	return time.Duration(secs * float64(time.Second))
}

func until(t, now time.Time) time.Duration {
	d := t.Sub(now)
	switch {
	case d < 0:
		return 0
	case d > MaxRetryAfter:
		return MaxRetryAfter
	}
	return d
}

// isIdempotent reports whether a request with this method may be sent again
// after an ambiguous failure without side effects.
func isIdempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return false
}

// serverWait returns the wait requested by a 429 or 503 response.
func (c *Client) serverWait(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	return RetryAfter(resp.Header, c.now())
}

// checkRetry is the retryablehttp.CheckRetry for idempotent requests. It
// retries network errors and 5xx (except 501), and 429/503 only when the
// server's requested wait fits within RetryWaitMax; a longer wait is handed
// back to the caller as a StatusError instead of blocking a worker. It never
// returns an error, so the transport error or response survives
// PassthroughErrorHandler untouched.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, nil
	}
	if err != nil {
		if errors.Is(err, ErrBlockedAddress) {
			return false, nil
		}
		// Reuse the library's list of permanent transport errors
		// (redirect loops, bad scheme, invalid header, untrusted cert).
		retry, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
		return retry, nil
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		if d, ok := c.serverWait(resp); ok && d > c.waitMax {
			return false, nil
		}
		return true, nil
	case code == 0, code >= 500 && code != http.StatusNotImplemented:
		return true, nil
	}
	return false, nil
}

// noRetry is the retryablehttp.CheckRetry for non-idempotent requests: a POST
// that timed out may have been applied, so it is never sent twice.
func noRetry(context.Context, *http.Response, error) (bool, error) {
	return false, nil
}

// backoff wraps retryablehttp.DefaultBackoff so that every wait, including
// one taken from Retry-After, is capped by RetryWaitMax
// (hashicorp/go-retryablehttp#247).
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	var d time.Duration
	if wait, ok := c.serverWait(resp); ok {
		d = wait
	} else {
		// A nil response keeps DefaultBackoff from reading Retry-After itself.
		d = retryablehttp.DefaultBackoff(minWait, maxWait, attempt, nil)
	}
	return min(d, maxWait)
}
