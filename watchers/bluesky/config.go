package bluesky

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Platform limits and defaults. See
// https://docs.bsky.app/docs/api/app-bsky-feed-get-author-feed and
// https://github.com/bluesky-social/jetstream#consuming-jetstream.
const (
	// DefaultBaseURL is the public, unauthenticated AppView.
	DefaultBaseURL = "https://public.api.bsky.app"
	// DefaultJetstreamURL is used when keyword watches need the stream
	// and the config names no Jetstream host.
	DefaultJetstreamURL = "wss://jetstream2.us-east.bsky.network/subscribe"
	// PageLimit is getAuthorFeed's largest page (limit 1-100).
	PageLimit = 100
	// DefaultMaxPages bounds how far one poll pages back through one
	// account's feed looking for the last post it saw.
	DefaultMaxPages = 10
	// MaxWantedDids is Jetstream's cap on wantedDids per connection; more
	// accounts are spread over several connections.
	MaxWantedDids = 10_000
	// ReplayWindow is how far back Jetstream replays from a cursor; older
	// cursors are clamped, so a longer outage may have lost events.
	ReplayWindow = 36 * time.Hour
	// maxTextBytes is the lexicon's limit on a post's text
	// (app.bsky.feed.post: maxLength 3000). Longer text comes from a
	// misbehaving PDS and is cut.
	maxTextBytes = 3000
	// maxFrameBytes limits one Jetstream message.
	maxFrameBytes = 1 << 20
)

// Options configures the Bluesky adapter. Zero values take the defaults.
type Options struct {
	// BaseURL is the XRPC host for getAuthorFeed, resolveHandle and
	// getProfile.
	BaseURL string
	// JetstreamURL is the Jetstream /subscribe endpoint. When set, every
	// bluesky watch is served by the stream; when empty, the stream runs
	// (on DefaultJetstreamURL) only while keyword watches exist.
	JetstreamURL string
	// MaxPages bounds the pages one poll reads per account.
	MaxPages int
	// PageSize is the getAuthorFeed limit (1-100).
	PageSize int
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Validate reports options that make no sense.
func (o Options) Validate() error {
	var errs []error
	for _, u := range []struct{ key, v string }{{"base_url", o.BaseURL}, {"jetstream_url", o.JetstreamURL}} {
		if u.v == "" {
			continue
		}
		p, err := url.Parse(u.v)
		if err != nil || p.Host == "" {
			errs = append(errs, fmt.Errorf("bluesky: %s %q is not an absolute URL", u.key, u.v))
		}
	}
	if o.MaxPages < 0 {
		errs = append(errs, fmt.Errorf("bluesky: max_pages %d must not be negative", o.MaxPages))
	}
	if o.PageSize < 0 || o.PageSize > PageLimit {
		errs = append(errs, fmt.Errorf("bluesky: page size %d must be 1-%d", o.PageSize, PageLimit))
	}
	return errors.Join(errs...)
}

func (o Options) withDefaults() Options {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.PageSize <= 0 {
		o.PageSize = PageLimit
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
