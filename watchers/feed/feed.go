// Package feed watches web feeds: RSS 2.0
// (https://www.rssboard.org/rss-specification), Atom (RFC 4287,
// https://www.rfc-editor.org/rfc/rfc4287) and JSON Feed
// (https://www.jsonfeed.org/version/1.1/), parsed with gofeed, plus
// YouTube channel and playlist feeds
// (https://www.youtube.com/feeds/videos.xml?channel_id=UC…), which are Atom
// with yt: and media: extensions.
//
// A watch's accounts are feed URLs (http, https, or file:// for feeds kept
// on disk). Each poll fetches every feed with a conditional GET, so an
// unchanged feed costs one 304.
//
// Feeds have no cursor worth trusting (items are re-dated, reordered and
// dropped at will), so every poll returns everything the feed holds and
// deduplication downstream drops what was already seen. That only works if
// an item keeps its ID across polls, so Post.ID is built from the most
// stable thing the item has: its GUID (RSS <guid>, Atom <id>, JSON Feed
// id), else its link, else a hash of its title and raw publication date.
// The date is used only as a last resort, so a feed that re-dates old items
// does not make them look new. GUIDs are only unique within a feed (many
// feeds number items "1", "2"…), so the key is prefixed with the feed URL:
// "https://example.org/rss.xml#urn:news:3". YouTube items are the exception:
// their ID is the video id, which is global.
package feed

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/watchers"
)

// fetcher is the part of *httpx.Client the watcher needs.
type fetcher interface {
	Get(ctx context.Context, url string, header http.Header) (*httpx.Response, error)
}

// Watcher polls feeds. It is safe for concurrent use.
type Watcher struct {
	client fetcher
	opts   Options
}

var _ watchers.Watcher = (*Watcher)(nil)

// New returns a Watcher that fetches feeds with client (normally an
// unguarded *httpx.Client, since feed URLs come from config).
func New(client fetcher, opts Options) *Watcher {
	return &Watcher{client: client, opts: opts.withDefaults()}
}

// Poll fetches every feed of watch, in order, and returns their items as
// posts, each feed's oldest first. The cursor is JSON holding each feed's
// HTTP validators for the next conditional GET,
//
//	{"feeds":{"<feed URL>":{"etag":"…","last_modified":"…"}}}
//
// Unknown keys are ignored; a cursor that does not parse is treated as
// empty, so every feed is fetched in full and deduplication drops what was
// already seen.
//
// If any feed fails, Poll returns the error and no Result, so no feed's
// cursor moves. Keeping the validators of the feeds that did succeed would
// save a few bytes, but a partial cursor would then be stored without the
// posts of the failed feed, or with posts the scheduler is about to retry
// anyway; all-or-nothing keeps a poll a unit that is simply repeated, and
// deduplication downstream keeps the repeat from alerting twice. The cost
// is that a feed that stays broken (404) blocks the other feeds of the same
// watch until it is fixed; the error wraps alerts.ErrPermanent so the
// route hears about it.
func (w *Watcher) Poll(ctx context.Context, watch *alerts.Watch, rawCursor string) (*watchers.Result, error) {
	old := parseCursor(rawCursor)
	next := cursor{Feeds: map[string]validators{}}
	var posts []alerts.Post
	seen := map[string]bool{}
	for _, feedURL := range watch.Accounts {
		got, v, err := w.pollFeed(ctx, feedURL, old.Feeds[feedURL])
		if err != nil {
			return nil, err
		}
		if !v.empty() {
			next.Feeds[feedURL] = v
		}
		for _, p := range got {
			// One poll must not hold the same post twice: a feed may
			// repeat a GUID, and two feeds may carry the same video.
			if seen[p.ID] {
				continue
			}
			seen[p.ID] = true
			posts = append(posts, p)
		}
	}
	return &watchers.Result{Posts: posts, Cursor: next.String()}, nil
}

// pollFeed fetches one feed conditionally and returns its posts and the
// validators to remember.
func (w *Watcher) pollFeed(ctx context.Context, feedURL string, prev validators) ([]alerts.Post, validators, error) {
	resp, err := w.client.Get(ctx, feedURL, prev.conditionalHeader())
	if err != nil {
		return nil, prev, classify(feedURL, err)
	}
	next := validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	if resp.Status == http.StatusNotModified {
		// A 304 may repeat or refresh the validators (RFC 9110 section
		// 15.4.5); keep the old ones for any it leaves out.
		if next.ETag == "" {
			next.ETag = prev.ETag
		}
		if next.LastModified == "" {
			next.LastModified = prev.LastModified
		}
		return nil, next, nil
	}
	posts, err := parseItems(feedURL, resp.Body, w.opts.MaxItems)
	if err != nil {
		return nil, prev, err
	}
	return posts, next, nil
}

// classify wraps a fetch error the way the scheduler expects: a requested
// wait becomes *alerts.RetryAfterError, a feed that is gone or forbidden
// wraps alerts.ErrPermanent.
func classify(feedURL string, err error) error {
	name := displayURL(feedURL)
	var se *httpx.StatusError
	switch {
	case errors.As(err, &se) && se.RetryAfter > 0:
		return &alerts.RetryAfterError{After: se.RetryAfter, Err: fmt.Errorf("feed %s: %w", name, err)}
	case errors.As(err, &se) && isPermanentStatus(se.Status):
		return fmt.Errorf("feed %s: %w: %w", name, alerts.ErrPermanent, err)
	case errors.Is(err, httpx.ErrBodyTooLarge):
		// httpx names the limit in err ("limit N bytes").
		return fmt.Errorf("feed %s: body over the size limit: %w", name, err)
	}
	return fmt.Errorf("feed %s: %w", name, err)
}

// isPermanentStatus reports statuses that retrying cannot fix: the feed
// needs credentials we do not have, or is gone.
func isPermanentStatus(status int) bool {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusGone:
		return true
	}
	return false
}

// displayURL is feedURL for messages: without its query, fragment and
// user info, which may hold tokens (private feeds often carry ?key=…).
func displayURL(feedURL string) string {
	u, err := url.Parse(feedURL)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	u.RawQuery = ""
	u.ForceQuery = false
	u.Fragment = ""
	u.RawFragment = ""
	return u.String()
}
