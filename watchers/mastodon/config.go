package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Limits and defaults. See https://docs.joinmastodon.org/methods/accounts/#statuses
// and https://docs.joinmastodon.org/methods/timelines/#tag.
const (
	// pageLimit is the largest page Mastodon serves for statuses and tag
	// timelines; servers silently cap larger values at 40.
	pageLimit = 40
	// DefaultMaxPages bounds the pages one poll reads per account or tag.
	// What is left is read by the next poll: min_id paging never skips.
	DefaultMaxPages = 10
	// DefaultConcurrency is how many accounts and tags one poll fetches at
	// once.
	DefaultConcurrency = 4
	// budgetReserve is how many requests of a rate-limit window are left
	// untouched, for lookups and other replicas.
	budgetReserve = 5
	// goneRecheck is how long an account that was not found is skipped
	// before it is looked up again.
	goneRecheck = 24 * time.Hour
	// maxTextBytes caps Post.Text; a status is at most 500 characters on
	// vanilla Mastodon, but forks allow far more.
	maxTextBytes = 64 << 10
)

// Budget tracks one instance's rate limit, shared by every watch that
// reads it (an *ratelimit.Budget fits): Update reads a response's
// X-RateLimit-* headers, Block records a 429 until the given time, and
// Wait blocks until a request may be sent with reserve requests to spare
// (or returns an *alerts.RetryAfterError when that is too far away).
type Budget interface {
	Update(h http.Header)
	Block(until time.Time)
	Wait(ctx context.Context, reserve int) error
}

// Options configures a Watcher.
type Options struct {
	// BaseURL is the configured instance, e.g. "https://mastodon.social".
	// It serves hashtag timelines, accounts without a domain, and accounts
	// whose home instance refuses anonymous reads.
	BaseURL string
	// AccessToken is sent to BaseURL only, never to other instances.
	// Optional.
	AccessToken string
	// InstanceURL maps an account's domain to its home instance's base
	// URL; nil means "https://" + domain. Tests point it at fakes.
	InstanceURL func(domain string) string
	// Budget returns the rate-limit budget of an instance host ("host" or
	// "host:port"); nil disables budgets (429s are still honoured).
	Budget func(host string) Budget
	// MaxPages bounds the pages read per account or tag per poll; zero
	// means DefaultMaxPages.
	MaxPages int
	// Concurrency bounds the accounts and tags fetched at once; zero means
	// DefaultConcurrency.
	Concurrency int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Validate reports options that cannot work.
func (o Options) Validate() error {
	var errs []error
	u, err := url.Parse(o.BaseURL)
	switch {
	case o.BaseURL == "":
		errs = append(errs, errors.New("mastodon: base_url is required"))
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		errs = append(errs, fmt.Errorf("mastodon: base_url %q must be an http or https URL", o.BaseURL))
	}
	if o.MaxPages < 0 {
		errs = append(errs, fmt.Errorf("mastodon: max pages %d must not be negative", o.MaxPages))
	}
	if o.Concurrency < 0 {
		errs = append(errs, fmt.Errorf("mastodon: concurrency %d must not be negative", o.Concurrency))
	}
	return errors.Join(errs...)
}

func (o Options) withDefaults() Options {
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.InstanceURL == nil {
		o.InstanceURL = func(domain string) string { return "https://" + domain }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
