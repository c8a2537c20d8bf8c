package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
)

// fetcher is the part of *httpx.Client the watcher needs.
type fetcher interface {
	Get(ctx context.Context, url string, header http.Header) (*httpx.Response, error)
}

// instance is one Mastodon server requests go to: the configured one
// (trusted, with the access token) or an account's home instance (reached
// through the guarded client, never with the token).
type instance struct {
	base   string // scheme://host, no trailing slash
	domain string // completes local handles
	token  string
	client fetcher
	budget Budget // nil without budgets
	now    func() time.Time
}

// defaultRateLimitWait is the wait after a 429 that names no reset time.
// Mastodon's window is 5 minutes.
const defaultRateLimitWait = time.Minute

// errNotFound marks a 404 or 410: the account or tag is not there.
var errNotFound = errors.New("not found")

// get fetches path with query from the instance, within its rate-limit
// budget, and returns the response or a classified error (see classify).
func (in *instance) get(ctx context.Context, path string, query url.Values) (*httpx.Response, error) {
	if in.budget != nil {
		if err := in.budget.Wait(ctx, budgetReserve); err != nil {
			return nil, fmt.Errorf("wait for %s rate limit: %w", in.domain, err)
		}
	}
	u := in.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	h := http.Header{"Accept": {"application/json"}}
	if in.token != "" {
		h.Set("Authorization", "Bearer "+in.token)
	}
	resp, err := in.client.Get(ctx, u, h)
	if err != nil {
		return nil, in.classify(err)
	}
	if in.budget != nil {
		in.budget.Update(resp.Header)
	}
	return resp, nil
}

// classify turns a fetch error into what the scheduler expects: a wait
// (*alerts.RetryAfterError) for a 429, alerts.ErrPermanent for rejected
// or missing credentials, errNotFound for 404 and 410, and the error
// itself (retried with backoff) for the rest.
func (in *instance) classify(err error) error {
	var se *httpx.StatusError
	if !errors.As(err, &se) {
		return err
	}
	switch se.Status {
	case http.StatusTooManyRequests:
		wait := se.RetryAfter
		if wait <= 0 {
			wait = defaultRateLimitWait
		}
		if in.budget != nil {
			in.budget.Block(in.now().Add(wait))
		}
		return &alerts.RetryAfterError{After: wait, Err: fmt.Errorf("rate limited by %s: %w", in.domain, err)}
	case http.StatusUnauthorized, http.StatusForbidden:
		if in.token != "" {
			return fmt.Errorf("credentials rejected by %s (check [sources.mastodon] access_token): %w: %w", in.domain, alerts.ErrPermanent, err)
		}
		return fmt.Errorf("%s refuses anonymous reads (set [sources.mastodon] access_token for the configured instance): %w: %w", in.domain, errRefused, err)
	case http.StatusNotFound, http.StatusGone:
		return fmt.Errorf("%w: %w", errNotFound, err)
	}
	return err
}

// errRefused marks a 401 or 403 to a request sent without a token. It
// wraps alerts.ErrPermanent: waiting will not change the instance's mind.
var errRefused = fmt.Errorf("%w: authentication required", alerts.ErrPermanent)

// transient reports whether an error may go away by itself: a network
// error, a timeout, a 5xx, a 429.
func transient(err error) bool {
	if errors.Is(err, errNotFound) || errors.Is(err, alerts.ErrPermanent) ||
		errors.Is(err, httpx.ErrBlockedAddress) || errors.Is(err, httpx.ErrBodyTooLarge) || errors.Is(err, errMalformed) {
		return false
	}
	var se *httpx.StatusError
	if errors.As(err, &se) {
		return se.Temporary()
	}
	return true
}

// errMalformed marks a response body that is not what the API promises.
var errMalformed = errors.New("malformed response")

func errMissing(what string, i int) error {
	return fmt.Errorf("%w: item %d has no %s", errMalformed, i, what)
}
