package httpx

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
		wantOK bool
	}{
		{"none", http.Header{}, 0, false},
		{"seconds", http.Header{"Retry-After": {"120"}}, 2 * time.Minute, true},
		{"zero seconds", http.Header{"Retry-After": {"0"}}, 0, true},
		{"padded seconds", http.Header{"Retry-After": {" 5 "}}, 5 * time.Second, true},
		{"http date", http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second, true},
		{"http date in the past", http.Header{"Retry-After": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 0, true},
		{"negative seconds", http.Header{"Retry-After": {"-5"}}, 0, false},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0, false},
		{"NaN", http.Header{"Retry-After": {"NaN"}}, 0, false},
		{"huge seconds capped", http.Header{"Retry-After": {"99999999999999999999"}}, MaxRetryAfter, true},
		{"far date capped", http.Header{"Retry-After": {now.Add(48 * time.Hour).Format(http.TimeFormat)}}, MaxRetryAfter, true},
		{"x epoch reset", http.Header{"X-Rate-Limit-Reset": {strconv.FormatInt(now.Add(15*time.Minute).Unix(), 10)}}, 15 * time.Minute, true},
		{"x epoch reset lower-case key", http.Header{http.CanonicalHeaderKey("x-rate-limit-reset"): {strconv.FormatInt(now.Add(time.Minute).Unix(), 10)}}, time.Minute, true},
		{"x epoch reset passed", http.Header{"X-Rate-Limit-Reset": {strconv.FormatInt(now.Add(-time.Minute).Unix(), 10)}}, 0, true},
		{"mastodon iso reset", http.Header{"X-Ratelimit-Reset": {"2025-06-01T12:05:00.123456Z"}}, 5*time.Minute + 123456*time.Microsecond, true},
		{"reddit seconds until reset", http.Header{"X-Ratelimit-Reset": {"299.0"}}, 299 * time.Second, true},
		{"bluesky epoch reset", http.Header{"Ratelimit-Reset": {strconv.FormatInt(now.Add(30*time.Second).Unix(), 10)}}, 30 * time.Second, true},
		{"ietf delta reset", http.Header{"Ratelimit-Reset": {"42"}}, 42 * time.Second, true},
		{"retry-after wins over reset", http.Header{"Retry-After": {"3"}, "Ratelimit-Reset": {"42"}}, 3 * time.Second, true},
		{"garbage retry-after falls back to reset", http.Header{"Retry-After": {"x"}, "Ratelimit-Reset": {"42"}}, 42 * time.Second, true},
		{"garbage reset", http.Header{"X-Ratelimit-Reset": {"tomorrow"}}, 0, false},
		{"huge epoch capped", http.Header{"X-Rate-Limit-Reset": {"99999999999"}}, MaxRetryAfter, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := RetryAfter(tt.header, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("RetryAfter(%v) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func FuzzRetryAfter(f *testing.F) {
	f.Add("Retry-After", "120", int64(1748779200))
	f.Add("Retry-After", "Sun, 01 Jun 2025 12:01:00 GMT", int64(1748779200))
	f.Add("X-Rate-Limit-Reset", "1748780100", int64(1748779200))
	f.Add("X-Ratelimit-Reset", "2025-06-01T12:05:00.123456Z", int64(1748779200))
	f.Add("Ratelimit-Reset", "1e308", int64(0))
	f.Fuzz(func(t *testing.T, key, value string, now int64) {
		h := http.Header{}
		h.Set(key, value)
		d, ok := RetryAfter(h, time.Unix(now, 0))
		if d < 0 || d > MaxRetryAfter {
			t.Fatalf("RetryAfter(%q: %q) = %v, out of [0, %v]", key, value, d, MaxRetryAfter)
		}
		if !ok && d != 0 {
			t.Fatalf("RetryAfter(%q: %q) = %v, false; want 0 when not ok", key, value, d)
		}
	})
}

func TestBackoffCappedByRetryWaitMax(t *testing.T) {
	c := New(Options{RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond})
	tests := []struct {
		name    string
		status  int
		header  http.Header
		attempt int
		want    time.Duration
	}{
		{"exponential", http.StatusInternalServerError, nil, 2, 4 * time.Millisecond},
		{"exponential capped", http.StatusInternalServerError, nil, 10, 10 * time.Millisecond},
		{"retry-after honoured", http.StatusTooManyRequests, http.Header{"Retry-After": {"0"}}, 3, 0},
		{"retry-after capped", http.StatusServiceUnavailable, http.Header{"Retry-After": {"3600"}}, 0, 10 * time.Millisecond},
		{"retry-after ignored on 500", http.StatusInternalServerError, http.Header{"Retry-After": {"0"}}, 1, 2 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.status, Header: tt.header}
			if got := c.backoff(time.Millisecond, 10*time.Millisecond, tt.attempt, resp); got != tt.want {
				t.Errorf("backoff = %v; want %v", got, tt.want)
			}
		})
	}
}
