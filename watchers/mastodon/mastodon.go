// Package mastodon watches Mastodon (and compatible ActivityPub servers)
// through the client API: https://docs.joinmastodon.org/client/intro/.
//
// A watch's accounts ("user" on the configured instance, "user@domain"
// elsewhere) are looked up once on their home instance
// (GET /api/v1/accounts/lookup) and followed by their account URI, which
// survives handle changes; their statuses are read from the home instance
// (GET /api/v1/accounts/:id/statuses), which holds all of them, where the
// configured instance holds only what federated to it. A home instance that
// refuses anonymous reads is replaced by the configured instance.
//
// A watch without accounts reads the hashtag timelines of its keywords on
// the configured instance (GET /api/v1/timelines/tag/:tag). Mastodon has
// no search usable for plain words, so each rule of such a watch needs a
// #hashtag that every post it matches carries ("#cjng AND plaza" reads
// #cjng; see watchTags); otherwise each poll fails with a permanent error
// that says which rule and why.
//
// Every timeline is read with min_id, which returns the statuses right
// after the given id, and paged forward until a page comes back short.
// since_id would return the newest page and silently skip whatever did not
// fit in it. Edits keep their status id, so they never alert twice.
package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/watchers"
)

// Watcher polls Mastodon watches. It is safe for concurrent use.
type Watcher struct {
	opts   Options
	local  *instance // the configured instance
	remote fetcher   // client for home instances (SSRF-guarded)

	mu sync.Mutex
	// resolved caches looked-up accounts by cursor key across watches;
	// it holds no min_id, which is per watch.
	resolved map[string]accountState
}

var _ watchers.Watcher = (*Watcher)(nil)

// New returns a Watcher. local is the client for the configured instance
// (from config, so unguarded); remote is the client for accounts' home
// instances, whose names come from watches and may be added from chat, so
// it should be an SSRF-guarded *httpx.Client.
func New(local, remote fetcher, opts Options) (*Watcher, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	u, _ := url.Parse(opts.BaseURL) // checked by Validate
	w := &Watcher{opts: opts, remote: remote, resolved: map[string]accountState{}}
	w.local = &instance{
		base:   u.Scheme + "://" + u.Host + strings.TrimSuffix(u.Path, "/"),
		domain: strings.ToLower(u.Host),
		token:  opts.AccessToken,
		client: local,
		budget: w.budget(u.Host),
		now:    opts.Now,
	}
	return w, nil
}

func (w *Watcher) budget(host string) Budget {
	if w.opts.Budget == nil {
		return nil
	}
	return w.opts.Budget(strings.ToLower(host))
}

// home returns the instance serving an account: its home instance, or the
// configured one for local accounts and accounts read through it.
func (w *Watcher) home(ref accountRef, st *accountState) *instance {
	if ref.domain == "" || st.Local || w.isLocal(ref.domain) {
		return w.local
	}
	base := strings.TrimSuffix(w.opts.InstanceURL(ref.domain), "/")
	host := ref.domain
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		host = u.Host
	}
	return &instance{base: base, domain: ref.domain, client: w.remote, budget: w.budget(host), now: w.opts.Now}
}

func (w *Watcher) isLocal(domain string) bool {
	return domain == w.local.domain || domain == hostname(w.local.domain)
}

func hostname(hostport string) string {
	if h, _, ok := strings.Cut(hostport, ":"); ok && !strings.Contains(h, "]") {
		return h
	}
	return hostport
}

// outcome is what polling one account or tag produced.
type outcome struct {
	posts   []alerts.Post
	notices []string
}

// Poll reads what is new for each of the watch's accounts, or for each
// hashtag of a keyword-only watch, and returns it oldest first per account
// or tag. See cursor for what the returned cursor holds.
//
// On a watch's first poll (empty cursor) each timeline's newest page is
// returned as the baseline, which the core records as seen unless the
// watch asks for backfill. An account or tag added to a watch later is
// baselined silently (unless backfill), so adding an account does not
// alert on its last 40 posts.
//
// If any account or tag fails, Poll returns the error and no result, so
// no cursor moves and the poll is repeated whole; deduplication downstream
// drops what the repeat fetches twice.
func (w *Watcher) Poll(ctx context.Context, watch *alerts.Watch, rawCursor string) (*watchers.Result, error) {
	var tags []string
	if len(watch.Accounts) == 0 {
		var err error
		if tags, err = watchTags(watch.Keywords); err != nil {
			return nil, fmt.Errorf("poll %s: %w: %w", watch.Name, alerts.ErrPermanent, err)
		}
	}
	refs := make([]accountRef, 0, len(watch.Accounts))
	for _, a := range watch.Accounts {
		ref, err := parseAccount(a)
		if err != nil {
			return nil, fmt.Errorf("poll %s: %w: %w", watch.Name, alerts.ErrPermanent, err)
		}
		refs = append(refs, ref)
	}

	old := parseCursor(rawCursor)
	first := len(old.Accounts) == 0 && len(old.Tags) == 0
	next := &cursor{Accounts: map[string]*accountState{}, Tags: map[string]*tagState{}}
	// Each job writes only its own slot and its own entry of next, which
	// is created before the jobs start.
	outs := make([]outcome, len(refs)+len(tags))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(w.opts.Concurrency)
	for i, ref := range refs {
		if _, dup := next.Accounts[ref.key]; dup {
			continue
		}
		st := &accountState{}
		if prev := old.Accounts[ref.key]; prev != nil {
			*st = *prev
		}
		next.Accounts[ref.key] = st
		silent := !first && st.MinID == "" && !watch.Backfill
		g.Go(func() error {
			out, err := w.pollAccount(gctx, ref, st, silent)
			outs[i] = out
			return err
		})
	}
	for j, t := range tags {
		st := &tagState{}
		if prev := old.Tags[t]; prev != nil {
			*st = *prev
		}
		next.Tags[t] = st
		silent := !first && st.MinID == "" && !watch.Backfill
		g.Go(func() error {
			out, err := w.pollTag(gctx, t, st, silent)
			outs[len(refs)+j] = out
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("poll %s: %w", watch.Name, err)
	}
	res := &watchers.Result{Cursor: next.String()}
	seen := map[string]bool{}
	for _, o := range outs {
		for _, p := range o.posts {
			// Two watched accounts on one instance can boost the same
			// status only as two wrappers, but a repeated account or an
			// instance returning an item twice must not yield it twice.
			if !seen[p.ID] {
				seen[p.ID] = true
				res.Posts = append(res.Posts, p)
			}
		}
		res.Notices = append(res.Notices, o.notices...)
	}
	return res, nil
}

// pollAccount reads one account's new statuses into st.
func (w *Watcher) pollAccount(ctx context.Context, ref accountRef, st *accountState, silent bool) (outcome, error) {
	now := w.opts.Now()
	if !st.GoneAt.IsZero() && now.Sub(st.GoneAt) < goneRecheck {
		return outcome{}, nil
	}
	for attempt := 0; ; attempt++ {
		if st.ID == "" {
			found, err := w.resolve(ctx, ref)
			if errors.Is(err, errNotFound) {
				st.GoneAt = now
				return outcome{notices: []string{fmt.Sprintf(
					"Mastodon account @%s was not found; it is skipped and looked up again in %s", ref.key, goneRecheck)}}, nil
			}
			if err != nil {
				return outcome{}, fmt.Errorf("account @%s: %w", ref.key, err)
			}
			minID := st.MinID
			if minID != "" && found.Local != st.Local {
				// Status ids are per instance: a min_id from the other
				// instance means nothing here, so start a new baseline.
				// Its posts may have alerted already under their other
				// ids, so it stays silent.
				minID, silent = "", true
			}
			if st.Acct != "" {
				// Keep the handle we last showed, to notice a rename.
				found.Acct = st.Acct
			}
			*st = found
			st.MinID = minID
		}
		st.GoneAt = time.Time{}
		in := w.home(ref, st)
		out, err := w.readTimeline(ctx, in, "/api/v1/accounts/"+url.PathEscape(st.ID)+"/statuses", &st.MinID, silent, ref.key)
		if errors.Is(err, errNotFound) && attempt == 0 {
			// The account was deleted or suspended, or its id changed:
			// look it up again, once.
			w.forget(ref.key)
			st.ID = ""
			continue
		}
		if err != nil {
			return outcome{}, fmt.Errorf("statuses of @%s: %w", ref.key, err)
		}
		w.noticeRename(ref.key, st, &out)
		return out, nil
	}
}

// noticeRename compares the handle on the account's own statuses with the
// one last seen. On a change it sets PreviousHandle on this poll's posts
// by the account, tells the route once, and remembers the new handle; the
// watch keeps following the account by its id and URI.
func (w *Watcher) noticeRename(key string, st *accountState, out *outcome) {
	var current string
	for i := len(out.posts) - 1; i >= 0; i-- {
		if out.posts[i].AuthorID == st.URI {
			current = strings.TrimPrefix(out.posts[i].Handle, "@")
			break
		}
	}
	if current == "" || strings.EqualFold(current, st.Acct) {
		return
	}
	old := st.Acct
	st.Acct = current
	w.mu.Lock()
	if c, ok := w.resolved[key]; ok {
		c.Acct = current
		w.resolved[key] = c
	}
	w.mu.Unlock()
	for i := range out.posts {
		if out.posts[i].AuthorID == st.URI {
			out.posts[i].PreviousHandle = "@" + old
		}
	}
	out.notices = append(out.notices, fmt.Sprintf("Mastodon account @%s is now @%s; the watch follows it by its account URI %s", old, current, st.URI))
}

// pollTag reads one hashtag timeline's new statuses into st.
func (w *Watcher) pollTag(ctx context.Context, tag string, st *tagState, silent bool) (outcome, error) {
	out, err := w.readTimeline(ctx, w.local, "/api/v1/timelines/tag/"+url.PathEscape(tag), &st.MinID, silent, "")
	if errors.Is(err, errNotFound) {
		// A tag nobody used yet has an empty timeline on most servers,
		// but some return 404: nothing to read.
		return outcome{}, nil
	}
	if err != nil {
		return outcome{}, fmt.Errorf("hashtag #%s: %w", tag, err)
	}
	return out, nil
}

// readTimeline reads a timeline forward from *minID and advances it.
//
// With no min_id yet it reads only the newest page: the baseline. Its
// posts are returned unless silent. An empty timeline gets min_id "0", so
// everything posted later is new.
//
// Otherwise it asks for min_id=X&limit=40, which returns the 40 statuses
// right after X (newest first), and pages on from the newest of them,
// taken from the Link header's rel="prev" (else the page's highest id),
// until a page is short or MaxPages were read. What is left waits for the next
// poll; nothing is skipped.
func (w *Watcher) readTimeline(ctx context.Context, in *instance, path string, minID *string, silent bool, watched string) (outcome, error) {
	var out outcome
	cur := *minID
	for page := 0; page < w.opts.MaxPages; page++ {
		q := url.Values{"limit": {fmt.Sprint(pageLimit)}}
		if cur != "" {
			q.Set("min_id", cur)
		}
		resp, err := in.get(ctx, path, q)
		if err != nil {
			return outcome{}, err
		}
		statuses, raws, err := decodeStatuses(resp.Body)
		if err != nil {
			return outcome{}, fmt.Errorf("%s%s: %w: %w", in.domain, path, errMalformed, err)
		}
		newest := cur
		for i := range statuses {
			if newest == "" || compareID(statuses[i].ID, newest) > 0 {
				newest = statuses[i].ID
			}
			if cur == "" && silent {
				continue
			}
			if cur != "" && compareID(statuses[i].ID, cur) <= 0 {
				// A server ignoring min_id must not make us go back.
				continue
			}
			out.posts = append(out.posts, normalise(&statuses[i], raws[i], in.domain, watched))
		}
		if l := linkMinID(resp.Header.Get("Link")); l != "" && len(statuses) > 0 {
			// The server's own idea of the page's newest id wins: forks
			// may order ids in ways compareID does not know.
			newest = l
		}
		if cur == "" {
			// Baseline: the newest page only.
			if newest == "" {
				newest = "0"
			}
			cur = newest
			break
		}
		cur = newest
		if len(statuses) < pageLimit {
			break
		}
	}
	*minID = cur
	slices.SortStableFunc(out.posts, func(a, b alerts.Post) int { return compareID(a.ID, b.ID) })
	return out, nil
}
