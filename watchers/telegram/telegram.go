// Package telegram watches public Telegram channels through their web
// preview, https://t.me/s/<channel>: a server-rendered HTML page of the
// newest ~20 messages, oldest first, with ?before=<id> for older pages and
// ?q=<term> for Telegram's search inside the channel. No account, token or
// API is involved, so only channels whose owners leave the preview on can
// be read; the Bot API only sees channels the bot administers and MTProto
// needs a user session, both out of scope.
//
// A watch's accounts are channel names ("durov", "@durov", "t.me/durov"),
// optionally with "?q=term" to read Telegram's search results for term in
// that channel instead of the whole channel. Keywords are applied to every
// message by the matcher as for any source.
//
// The cursor is the highest message id seen per account. Each poll reads the
// newest page and pages back with ?before= until it reaches that id, so a
// burst of posts between two polls is not skipped; after Options.MaxPages
// pages it stops and reports a possible gap. The newest page of a channel is
// fetched at most once per Options.MinInterval (a minute) whatever the
// number of watches and their intervals; polls in between reuse it.
//
// Message ids are per channel, so Post.ID is "channel/123". A message shown
// with the "edited" marker becomes a version of its own,
// "channel/123#edit-<hash of its text>", whose FirstID is "channel/123": a
// new edit is stored as evidence beside the original, and deduplication by
// chain keeps it from alerting twice.
package telegram

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/watchers"
)

// Platform is the Post.Platform of Telegram posts.
const Platform = "telegram"

// ErrNotReadable is wrapped (with alerts.ErrPermanent) by Poll when a
// channel's web preview is disabled or restricted, or the channel does not
// exist: it cannot be read without a Telegram account.
var ErrNotReadable = errors.New("not readable without a Telegram account")

// fetcher is the part of *httpx.Client the watcher needs.
type fetcher interface {
	Get(ctx context.Context, url string, header http.Header) (*httpx.Response, error)
}

// Watcher polls public channels. It is safe for concurrent use.
type Watcher struct {
	client fetcher
	opts   Options

	mu     sync.Mutex
	newest map[string]*newestPage // by account key
}

// newestPage is the last fetched newest page of one account, reused until
// Options.MinInterval has passed.
type newestPage struct {
	mu   sync.Mutex // held while fetching, so two watches share one request
	at   time.Time
	page *page
}

var _ watchers.Watcher = (*Watcher)(nil)

// New returns a Watcher fetching with client.
func New(client fetcher, opts Options) *Watcher {
	return &Watcher{client: client, opts: opts.withDefaults(), newest: make(map[string]*newestPage)}
}

// Poll reads every channel of watch that has something newer than the
// cursor and returns the new messages as posts, each channel's oldest
// first. If any channel fails, Poll returns the error and no Result, so no
// cursor moves.
func (w *Watcher) Poll(ctx context.Context, watch *alerts.Watch, rawCursor string) (*watchers.Result, error) {
	if len(watch.Accounts) == 0 {
		return nil, fmt.Errorf("poll %s: %w: telegram watches need accounts (public channel names); Telegram has no search across channels without an account", watch.Name, alerts.ErrPermanent)
	}
	accounts := make([]account, 0, len(watch.Accounts))
	for _, raw := range watch.Accounts {
		a, err := parseAccount(raw)
		if err != nil {
			return nil, fmt.Errorf("poll %s: %w: %w", watch.Name, alerts.ErrPermanent, err)
		}
		accounts = append(accounts, a)
	}
	old := parseCursor(rawCursor)
	next := cursor{Channels: map[string]int64{}}
	res := &watchers.Result{}
	for _, a := range accounts {
		posts, last, notices, err := w.pollAccount(ctx, a, old.Channels[a.key()])
		if err != nil {
			return nil, err
		}
		if last > 0 {
			next.Channels[a.key()] = max(last, next.Channels[a.key()])
		}
		res.Posts = append(res.Posts, posts...)
		res.Notices = append(res.Notices, notices...)
	}
	res.Cursor = next.String()
	return res, nil
}

// pollAccount reads one account from the newest page back to the message
// after last (0: the first poll, which reads one page). It returns the new
// posts, the highest id seen and any notices.
func (w *Watcher) pollAccount(ctx context.Context, a account, last int64) ([]alerts.Post, int64, []string, error) {
	first, err := w.newestPage(ctx, a)
	if err != nil {
		return nil, 0, nil, err
	}
	msgs := slices.Clone(first.messages)
	lowest, highest := idRange(msgs)
	var notices []string
	if last > 0 && len(msgs) > 0 {
		pages, exhausted := 1, false
		for lowest > last+1 && pages < w.opts.MaxPages {
			pg, err := w.fetch(ctx, a, lowest)
			if err != nil {
				return nil, 0, nil, err
			}
			pages++
			var older []message
			for _, m := range pg.messages {
				if m.id < lowest {
					older = append(older, m)
				}
			}
			if len(older) == 0 {
				exhausted = true
				break
			}
			msgs = append(older, msgs...)
			lowest, _ = idRange(older)
		}
		if lowest > last+1 && !exhausted {
			notices = append(notices, fmt.Sprintf("possible gap on Telegram channel %s: more than %d pages of posts since the last poll; posts %d to %d were not read (%s/%s)",
				a.channel, w.opts.MaxPages, last+1, lowest-1, publicURL, a.channel))
		}
	}
	seen := map[string]bool{}
	var posts []alerts.Post
	for _, m := range msgs {
		if m.id <= last && !m.edited {
			continue // already seen, unchanged
		}
		if m.service {
			continue
		}
		p := m.post(a)
		if seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		posts = append(posts, p)
	}
	return posts, max(last, highest), notices, nil
}

// newestPage returns the account's newest page, fetching it only if the
// last fetch is older than MinInterval.
func (w *Watcher) newestPage(ctx context.Context, a account) (*page, error) {
	w.mu.Lock()
	e, ok := w.newest[a.key()]
	if !ok {
		e = &newestPage{}
		w.newest[a.key()] = e
	}
	w.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.page != nil && w.opts.Now().Sub(e.at) < w.opts.MinInterval {
		return e.page, nil
	}
	pg, err := w.fetch(ctx, a, 0)
	if err != nil {
		return nil, err
	}
	e.page, e.at = pg, w.opts.Now()
	return pg, nil
}

// fetch reads one page of an account: the newest, or the one before the
// given id.
func (w *Watcher) fetch(ctx context.Context, a account, before int64) (*page, error) {
	q := url.Values{}
	if a.query != "" {
		q.Set("q", a.query)
	}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	u := w.opts.BaseURL + "/s/" + url.PathEscape(a.channel)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	resp, err := w.client.Get(ctx, u, http.Header{"Accept": {"text/html"}})
	if err != nil {
		return nil, classify(a, err)
	}
	pg, err := parsePage(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("telegram channel %s: %w", a.channel, err)
	}
	// A channel without a preview redirects from /s/<channel> to its
	// info page, which has no message history.
	if fu, err := url.Parse(resp.URL); err == nil && !strings.HasPrefix(fu.Path, "/s/") {
		pg.readable = false
	}
	switch {
	case !pg.readable:
		msg := fmt.Sprintf("telegram channel %s is %s (its web preview is disabled or restricted, or the channel does not exist)", a.channel, ErrNotReadable)
		if pg.reason != "" {
			msg += ": Telegram says " + strconv.Quote(pg.reason)
		}
		return nil, fmt.Errorf("%s: %w: %w", msg, alerts.ErrPermanent, ErrNotReadable)
	case len(pg.messages) == 0 && pg.skipped > 0:
		return nil, fmt.Errorf("telegram channel %s: none of the %d messages on the page could be read (the page layout may have changed)", a.channel, pg.skipped)
	}
	return pg, nil
}

// classify wraps a fetch error the way the scheduler expects: a requested
// wait becomes *alerts.RetryAfterError, a channel that is gone wraps
// alerts.ErrPermanent.
func classify(a account, err error) error {
	var se *httpx.StatusError
	switch {
	case errors.As(err, &se) && se.RetryAfter > 0:
		return &alerts.RetryAfterError{After: se.RetryAfter, Err: fmt.Errorf("telegram channel %s: %w", a.channel, err)}
	case errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusGone):
		return fmt.Errorf("telegram channel %s: %w: %w", a.channel, alerts.ErrPermanent, err)
	}
	return fmt.Errorf("telegram channel %s: %w", a.channel, err)
}

// idRange returns the lowest and highest message ids; 0, 0 for none.
func idRange(msgs []message) (lowest, highest int64) {
	for i, m := range msgs {
		if i == 0 || m.id < lowest {
			lowest = m.id
		}
		highest = max(highest, m.id)
	}
	return lowest, highest
}

// post normalises a message read for account a.
func (m message) post(a account) alerts.Post {
	id := m.channel + "/" + strconv.FormatInt(m.id, 10)
	p := alerts.Post{
		Platform:  Platform,
		ID:        id,
		AuthorID:  strings.ToLower(m.channel),
		Handle:    m.channel,
		Account:   a.raw,
		Text:      m.text,
		CreatedAt: m.time,
		URL:       publicURL + "/" + id,
		Media:     m.media,
		Kind:      alerts.KindPost,
		Raw:       m.raw,
	}
	switch {
	case m.forwardedFrom != "":
		p.Kind = alerts.KindRepost
		p.Text = "Forwarded from " + m.forwardedFrom + "\n" + p.Text
		if m.forwardedRef != "" {
			p.RefIDs = []string{m.forwardedRef}
		}
	case m.replyTo != "":
		p.Kind = alerts.KindReply
		p.RefIDs = []string{m.replyTo}
	}
	if m.author != "" {
		p.Text += "\n— " + m.author
	}
	if m.edited {
		sum := sha256.Sum256([]byte(p.Text + "\x00" + mediaKey(m.media)))
		p.FirstID = id
		p.ID = id + "#edit-" + hex.EncodeToString(sum[:6])
		p.Text += "\n(edited)"
	}
	p.Text = strings.TrimSpace(p.Text)
	return p
}

func mediaKey(ms []alerts.Media) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Type + " " + m.URL + "\n")
	}
	return b.String()
}
