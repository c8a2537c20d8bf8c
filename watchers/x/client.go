package x

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/internal/ratelimit"
)

// fetcher is the part of *httpx.Client the watcher needs.
type fetcher interface {
	Get(ctx context.Context, url string, header http.Header) (*httpx.Response, error)
}

// endpoint is one X API route with its own rate-limit window.
type endpoint struct {
	// budget names the window in the shared registry. X counts each
	// endpoint separately, per app.
	budget string
}

var (
	searchEndpoint   = endpoint{budget: "x:app:search"}
	timelineEndpoint = endpoint{budget: "x:app:timelines"}
	usersEndpoint    = endpoint{budget: "x:app:users"}
)

// get sends one authenticated GET, after waiting for the endpoint's budget
// if it is spent, and records the budget the response announces.
func (w *Watcher) get(ctx context.Context, ep endpoint, path string, q url.Values) ([]byte, error) {
	b := w.opts.Budgets.Get(ep.budget, w.opts.Now)
	if err := b.Wait(ctx, reserve); err != nil {
		return nil, err
	}
	u := w.opts.BaseURL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	resp, err := w.client.Get(ctx, u, http.Header{
		"Authorization": {"Bearer " + w.opts.BearerToken},
		"Accept":        {"application/json"},
	})
	if err != nil {
		return nil, w.classify(b, err)
	}
	b.Update(resp.Header)
	return resp.Body, nil
}

// classify turns an HTTP failure into what the scheduler acts on:
// rejected credentials are permanent, a 429 with a reset becomes a
// RetryAfterError (and spends the shared budget until then).
func (w *Watcher) classify(b *ratelimit.Budget, err error) error {
	var se *httpx.StatusError
	if !errors.As(err, &se) {
		return err
	}
	switch se.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("credentials rejected (HTTP %d: %s): %w", se.Status, se.Body, alerts.ErrPermanent)
	case http.StatusBadRequest:
		// A query X refuses (too long, bad operator) fails the same way
		// on every poll.
		return fmt.Errorf("request refused (HTTP 400: %s): %w", se.Body, alerts.ErrPermanent)
	case http.StatusTooManyRequests:
		if se.RetryAfter > 0 {
			b.Block(w.opts.Now().Add(se.RetryAfter))
			return &alerts.RetryAfterError{After: se.RetryAfter, Err: err}
		}
	}
	return err
}
