package telegram

import (
	"fmt"
	"net/url"
	"time"
)

// Defaults applied to zero Options fields.
const (
	// DefaultBaseURL is where public channel previews live.
	DefaultBaseURL = "https://t.me"
	// DefaultMinInterval is the shortest time between two fetches of the
	// same channel's newest page. Telegram publishes no rate limits for
	// t.me and sends no rate-limit headers, so we stay polite: about one
	// request per channel per minute, whatever the watches' intervals.
	DefaultMinInterval = time.Minute
	// DefaultMaxPages bounds how far one poll pages back with ?before=
	// (about 20 messages a page) before reporting a possible gap.
	DefaultMaxPages = 5
)

// publicURL is the base of post links on cards: always the real t.me, even
// when BaseURL points at a mirror or a test server.
const publicURL = "https://t.me"

// Options configures a Watcher. The zero value is ready to use.
type Options struct {
	// BaseURL is the preview site; default DefaultBaseURL ([sources.telegram]
	// base_url).
	BaseURL string
	// MinInterval is the least time between fetches of one channel's newest
	// page; polls in between reuse the last page. Default DefaultMinInterval.
	MinInterval time.Duration
	// MaxPages is how many pages one poll of one channel may read; default
	// DefaultMaxPages.
	MaxPages int
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Validate reports options that make no sense.
func (o Options) Validate() error {
	if o.BaseURL != "" {
		u, err := url.Parse(o.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("telegram: base_url must be an absolute http or https URL")
		}
	}
	if o.MinInterval < 0 {
		return fmt.Errorf("telegram: min interval %s must not be negative", o.MinInterval)
	}
	if o.MaxPages < 0 {
		return fmt.Errorf("telegram: max pages %d must not be negative", o.MaxPages)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	for len(o.BaseURL) > 0 && o.BaseURL[len(o.BaseURL)-1] == '/' {
		o.BaseURL = o.BaseURL[:len(o.BaseURL)-1]
	}
	if o.MinInterval == 0 {
		o.MinInterval = DefaultMinInterval
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
