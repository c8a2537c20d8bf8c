package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// resolve looks an account up and returns its cursor entry (without
// min_id). Results are cached across watches.
//
// An account with a domain is looked up on its home instance, which holds
// all its statuses. If the home instance refuses (it requires logins, it
// is not where the API lives, the SSRF guard blocks it, it answers
// nonsense), the configured instance is asked for "user@domain" instead
// and serves the account from then on, with only the statuses that
// federated to it. A home instance that is down is an error, retried
// later: switching instances would need a new baseline.
func (w *Watcher) resolve(ctx context.Context, ref accountRef) (accountState, error) {
	w.mu.Lock()
	st, ok := w.resolved[ref.key]
	w.mu.Unlock()
	if ok {
		return st, nil
	}
	home := w.home(ref, &accountState{})
	a, err := lookup(ctx, home, ref.user)
	local := false
	if err != nil && home != w.local && !transient(err) {
		home, local = w.local, true
		a, err = lookup(ctx, w.local, ref.user+"@"+ref.domain)
	}
	if err != nil {
		return accountState{}, err
	}
	domain := ref.domain
	if domain == "" {
		domain = hostname(w.local.domain)
	}
	st = accountState{ID: a.ID, URI: authorID(a), Acct: strings.TrimPrefix(handle(a, domain), "@"), Local: local}
	if st.URI == "" {
		return accountState{}, fmt.Errorf("lookup on %s: %w: account has neither uri nor url", home.domain, errMalformed)
	}
	w.mu.Lock()
	w.resolved[ref.key] = st
	w.mu.Unlock()
	return st, nil
}

// forget drops a cached account, so the next use looks it up again.
func (w *Watcher) forget(key string) {
	w.mu.Lock()
	delete(w.resolved, key)
	w.mu.Unlock()
}

// lookup calls GET /api/v1/accounts/lookup?acct=… (Mastodon 3.4+). It
// needs no token, although the docs say otherwise.
// https://docs.joinmastodon.org/methods/accounts/#lookup
func lookup(ctx context.Context, in *instance, acct string) (*account, error) {
	resp, err := in.get(ctx, "/api/v1/accounts/lookup", url.Values{"acct": {acct}})
	if err != nil {
		return nil, fmt.Errorf("lookup on %s: %w", in.domain, err)
	}
	a, err := decodeAccount(resp.Body)
	if err != nil {
		if !errors.Is(err, errMalformed) {
			err = fmt.Errorf("%w: %w", errMalformed, err)
		}
		return nil, fmt.Errorf("lookup on %s: %w", in.domain, err)
	}
	return a, nil
}
