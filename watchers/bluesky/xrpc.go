package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
)

// fetcher is the part of *httpx.Client the adapter needs.
type fetcher interface {
	Get(ctx context.Context, url string, header http.Header) (*httpx.Response, error)
}

// Budget tracks a rate-limit budget shared by every request to one host
// (internal/ratelimit.Budget fits). Wait blocks while fewer than reserve
// requests remain before the window resets; Update reads the
// RateLimit-* headers of a response.
type Budget interface {
	Wait(ctx context.Context, reserve int) error
	Update(h http.Header)
}

// blocker is a Budget that can be told to hold every request until a
// time, after a 429.
type blocker interface{ Block(until time.Time) }

// reserveRequests is how many requests of the AppView's window are kept
// back, so Lookout slows down before the limit rather than hitting it.
const reserveRequests = 5

// defaultRetryAfter is the wait after a 429 that named none.
const defaultRetryAfter = time.Minute

// client calls XRPC query endpoints (GET /xrpc/<NSID>).
type client struct {
	http   fetcher
	base   string
	budget Budget
}

// get calls nsid with params and decodes the JSON body into out. Statuses
// become errors callers can classify: 401 and 403 wrap
// alerts.ErrPermanent (credentials rejected, the endpoint needs a login),
// 400 wraps it too (XRPC's "ActorNotFound", "AccountTakedown" and the
// like do not fix themselves), 429 is an *alerts.RetryAfterError, and a
// body that is not the expected JSON is an error that moves no cursor.
func (c *client) get(ctx context.Context, nsid string, params url.Values, out any) error {
	if c.budget != nil {
		if err := c.budget.Wait(ctx, reserveRequests); err != nil {
			return fmt.Errorf("%s: wait for rate limit: %w", nsid, err)
		}
	}
	u := strings.TrimRight(c.base, "/") + "/xrpc/" + nsid
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	resp, err := c.http.Get(ctx, u, http.Header{"Accept": {"application/json"}})
	if err != nil {
		err = classify(nsid, err)
		if after, ok := alerts.RetryAfter(err); ok {
			if b, ok := c.budget.(blocker); ok {
				// Every watch sharing the budget waits, not just this one.
				b.Block(time.Now().Add(after))
			}
		}
		return err
	}
	if c.budget != nil {
		c.budget.Update(resp.Header)
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return fmt.Errorf("%s: malformed response: %w", nsid, err)
	}
	return nil
}

// classify turns a transport error into one the scheduler understands.
func classify(nsid string, err error) error {
	var se *httpx.StatusError
	if !errors.As(err, &se) {
		return fmt.Errorf("%s: %w", nsid, err)
	}
	var body xrpcError
	_ = json.Unmarshal([]byte(se.Body), &body)
	detail := ""
	if body.Error != "" {
		detail = " (" + body.Error
		if body.Message != "" {
			detail += ": " + body.Message
		}
		detail += ")"
	}
	switch {
	case se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden:
		return fmt.Errorf("%s: credentials rejected%s: %w: %w", nsid, detail, alerts.ErrPermanent, err)
	case se.Status == http.StatusBadRequest:
		return fmt.Errorf("%s: request refused%s: %w: %w", nsid, detail, alerts.ErrPermanent, err)
	case se.Status == http.StatusTooManyRequests:
		after := se.RetryAfter
		if after <= 0 {
			after = defaultRetryAfter
		}
		return &alerts.RetryAfterError{After: after, Err: fmt.Errorf("%s: rate limited%s: %w", nsid, detail, err)}
	}
	return fmt.Errorf("%s%s: %w", nsid, detail, err)
}
