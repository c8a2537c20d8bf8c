package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/watchers"
)

// MaxRecheck bounds the statuses one Recheck looks up: Mastodon has no
// batch lookup by id, so each is one GET /api/v1/statuses/:id
// (https://docs.joinmastodon.org/methods/statuses/#get), which answers 404
// for a deleted status.
const MaxRecheck = 30

var _ watchers.Rechecker = (*Watcher)(nil)

// Recheck looks statuses up one by one on the instance that served them,
// at most MaxRecheck per call, and reports those answered with 404 or 410.
// Status ids are per instance: a status read for a watched account came
// from the account's home instance (or the configured one when the home
// refuses anonymous reads), one read from a hashtag timeline from the
// configured instance. A status of an account this process has not
// looked up yet is passed over, since asking the wrong instance would
// answer 404 for a status that exists. Only the half of an instance's
// window a poll would not need is spent.
func (w *Watcher) Recheck(ctx context.Context, posts []alerts.Post) (watchers.Rechecked, error) {
	var out watchers.Rechecked
	var passed []error
	requests := 0
	for ; out.Checked < len(posts); out.Checked++ {
		p := &posts[out.Checked]
		in, ok := w.servedBy(p)
		if !ok || p.ID == "" {
			continue
		}
		if requests == MaxRecheck {
			break
		}
		if !watchers.Spare(in.budget, 1) {
			return out, fmt.Errorf("recheck mastodon on %s: %w", in.domain, watchers.ErrBudgetReserved)
		}
		requests++
		resp, err := in.get(ctx, "/api/v1/statuses/"+url.PathEscape(p.ID), nil)
		switch {
		case errors.Is(err, errNotFound):
			out.Gone = append(out.Gone, watchers.Gone{ChainID: p.ChainID(), At: w.opts.Now().UTC(), Reason: watchers.ReasonDeleted})
			continue
		case err != nil && (errors.Is(err, alerts.ErrPermanent) || errors.Is(err, httpx.ErrBlockedAddress)):
			// This instance will not answer; the others may.
			passed = append(passed, fmt.Errorf("status %s on %s: %w", p.ID, in.domain, err))
			continue
		case err != nil:
			return out, fmt.Errorf("recheck mastodon: status %s on %s: %w", p.ID, in.domain, err)
		}
		var s struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(resp.Body, &s); err != nil || s.ID == "" {
			passed = append(passed, fmt.Errorf("status %s on %s: %w", p.ID, in.domain, errMalformed))
		}
	}
	if len(passed) > 0 {
		return out, fmt.Errorf("recheck mastodon: passed over: %w", errors.Join(passed...))
	}
	return out, nil
}

// servedBy returns the instance whose status ids p.ID belongs to, or false
// when that is not known.
func (w *Watcher) servedBy(p *alerts.Post) (*instance, bool) {
	if p.Account == "" {
		return w.local, true // hashtag timelines are read on the configured instance
	}
	ref, err := parseAccount(p.Account)
	if err != nil {
		return nil, false
	}
	if ref.domain == "" || w.isLocal(ref.domain) {
		return w.local, true
	}
	w.mu.Lock()
	st, ok := w.resolved[ref.key]
	w.mu.Unlock()
	if !ok {
		return nil, false
	}
	return w.home(ref, &st), true
}
