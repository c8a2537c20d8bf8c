// Package reddit watches Reddit through its OAuth API
// (https://www.reddit.com/dev/api) with an application-only token: new
// submissions of subreddits (/r/SUB/new) and users (/user/NAME/submitted),
// and keyword searches across Reddit (/search?sort=new).
//
// A watch's accounts are "r/SUB" or "u/NAME" (also "/r/SUB",
// "reddit.com/r/SUB", "user/NAME"); a watch with keywords and no accounts
// searches all of Reddit for them. Keywords are applied to every submission
// by the matcher, as for any source.
//
// Reddit requires a registered, approved app (since November 2025 apps are
// approved one by one) and a descriptive User-Agent; see CheckUserAgent.
// Without an app, the documented fallback is Reddit's .rss feeds read by
// the feed source (docs/reddit.md).
//
// The cursor holds the newest fullname (and its time) per listing; a poll
// pages back with after= until it meets it, up to Options.MaxPages, then
// reports a possible gap. Deduplication downstream is on fullnames
// (t3_…), which Reddit never reuses. Rate limits come from the
// X-Ratelimit-Used/-Remaining/-Reset headers of every response, shared by
// every watch of the app through one ratelimit.Budget.
package reddit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/watchers"
	"github.com/lookoutbot/lookout/watchers/match"
)

// Platform is the Post.Platform of Reddit posts.
const Platform = "reddit"

// doer is the part of *httpx.Client the watcher needs.
type doer interface {
	Do(ctx context.Context, req *http.Request) (*httpx.Response, error)
}

// Watcher polls Reddit listings. It is safe for concurrent use.
type Watcher struct {
	client doer
	opts   Options
	tokens *tokenSource
}

var _ watchers.Watcher = (*Watcher)(nil)

// New returns a Watcher. opts should pass Validate; the client should be
// unguarded (Reddit's URLs come from the config) and have the descriptive
// User-Agent too.
func New(client doer, opts Options) *Watcher {
	w := &Watcher{client: client, opts: opts.withDefaults()}
	w.tokens = &tokenSource{client: client, opts: &w.opts}
	return w
}

// target is one listing a watch reads.
type target struct {
	key     string // cursor key: "r/sub", "u/name" or "search"
	account string // as written in the watch; empty for searches
	path    string
	query   url.Values
}

var (
	subredditName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_]{1,20}$`)
	userName      = regexp.MustCompile(`^[A-Za-z0-9_-]{3,20}$`)
)

// targets turns a watch into the listings it reads.
func targets(w *alerts.Watch) ([]target, error) {
	if len(w.Accounts) == 0 {
		if len(w.Keywords) == 0 {
			return nil, fmt.Errorf("%w: reddit watch %s needs accounts (r/SUB, u/NAME) or keywords", alerts.ErrInvalid, w.Name)
		}
		q, err := searchQuery(w.Keywords)
		if err != nil {
			return nil, err
		}
		return []target{{key: "search", path: "/search", query: url.Values{"q": {q}, "sort": {"new"}, "type": {"link"}, "t": {"all"}}}}, nil
	}
	out := make([]target, 0, len(w.Accounts))
	for _, raw := range w.Accounts {
		t, err := parseAccount(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// parseAccount reads "r/SUB" or "u/NAME" in the forms users paste.
func parseAccount(raw string) (target, error) {
	s := strings.TrimSpace(raw)
	for _, p := range []string{"https://", "http://", "www.", "old.", "new."} {
		s = strings.TrimPrefix(s, p)
	}
	s = strings.TrimPrefix(s, "reddit.com")
	s = strings.Trim(s, "/")
	kind, name, _ := strings.Cut(s, "/")
	name = strings.TrimSuffix(strings.TrimSuffix(name, "/new"), "/submitted")
	switch strings.ToLower(kind) {
	case "r":
		if subredditName.MatchString(name) {
			return target{key: "r/" + strings.ToLower(name), account: raw, path: "/r/" + name + "/new", query: url.Values{}}, nil
		}
	case "u", "user":
		if userName.MatchString(name) {
			return target{key: "u/" + strings.ToLower(name), account: raw, path: "/user/" + name + "/submitted", query: url.Values{"sort": {"new"}}}, nil
		}
	}
	return target{}, fmt.Errorf("%w: reddit account %q must be a subreddit (r/NAME) or a user (u/NAME)", alerts.ErrInvalid, raw)
}

// searchKinds are the literals Reddit search can look for; it has no
// hashtags, mentions or author filter usable inside an OR, so hashtags
// and mentions are searched as their words.
const searchKinds = match.SearchWord | match.SearchPhrase | match.SearchHashtag | match.SearchMention

// searchQuery turns a watch's keywords into one Reddit search that finds
// every post the matcher could accept: the OR of their search cover
// (match.SearchCover), literal terms of which every matching post holds
// one. Reddit's search is looser still (it stems), so the matcher
// decides. A rule with no literal to search for (prefix*, /regex/, ~leet,
// from: alone) is refused, naming it: the watch must name subreddits.
func searchQuery(keywords []string) (string, error) {
	cv, err := match.SearchCover(keywords, searchKinds)
	if err != nil {
		return "", fmt.Errorf("reddit search: %w; watch subreddits (r/NAME) instead and the matcher applies the rules to every post", err)
	}
	parts := make([]string, 0, len(cv.Terms))
	for _, t := range cv.Terms {
		// #cartel and cartel are one term to Reddit.
		if p := queryTerm(t); !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	q := strings.Join(parts, " OR ")
	if len(q) > maxQueryLength {
		return "", fmt.Errorf("%w: keywords make a Reddit search of %d characters (limit %d): split the watch or watch subreddits", alerts.ErrInvalid, len(q), maxQueryLength)
	}
	return q, nil
}

// queryTerm writes one cover term in Reddit's search syntax.
func queryTerm(t match.SearchTerm) string {
	switch {
	case t.Kind == match.SearchPhrase || isOperator(t.Text):
		return `"` + strings.Join(strings.Fields(strings.ReplaceAll(t.Text, `"`, " ")), " ") + `"`
	}
	return t.Text
}

// isOperator reports words Reddit search reads as operators.
func isOperator(w string) bool {
	switch w {
	case "AND", "OR", "NOT":
		return true
	}
	return false
}

// Poll reads every listing of watch back to its cursor and returns the new
// submissions, each listing's oldest first. If any listing fails, Poll
// returns the error and no Result, so no cursor moves.
func (w *Watcher) Poll(ctx context.Context, watch *alerts.Watch, rawCursor string) (*watchers.Result, error) {
	ts, err := targets(watch)
	if err != nil {
		return nil, fmt.Errorf("poll %s: %w: %w", watch.Name, alerts.ErrPermanent, err)
	}
	old := parseCursor(rawCursor)
	next := cursor{Listings: map[string]mark{}}
	res := &watchers.Result{}
	for _, t := range ts {
		posts, m, notice, err := w.pollTarget(ctx, t, old.Listings[t.key])
		if err != nil {
			return nil, err
		}
		if m.Name != "" {
			next.Listings[t.key] = m
		}
		res.Posts = append(res.Posts, posts...)
		if notice != "" {
			res.Notices = append(res.Notices, notice)
		}
	}
	res.Cursor = next.String()
	return res, nil
}

// pollTarget reads one listing from its newest item back to last (one page
// when last is empty).
func (w *Watcher) pollTarget(ctx context.Context, t target, last mark) ([]alerts.Post, mark, string, error) {
	var (
		items   []item
		newest  = last
		after   string
		reached bool
		pages   int
	)
	for {
		q := url.Values{}
		for k, v := range t.query {
			q[k] = v
		}
		q.Set("limit", strconv.Itoa(w.opts.PageLimit))
		q.Set("raw_json", "1")
		if after != "" {
			q.Set("after", after)
		}
		page, next, err := w.listing(ctx, t, q)
		if err != nil {
			return nil, mark{}, "", err
		}
		pages++
		if pages == 1 && len(page) > 0 && page[0].CreatedUTC >= last.Created {
			newest = mark{Name: page[0].Name, Created: page[0].CreatedUTC}
		}
		for _, it := range page {
			if last.Name != "" && (it.Name == last.Name || it.CreatedUTC < last.Created) {
				reached = true
				break
			}
			items = append(items, it)
		}
		after = next
		if reached || last.Name == "" || after == "" || pages >= w.opts.MaxPages {
			break
		}
	}
	notice := ""
	if last.Name != "" && !reached && after != "" {
		notice = fmt.Sprintf("possible gap on Reddit %s: more than %d pages of posts since the last poll; older new posts were not read", t.label(), w.opts.MaxPages)
	}
	now := w.opts.Now()
	seen := map[string]bool{}
	posts := make([]alerts.Post, 0, len(items))
	for _, it := range slices.Backward(items) {
		if seen[it.Name] {
			continue
		}
		seen[it.Name] = true
		posts = append(posts, it.post(t.account, now))
	}
	return posts, newest, notice, nil
}

func (t target) label() string {
	if t.account == "" {
		return "search " + strconv.Quote(t.query.Get("q"))
	}
	return t.key
}

// listing fetches and decodes one page.
func (w *Watcher) listing(ctx context.Context, t target, q url.Values) ([]item, string, error) {
	resp, err := w.get(ctx, t, t.path, q)
	if err != nil {
		return nil, "", err
	}
	// Reddit answers an unknown subreddit with a redirect to a subreddit
	// search.
	if u, err := url.Parse(resp.URL); err == nil && strings.HasPrefix(u.Path, "/subreddits/search") {
		return nil, "", fmt.Errorf("reddit %s: %w: no such subreddit", t.label(), alerts.ErrPermanent)
	}
	items, after, _, err := decodeListing(resp.Body)
	if err != nil {
		return nil, "", fmt.Errorf("reddit %s: %w", t.label(), err)
	}
	return items, after, nil
}

// Info fetches submissions by fullname (at most 100), for re-checking
// whether posts were removed: each returned post has DeletedAt set if
// Reddit shows it removed or deleted. Fullnames Reddit does not return are
// gone entirely.
func (w *Watcher) Info(ctx context.Context, fullnames []string) ([]alerts.Post, error) {
	if len(fullnames) == 0 {
		return nil, nil
	}
	if len(fullnames) > MaxPageLimit {
		return nil, fmt.Errorf("reddit info: %w: %d fullnames (limit %d)", alerts.ErrInvalid, len(fullnames), MaxPageLimit)
	}
	for _, n := range fullnames {
		if !validFullname(n) {
			return nil, fmt.Errorf("reddit info: %w: %q is not a submission fullname", alerts.ErrInvalid, n)
		}
	}
	t := target{key: "info", path: "/api/info"}
	resp, err := w.get(ctx, t, t.path, url.Values{"id": {strings.Join(fullnames, ",")}, "raw_json": {"1"}})
	if err != nil {
		return nil, err
	}
	items, _, _, err := decodeListing(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reddit info: %w", err)
	}
	now := w.opts.Now()
	out := make([]alerts.Post, len(items))
	for i, it := range items {
		out[i] = it.post("", now)
	}
	return out, nil
}

// get sends an authenticated GET, waiting for the rate-limit budget first
// and recording it after. A 401 fetches a new token and tries once more.
func (w *Watcher) get(ctx context.Context, t target, path string, q url.Values) (*httpx.Response, error) {
	for attempt := 0; ; attempt++ {
		if err := w.opts.Budget.Wait(ctx, w.opts.Reserve); err != nil {
			return nil, fmt.Errorf("reddit %s: %w", t.label(), err)
		}
		token, err := w.tokens.get(ctx)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.opts.APIURL+path+"?"+q.Encode(), nil)
		if err != nil {
			return nil, fmt.Errorf("reddit %s: %w", t.label(), err)
		}
		req.Header.Set("Authorization", "bearer "+token)
		req.Header.Set("User-Agent", w.opts.UserAgent)
		req.Header.Set("Accept", "application/json")
		resp, err := w.client.Do(ctx, req)
		if err == nil {
			w.opts.Budget.Update(resp.Header)
			return resp, nil
		}
		var se *httpx.StatusError
		if errors.As(err, &se) && se.Status == http.StatusUnauthorized && attempt == 0 {
			w.tokens.invalidate(token)
			continue
		}
		return nil, w.classify(t, err)
	}
}

// classify wraps a request error the way the scheduler expects.
func (w *Watcher) classify(t target, err error) error {
	var se *httpx.StatusError
	if !errors.As(err, &se) {
		return fmt.Errorf("reddit %s: %w", t.label(), err)
	}
	switch {
	case se.Status == http.StatusTooManyRequests:
		wait := se.RetryAfter
		if wait <= 0 {
			wait = defaultRateLimitWait
		}
		w.opts.Budget.Block(w.opts.Now().Add(wait))
		return &alerts.RetryAfterError{After: wait, Err: fmt.Errorf("reddit %s: rate limited: %w", t.label(), err)}
	case se.RetryAfter > 0:
		return &alerts.RetryAfterError{After: se.RetryAfter, Err: fmt.Errorf("reddit %s: %w", t.label(), err)}
	case se.Status == http.StatusUnauthorized:
		return fmt.Errorf("reddit %s: %w: Reddit refused a fresh token: %w", t.label(), alerts.ErrPermanent, err)
	case se.Status == http.StatusForbidden, se.Status == http.StatusNotFound:
		why := "it does not exist or cannot be read"
		if r := reason(se.Body); r != "" {
			why = "Reddit says " + strconv.Quote(r)
		}
		return fmt.Errorf("reddit %s: %w: %s: %w", t.label(), alerts.ErrPermanent, why, err)
	}
	return fmt.Errorf("reddit %s: %w", t.label(), err)
}

// defaultRateLimitWait is the wait after a 429 without reset headers:
// Reddit's window is ten minutes, its resets usually under one.
const defaultRateLimitWait = time.Minute

// reason reads the "reason" of a Reddit error body such as
// {"reason": "private", "message": "Forbidden", "error": 403}.
func reason(body string) string {
	var b struct {
		Reason string `json:"reason"`
	}
	if json.Unmarshal([]byte(body), &b) != nil {
		return ""
	}
	return truncate(b.Reason, 40)
}
