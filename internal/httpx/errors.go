package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrBodyTooLarge is returned when a response body exceeds Options.MaxBodyBytes.
var ErrBodyTooLarge = errors.New("response body too large")

// ErrBlockedAddress is returned by guarded clients for a destination they
// refuse: a blocked IP range, a cloud metadata address, or a scheme other
// than http and https.
var ErrBlockedAddress = errors.New("address not allowed")

// maxErrorBody is how much of a non-2xx response body StatusError keeps.
const maxErrorBody = 512

// StatusError is returned by Client.Do and Client.Get for any response that
// is neither 2xx nor 304 once retries are exhausted. A 429 or 503 that asks
// the caller to wait carries that wait in RetryAfter; callers that run as
// jobs turn it into a snooze.
type StatusError struct {
	// Method is the request method, e.g. "GET".
	Method string
	// Status is the HTTP status code.
	Status int
	// URL is the final request URL with secrets redacted.
	URL string
	// RetryAfter is the wait the server asked for (Retry-After or a
	// rate-limit reset header), capped at MaxRetryAfter; zero when absent.
	RetryAfter time.Duration
	// Body is the start of the response body (at most 512 bytes), valid
	// UTF-8 with control characters replaced and secrets redacted.
	Body string
}

// Error returns e.g. "GET https://host/path: 404 Not Found".
func (e *StatusError) Error() string {
	text := http.StatusText(e.Status)
	if text == "" {
		return fmt.Sprintf("%s %s: %d", e.Method, e.URL, e.Status)
	}
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Status, text)
}

// Temporary reports whether the same request may succeed later: 408, 425,
// 429 and every 5xx.
func (e *StatusError) Temporary() bool {
	switch {
	case e.Status == http.StatusRequestTimeout,
		e.Status == http.StatusTooEarly,
		e.Status == http.StatusTooManyRequests,
		e.Status >= 500 && e.Status <= 599:
		return true
	}
	return false
}

// redactedError makes sure an error's text never carries a secret while
// keeping it usable with errors.Is and errors.As.
type redactedError struct {
	err error
}

func (e *redactedError) Error() string { return Redact(e.err.Error()) }

func (e *redactedError) Unwrap() error { return e.err }

// sanitizeBody turns the start of an error body into a short, printable,
// secret-free string.
func sanitizeBody(b []byte) string {
	if len(b) > maxErrorBody {
		b = b[:maxErrorBody]
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = Redact(strings.TrimSpace(s))
	return truncateUTF8(s, maxErrorBody)
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
