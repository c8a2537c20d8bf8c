package x

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/lookoutbot/lookout/internal/ratelimit"
)

// DefaultBaseURL is the X API host.
const DefaultBaseURL = "https://api.x.com"

// Limits of the X API v2, from https://docs.x.com/x-api/fundamentals/rate-limits,
// https://docs.x.com/x-api/posts/search/integrate/build-a-query and
// https://docs.x.com/x-api/posts/timelines/integrate.
const (
	// maxQueryLen is the recent-search query limit for self-serve access.
	maxQueryLen = 512
	// maxResults is the largest page of posts either endpoint returns.
	maxResults = 100
	// minSearchResults and minTimelineResults are the smallest pages.
	minSearchResults   = 10
	minTimelineResults = 5
	// maxUsernames is how many usernames one /2/users/by request resolves.
	maxUsernames = 100
	// searchWindow is how far back recent search reaches.
	searchWindow = 7 * 24 * time.Hour
	// timelineReach is how many of an account's newest posts its timeline
	// returns.
	timelineReach = 3200
)

// Our own choices.
const (
	// searchMargin keeps a since_id this far inside the search window, so
	// the request is not refused for a cursor that aged out in transit.
	searchMargin = 10 * time.Minute
	// newStreamSlack starts a newly added account or keyword this long
	// before now, covering clock skew and search indexing delay; posts
	// fetched twice are deduplicated downstream.
	newStreamSlack = time.Minute
	// checkpointLag is how far behind now a caught-up stream's cursor
	// moves when nothing newer arrived; far beyond search indexing delay.
	checkpointLag = time.Hour
	// DefaultMaxPages bounds the search pages one query fetches in one
	// poll; the rest is fetched by the next polls (see cursor.go).
	DefaultMaxPages = 10
	// maxKeywordClause is the longest keyword clause added to account
	// batches; longer keyword lists are left to our matcher alone, so that
	// batches still hold many accounts.
	maxKeywordClause = 160
	// reserve is how many requests of an endpoint's window are left
	// unused before Wait holds back, so a status check or a second replica
	// still gets through.
	reserve = 1
)

// Options configures a Watcher.
type Options struct {
	// BaseURL is the API root; default DefaultBaseURL. Tests and proxies
	// override it.
	BaseURL string
	// BearerToken is the app-only OAuth 2.0 token. Required.
	BearerToken string
	// Budgets holds the shared per-endpoint budgets of this token; nil
	// means a private registry.
	Budgets *ratelimit.Registry
	// PerAccount polls each account's timeline instead of batching
	// accounts into search queries: one request per account per poll, but
	// it reaches 3,200 posts back instead of 7 days.
	PerAccount bool
	// MaxPages bounds the search pages per query per poll; default
	// DefaultMaxPages.
	MaxPages int
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives debug lines; nil discards them.
	Logger *slog.Logger
}

// Validate reports options that make no sense.
func (o Options) Validate() error {
	var errs []error
	if o.BearerToken == "" {
		errs = append(errs, errors.New("x: bearer_token is required"))
	}
	if o.BaseURL != "" {
		u, err := url.Parse(o.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("x: base_url %q must be an http(s) URL", o.BaseURL))
		}
	}
	if o.MaxPages < 0 {
		errs = append(errs, fmt.Errorf("x: max pages %d must not be negative", o.MaxPages))
	}
	return errors.Join(errs...)
}

func (o Options) withDefaults() Options {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	if o.Budgets == nil {
		o.Budgets = ratelimit.NewRegistry()
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
