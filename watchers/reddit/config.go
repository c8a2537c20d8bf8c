package reddit

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/internal/ratelimit"
)

// Defaults applied to zero Options fields. Endpoints and limits are from
// Reddit's API docs (https://www.reddit.com/dev/api) and Data API wiki
// (https://support.reddithelp.com/hc/en-us/articles/16160319875092).
const (
	// DefaultBaseURL serves the token endpoint, /api/v1/access_token.
	DefaultBaseURL = "https://www.reddit.com"
	// DefaultAPIURL serves every OAuth-authenticated read.
	DefaultAPIURL = "https://oauth.reddit.com"
	// MaxPageLimit is the most items a listing returns per request.
	MaxPageLimit = 100
	// DefaultMaxPages bounds how far one poll pages back with after= before
	// reporting a possible gap. Listings end at about 1,000 items anyway.
	DefaultMaxPages = 10
	// DefaultReserve is how many requests of the rate-limit window are left
	// unspent, for other watches sharing the app and for retries.
	DefaultReserve = 2
	// maxQueryLength is Reddit's limit on a search query.
	maxQueryLength = 512
)

// publicURL is the base of post links on cards.
const publicURL = "https://www.reddit.com"

// Options configures a Watcher.
type Options struct {
	// BaseURL serves the token endpoint; default DefaultBaseURL.
	BaseURL string
	// APIURL serves listings and searches; default DefaultAPIURL.
	APIURL string
	// ClientID and ClientSecret are the app's OAuth credentials
	// (application-only grant, client_credentials).
	ClientID, ClientSecret string
	// UserAgent is required and must describe the app and its Reddit
	// account; see CheckUserAgent.
	UserAgent string
	// PageLimit is the listing page size; default and maximum 100.
	PageLimit int
	// MaxPages is how many pages one poll of one listing may read; default
	// DefaultMaxPages.
	MaxPages int
	// Budget tracks the app's rate limit from Reddit's X-Ratelimit-*
	// headers; share one per client id. Nil makes a private one.
	Budget *ratelimit.Budget
	// Reserve is how many requests to leave in the window; default
	// DefaultReserve.
	Reserve int
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Validate reports every problem with the options.
func (o Options) Validate() error {
	var errs []error
	if o.ClientID == "" || o.ClientSecret == "" {
		errs = append(errs, errors.New("reddit: client_id and client_secret are required (an approved Reddit app); without one, watch https://www.reddit.com/r/SUB/new/.rss with the feed source"))
	}
	if err := CheckUserAgent(o.UserAgent); err != nil {
		errs = append(errs, err)
	}
	for _, u := range []struct{ key, raw string }{{"base_url", o.BaseURL}, {"api_url", o.APIURL}} {
		if u.raw == "" {
			continue
		}
		p, err := url.Parse(u.raw)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			errs = append(errs, fmt.Errorf("reddit: %s must be an absolute http or https URL", u.key))
		}
	}
	if o.PageLimit < 0 || o.PageLimit > MaxPageLimit {
		errs = append(errs, fmt.Errorf("reddit: page limit %d must be between 1 and %d", o.PageLimit, MaxPageLimit))
	}
	if o.MaxPages < 0 || o.Reserve < 0 {
		errs = append(errs, errors.New("reddit: max pages and reserve must not be negative"))
	}
	return errors.Join(errs...)
}

func (o Options) withDefaults() Options {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	if o.APIURL == "" {
		o.APIURL = DefaultAPIURL
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	o.APIURL = strings.TrimRight(o.APIURL, "/")
	if o.PageLimit <= 0 || o.PageLimit > MaxPageLimit {
		o.PageLimit = MaxPageLimit
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.Reserve <= 0 {
		o.Reserve = DefaultReserve
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Budget == nil {
		o.Budget = ratelimit.New("reddit", o.Now)
	}
	return o
}

// genericAgents are User-Agent prefixes of HTTP libraries and browsers.
// Reddit "drastically limits" generic agents and forbids spoofing browsers
// (https://github.com/reddit-archive/reddit/wiki/API#rules).
var genericAgents = []string{
	"mozilla", "curl", "wget", "python", "go-http-client", "okhttp", "java", "axios", "node-fetch",
	"undici", "libwww", "httpie", "postman", "gofeed", "lookout/", "lookout (",
}

// CheckUserAgent reports whether ua is the descriptive User-Agent Reddit
// requires: "<platform>:<app ID>:<version> (by /u/<username>)", e.g.
// "linux:org.example.lookout:v1.2 (by /u/example)".
func CheckUserAgent(ua string) error {
	const form = `like "lookout:org.example.lookout:v1.0 (by /u/yourname)"`
	l := strings.ToLower(strings.TrimSpace(ua))
	switch {
	case l == "":
		return fmt.Errorf("reddit: user_agent is required: Reddit throttles or blocks requests without a descriptive User-Agent; use one %s", form)
	case !strings.Contains(l, "by /u/") && !strings.Contains(l, "by u/"):
		return fmt.Errorf("reddit: user_agent %q must name your Reddit account with \"(by /u/NAME)\": Reddit throttles generic User-Agents; use one %s", ua, form)
	case strings.Contains(l, "/u/yourname") || strings.Contains(l, "/u/example)") || strings.Contains(l, "/u/name)"):
		return fmt.Errorf("reddit: user_agent %q still has the example account: put your own Reddit username after /u/", ua)
	}
	for _, g := range genericAgents {
		if strings.HasPrefix(l, g) {
			return fmt.Errorf("reddit: user_agent %q looks like a generic HTTP client or browser, which Reddit throttles or blocks; use one %s", ua, form)
		}
	}
	return nil
}
