// Package x watches X (Twitter) through API v2 with an app-only bearer
// token: https://docs.x.com/x-api/introduction.
//
// Accounts are resolved once to user ids (/2/users/by, 100 per request,
// cached in the watcher and in the watch's cursor) and followed by id.
// Rather than one timeline request per account, accounts are packed into
// recent-search queries "from:ID OR from:ID …" of up to 512 characters
// (/2/tweets/search/recent), so the requests per poll grow with accounts
// ÷ ~20. Search reaches back only 7 days, so when an account's cursor is
// older than that (Lookout was stopped for a week) its batch is read from
// the user timelines instead (/2/users/:id/tweets), which reach the
// account's 3,200 newest posts; past that, a "possible gap" notice names
// the time range. Keyword watches become search queries of the search
// cover of the watch's rules (match.SearchCover: literal terms of which
// every matching post holds one); Lookout's matcher still checks every
// post.
//
// Each query or account keeps a since_id. A poll pages with next_token
// (search) or pagination_token (timelines) until caught up, keeping
// meta.newest_id from the first page as the new since_id, so a burst larger
// than a page is never skipped.
package x

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/watchers"
)

// Watcher polls X for watches. It is safe for concurrent use.
type Watcher struct {
	client fetcher
	opts   Options

	mu    sync.Mutex
	users map[string]user // by lower-cased username, shared by watches
}

var _ watchers.Watcher = (*Watcher)(nil)

// New returns a Watcher sending requests through client (an
// *httpx.Client). It fails when opts are invalid.
func New(client fetcher, opts Options) (*Watcher, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &Watcher{client: client, opts: opts.withDefaults(), users: make(map[string]user)}, nil
}

// Poll fetches what is new for w since cursor (see cursor.go for its
// JSON). Posts come oldest first. It fails, with nothing advanced, on any
// error but a rate limit hit after some queries were read: then the
// queries read so far are returned with their cursor, and the rest wait
// for the next poll.
func (w *Watcher) Poll(ctx context.Context, watch *alerts.Watch, cursorText string) (*watchers.Result, error) {
	p := &poll{w: w, watch: watch, now: w.opts.Now(), seen: map[string]bool{}, renamed: map[string]string{}}
	c, err := decodeCursor(cursorText)
	if err != nil {
		// A cursor we cannot read would fail every poll: start again
		// from now and say so.
		c = newCursor()
		p.notices = append(p.notices, fmt.Sprintf("X cursor of watch %s was unreadable (%v); restarted from now, so posts since the last good poll may be missing", watch.Name, err))
	}
	p.first = cursorText == ""
	if err := p.run(ctx, c); err != nil {
		return nil, fmt.Errorf("poll x %s: %w", watch.Name, err)
	}
	slices.SortFunc(p.posts, func(a, b alerts.Post) int { return compareID(a.ID, b.ID) })
	return &watchers.Result{Posts: p.posts, Cursor: c.encode(), Notices: p.notices}, nil
}

// poll is the state of one Poll.
type poll struct {
	w       *Watcher
	watch   *alerts.Watch
	now     time.Time
	first   bool // the watch's first poll: one page each, to set a baseline
	posts   []alerts.Post
	seen    map[string]bool
	notices []string
	// renamed maps a followed user id to its username before a rename.
	renamed map[string]string
}

func (p *poll) run(ctx context.Context, c *cursor) error {
	ids, notices, err := p.w.resolve(ctx, c, p.watch.Accounts, p.freshStream)
	if err != nil {
		return err
	}
	p.notices = append(p.notices, notices...)
	byID := make(map[string]string, len(ids))
	order := make([]string, len(ids))
	for i, f := range ids {
		byID[f.id] = f.entry
		order[i] = f.id
	}
	var jobs []func(context.Context) error
	switch {
	case len(order) > 0 && p.w.opts.PerAccount:
		for _, id := range order {
			jobs = append(jobs, func(ctx context.Context) error { return p.timelines(ctx, c, []string{id}, byID) })
		}
	case len(order) > 0:
		jobs = p.accountJobs(c, order, byID)
	case len(p.watch.Keywords) > 0:
		if jobs, err = p.keywordJobs(c); err != nil {
			return fmt.Errorf("%w: %w", err, alerts.ErrPermanent)
		}
	}
	for i, job := range jobs {
		err := job(ctx)
		if err == nil {
			continue
		}
		// On the first poll every stream must get its baseline at once.
		if _, ok := alerts.RetryAfter(err); ok && i > 0 && !p.first && ctx.Err() == nil {
			// Keep what was read; the queries left are read next poll.
			p.w.opts.Logger.Debug("x_poll_partial", "watch", p.watch.Name, "done", i, "of", len(jobs), "err", err)
			return nil
		}
		return err
	}
	return nil
}

// freshStream is where a newly followed account or keyword query starts:
// on the watch's first poll, at the newest page; later, at now, so that
// adding an account does not alert on its history.
func (p *poll) freshStream() stream {
	if p.first {
		return stream{}
	}
	return stream{Since: idAt(p.now.Add(-newStreamSlack))}
}

// accountJobs groups the followed accounts into search batches. Accounts
// with a backlog in progress are batched only with the accounts that share
// it (they came from the same batch), so the backlog's bounds hold.
func (p *poll) accountJobs(c *cursor, order []string, byID map[string]string) []func(context.Context) error {
	suffix := keywordClause(p.watch.Keywords)
	groups := map[stream][]string{}
	var keys []stream
	for _, id := range order {
		st := c.Users[id].stream
		k := stream{Until: st.Until, Newest: st.Newest}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], id)
	}
	var jobs []func(context.Context) error
	for _, k := range keys {
		for _, batch := range batchAccounts(groups[k], suffix) {
			jobs = append(jobs, func(ctx context.Context) error { return p.accountBatch(ctx, c, batch, suffix, byID) })
		}
	}
	return jobs
}

// accountBatch reads one from: query, or the members' timelines when the
// batch's cursor is older than search reaches.
func (p *poll) accountBatch(ctx context.Context, c *cursor, batch []string, suffix string, byID map[string]string) error {
	st := c.Users[batch[0]].stream
	st.Since = ""
	for i, id := range batch {
		if s := c.Users[id].Since; i == 0 || compareID(s, st.Since) < 0 {
			st.Since = s
		}
	}
	if !p.first && !p.searchReaches(st.Since) {
		return p.timelines(ctx, c, batch, byID)
	}
	q := accountQuery(batch, suffix)
	res, err := p.read(ctx, searchEndpoint, "/2/tweets/search/recent", url.Values{"query": {q}}, st, p.w.opts.MaxPages, minSearchResults)
	if err != nil {
		return fmt.Errorf("search %q: %w", q, err)
	}
	p.collect(c, res, byID)
	for _, id := range batch {
		a := c.Users[id]
		next := res.stream
		if !next.pending() {
			next.Since = maxID(next.Since, a.Since)
		}
		a.stream = next
	}
	return nil
}

// timelines reads each account's timeline, for accounts search cannot
// reach (or every account with Options.PerAccount).
func (p *poll) timelines(ctx context.Context, c *cursor, ids []string, byID map[string]string) error {
	for _, id := range ids {
		a := c.Users[id]
		pages := timelineReach/maxResults + 1
		res, err := p.read(ctx, timelineEndpoint, "/2/users/"+id+"/tweets", url.Values{}, a.stream, pages, minTimelineResults)
		if err != nil {
			return fmt.Errorf("timeline of %s: %w", id, err)
		}
		if a.Since != "" && !res.stream.pending() && res.count > timelineReach-maxResults {
			p.gap(fmt.Sprintf("@%s posted more than X's %d-post timeline reach", a.Handle, timelineReach), a.Since, res.oldest)
		}
		p.collect(c, res, byID)
		a.stream = res.stream
	}
	return nil
}

// keywordJobs turns the watch's keywords into search queries, each with
// its own stream.
func (p *poll) keywordJobs(c *cursor) ([]func(context.Context) error, error) {
	qs, err := keywordQueries(p.watch.Keywords)
	if err != nil {
		return nil, err
	}
	queries := make(map[string]*stream, len(qs))
	var jobs []func(context.Context) error
	for _, q := range qs {
		st, ok := c.Queries[q]
		if !ok {
			s := p.freshStream()
			st = &s
		}
		queries[q] = st
		jobs = append(jobs, func(ctx context.Context) error {
			in := *st
			if !p.first && in.Since != "" && !p.searchReaches(in.Since) {
				p.gap(fmt.Sprintf("X recent search reaches back only %d days", int(searchWindow/(24*time.Hour))), in.Since, idAt(p.now.Add(-searchWindow)))
				in.Since = ""
			}
			if in.pending() && !p.searchReaches(in.Until) {
				// The backlog aged out of the window: what is left of it
				// cannot be read any more.
				p.gap("X recent search reaches back only 7 days", in.Since, in.Until)
				*st = stream{Since: in.Newest}
				return nil
			}
			res, err := p.read(ctx, searchEndpoint, "/2/tweets/search/recent", url.Values{"query": {q}}, in, p.w.opts.MaxPages, minSearchResults)
			if err != nil {
				return fmt.Errorf("search %q: %w", q, err)
			}
			p.collect(c, res, nil)
			*st = res.stream
			return nil
		})
	}
	c.Queries = queries
	return jobs, nil
}

// searchReaches reports whether recent search still covers posts after id.
func (p *poll) searchReaches(id string) bool {
	if id == "" {
		return true
	}
	t, ok := idTime(id)
	return ok && t.After(p.now.Add(-searchWindow+searchMargin))
}

// gap records a "possible gap" notice for posts between two ids.
func (p *poll) gap(why, fromID, toID string) {
	from, _ := idTime(fromID)
	to, ok := idTime(toID)
	if !ok {
		to = p.now
	}
	p.notices = append(p.notices, fmt.Sprintf("possible gap in watch %s: %s; posts between %s and %s may be missing",
		p.watch.Name, why, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339)))
}

// readResult is what reading one stream produced.
type readResult struct {
	pages  []*decoded
	stream stream
	count  int
	oldest string
}

// read pages through one stream: since_id (and until_id while a backlog is
// open), the next page token until the API has no more, and meta.newest_id
// from the first page only. It stops after maxPages, leaving a backlog.
// On the watch's first poll it reads a single page.
func (p *poll) read(ctx context.Context, ep endpoint, path string, base url.Values, st stream, maxPages, minPage int) (*readResult, error) {
	size := maxResults
	if p.first && !p.watch.Backfill {
		size = minPage // a baseline only needs the newest id
	}
	tokenKey := "next_token"
	if ep == timelineEndpoint {
		tokenKey = "pagination_token"
	}
	res := &readResult{}
	newest, token := "", ""
	for page := 0; ; page++ {
		if page == maxPages {
			// More remains: keep the bounds and read on next poll.
			keep := newest
			if st.pending() {
				keep = st.Newest
			}
			res.stream = stream{Since: st.Since, Until: res.oldest, Newest: keep}
			return res, nil
		}
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		q.Set("max_results", strconv.Itoa(size))
		q.Set("tweet.fields", tweetFields)
		q.Set("expansions", expansions)
		q.Set("user.fields", userFields)
		q.Set("media.fields", mediaFields)
		if ep == searchEndpoint {
			q.Set("sort_order", "recency")
		}
		if st.Since != "" {
			q.Set("since_id", st.Since)
		}
		if st.Until != "" {
			q.Set("until_id", st.Until)
		}
		if token != "" {
			q.Set(tokenKey, token)
		}
		body, err := p.w.get(ctx, ep, path, q)
		if err != nil {
			return nil, err
		}
		d, err := decodePage(body)
		if err != nil {
			return nil, err
		}
		if page == 0 {
			newest = d.meta.NewestID
		}
		for _, t := range d.tweets {
			if res.oldest == "" || compareID(t.ID, res.oldest) < 0 {
				res.oldest = t.ID
			}
		}
		res.pages = append(res.pages, d)
		res.count += len(d.tweets)
		if d.meta.NextToken == "" || len(d.tweets) == 0 || p.first {
			break
		}
		if d.meta.NextToken == token {
			return nil, errors.New("API repeated the same page token")
		}
		token = d.meta.NextToken
	}
	if st.pending() {
		// Posts newer than the backlog are still unread: go on from its
		// top, not from now.
		res.stream = stream{Since: maxID(st.Since, st.Newest)}
	} else {
		// Caught up to now: a quiet account or query moves its cursor
		// to a checkpoint too, so it never ages out of search's window.
		checkpoint := idAt(p.now.Add(-checkpointLag))
		res.stream = stream{Since: maxID(maxID(st.Since, newest), checkpoint)}
	}
	return res, nil
}

// collect normalises the posts of a stream, once each per poll, noting
// renames of followed accounts. byID maps followed user ids to the watched
// account as written (nil for keyword searches).
func (p *poll) collect(c *cursor, res *readResult, byID map[string]string) {
	for _, d := range res.pages {
		for id, a := range c.Users {
			u, ok := d.users[id]
			if !ok || u.Username == "" || u.Username == a.Handle {
				continue
			}
			if a.Handle != "" {
				if _, done := p.renamed[id]; !done {
					p.renamed[id] = a.Handle
				}
			}
			a.Handle = u.Username
		}
		for i := range d.tweets {
			t := &d.tweets[i]
			if p.seen[t.ID] {
				continue
			}
			p.seen[t.ID] = true
			p.posts = append(p.posts, normalise(t, d, byID[t.AuthorID], p.renamed[t.AuthorID]))
		}
	}
}
