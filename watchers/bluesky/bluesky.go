// Package bluesky watches Bluesky accounts and keywords
// (https://docs.bsky.app/docs/advanced-guides/api-directory).
//
// Accounts are followed by DID, resolved once from the handle with
// com.atproto.identity.resolveHandle. Two ways of reading them:
//
//   - Polling app.bsky.feed.getAuthorFeed on the public AppView, page by
//     page (newest first, opaque cursor, no "since") until the newest item
//     the previous poll saw. If that item is not reached within MaxPages
//     pages, the poll says so with a "possible gap" notice and its time
//     range instead of skipping silently.
//   - Jetstream (https://github.com/bluesky-social/jetstream), a JSON
//     WebSocket of every new record: filtered by wantedDids for account
//     watches, unfiltered when any keyword watch exists (searchPosts needs
//     a login and its maintainers advise bots against it, so keywords are
//     matched locally on every post). See Stream.
//
// Posts are normalised with their at-URI as id, the author's DID as
// stable author id, the post's web URL in DID form (stable across renames),
// media from embeds, link URLs from facets, and kind post, reply, quote or
// repost.
package bluesky

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/watchers"
)

// pollMargin is subtracted from a poll's start when it records a stream
// position, so a later switch to Jetstream replays a little rather than
// missing posts indexed while the poll ran.
const pollMargin = time.Minute

// Watcher polls Bluesky accounts. When a Stream serves a watch, Poll only
// checkpoints the stream's position for it. It is safe for concurrent use.
type Watcher struct {
	c      *client
	dir    *directory
	opts   Options
	stream *Stream
}

var _ watchers.Watcher = (*Watcher)(nil)

// New returns a Watcher calling the AppView with httpClient (an unguarded
// *httpx.Client: base URLs come from the config). budget may be nil.
func New(httpClient fetcher, budget Budget, opts Options) *Watcher {
	opts = opts.withDefaults()
	c := &client{http: httpClient, base: opts.BaseURL, budget: budget}
	return &Watcher{c: c, dir: newDirectory(c), opts: opts}
}

// Poll returns what is new for the watch. Account watches are read with
// getAuthorFeed unless the stream serves them; keyword watches need the
// stream.
func (w *Watcher) Poll(ctx context.Context, watch *alerts.Watch, raw string) (*watchers.Result, error) {
	cur := parseCursor(raw)
	if w.stream != nil && w.stream.serves(watch) {
		return w.stream.checkpoint(watch, cur)
	}
	if len(watch.Keywords) > 0 && len(watch.Accounts) == 0 {
		return nil, fmt.Errorf("poll %s: keyword watches on bluesky are matched on the Jetstream stream, which is not running: %w", watch.Name, alerts.ErrPermanent)
	}
	start := w.opts.Now()
	res := &watchers.Result{}
	for _, a := range watch.Accounts {
		posts, notices, err := w.pollAccount(ctx, a, cur.account(a))
		if err != nil {
			// All or nothing: no account's position moves, so the
			// poll is simply repeated and deduplication drops repeats.
			return nil, fmt.Errorf("poll %s: %w", watch.Name, err)
		}
		res.Posts = append(res.Posts, posts...)
		res.Notices = append(res.Notices, notices...)
	}
	cur.TimeUS = max(cur.TimeUS, start.Add(-pollMargin).UnixMicro())
	res.Cursor = cur.String()
	return res, nil
}

// pollAccount pages through one account's feed until the item ac.Last,
// or an item older than it. On the account's first poll it reads one page
// only (the scheduler records it as a baseline). Posts come oldest first.
func (w *Watcher) pollAccount(ctx context.Context, account string, ac *accountCursor) ([]alerts.Post, []string, error) {
	if ac.DID == "" {
		did, err := w.dir.resolve(ctx, account)
		if err != nil {
			return nil, nil, err
		}
		ac.DID = did
	}
	var (
		posts    []alerts.Post // newest first
		reached  bool
		page     string
		newest   *feedViewPost
		oldestAt time.Time
		more     bool
	)
	for range w.opts.MaxPages {
		q := url.Values{"actor": {ac.DID}, "limit": {fmt.Sprint(w.opts.PageSize)}, "filter": {"posts_with_replies"}}
		if page != "" {
			q.Set("cursor", page)
		}
		var feed authorFeed
		if err := w.c.get(ctx, "app.bsky.feed.getAuthorFeed", q, &feed); err != nil {
			return nil, nil, fmt.Errorf("feed of @%s: %w", normAccount(account), err)
		}
		for i := range feed.Feed {
			it := &feed.Feed[i]
			if it.Reason != nil && it.Reason.Type == typeReasonPin {
				continue // a pinned post is old news at the top
			}
			at := feedItemTime(it)
			if ac.Last != "" && (feedItemKey(it) == ac.Last || (!ac.LastAt.IsZero() && at.Before(ac.LastAt))) {
				reached = true
				break
			}
			p, ok := fromFeedItem(it, account)
			if !ok {
				continue
			}
			if newest == nil {
				newest = it
			}
			oldestAt = at
			posts = append(posts, p)
		}
		more = feed.Cursor != "" && len(feed.Feed) > 0
		if reached || !more || ac.Last == "" {
			break
		}
		page = feed.Cursor
	}
	var notices []string
	if ac.Last != "" && !reached && more {
		notices = append(notices, fmt.Sprintf("possible gap: @%s posted more than %d pages since the last poll; posts between %s and %s may be missing",
			normAccount(account), w.opts.MaxPages, ac.LastAt.UTC().Format(time.RFC3339), oldestAt.UTC().Format(time.RFC3339)))
	}
	w.noticeRename(ac, posts)
	if newest != nil {
		ac.Last, ac.LastAt = feedItemKey(newest), feedItemTime(newest)
	}
	slices.Reverse(posts)
	return posts, notices, nil
}

// noticeRename marks the account's posts with its previous handle when the
// feed shows a new one, so the card says "@old is now @new".
func (w *Watcher) noticeRename(ac *accountCursor, posts []alerts.Post) {
	current := ""
	for _, p := range posts {
		if p.AuthorID == ac.DID && p.Handle != "" {
			current = normAccount(p.Handle)
			break
		}
	}
	if current == "" {
		return
	}
	if ac.Handle != "" && ac.Handle != current {
		for i := range posts {
			if posts[i].AuthorID == ac.DID {
				posts[i].PreviousHandle = ac.Handle
			}
		}
	}
	ac.Handle = current
	w.dir.setHandle(ac.DID, current)
}
