package bluesky

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/watchers"
)

// maxGetPosts is app.bsky.feed.getPosts' and app.bsky.actor.getProfiles'
// limit on uris and actors per request
// (https://docs.bsky.app/docs/api/app-bsky-feed-get-posts).
const maxGetPosts = 25

var _ watchers.Rechecker = (*Watcher)(nil)

// postsView is the getPosts response: the posts that still exist, in no
// promised order; a deleted post is simply left out.
type postsView struct {
	Posts []struct {
		URI string `json:"uri"`
	} `json:"posts"`
}

// profilesView is the getProfiles response; deactivated and taken-down
// accounts are left out.
type profilesView struct {
	Profiles []struct {
		DID string `json:"did"`
	} `json:"profiles"`
}

// Recheck looks posts up 25 at a time with app.bsky.feed.getPosts. A post
// left out of the answer is gone: deleted by its author, or hidden with
// the author's account, which one getProfiles request tells apart. Reposts
// are records of another collection and are passed over. Only the half of
// the AppView's window a poll would not need is spent.
func (w *Watcher) Recheck(ctx context.Context, posts []alerts.Post) (watchers.Rechecked, error) {
	var out watchers.Rechecked
	for out.Checked < len(posts) {
		end := min(out.Checked+maxGetPosts, len(posts))
		batch := posts[out.Checked:end]
		q := url.Values{}
		for _, p := range batch {
			if _, coll, _, ok := splitURI(p.ID); ok && coll == postCollection {
				q.Add("uris", p.ID)
			}
		}
		if len(q["uris"]) > 0 {
			gone, err := w.recheckBatch(ctx, q)
			if err != nil {
				return out, fmt.Errorf("recheck bluesky: %w", err)
			}
			out.MarkGone(batch, gone, w.opts.Now().UTC())
		}
		out.Checked = end
	}
	return out, nil
}

// recheckBatch asks for the uris in q and returns why each missing one is
// gone.
func (w *Watcher) recheckBatch(ctx context.Context, q url.Values) (map[string]string, error) {
	if !watchers.Spare(w.c.budget, 1) {
		return nil, watchers.ErrBudgetReserved
	}
	var pv postsView
	if err := w.c.get(ctx, "app.bsky.feed.getPosts", q, &pv); err != nil {
		return nil, err
	}
	found := make(map[string]bool, len(pv.Posts))
	for _, p := range pv.Posts {
		found[p.URI] = true
	}
	var missing []string
	authors := url.Values{}
	for _, uri := range q["uris"] {
		if found[uri] {
			continue
		}
		missing = append(missing, uri)
		did, _, _, _ := splitURI(uri)
		if !slices.Contains(authors["actors"], did) {
			authors.Add("actors", did)
		}
	}
	if len(missing) == 0 {
		return nil, nil
	}
	if !watchers.Spare(w.c.budget, 1) {
		return nil, watchers.ErrBudgetReserved
	}
	var prof profilesView
	if err := w.c.get(ctx, "app.bsky.actor.getProfiles", authors, &prof); err != nil {
		return nil, err
	}
	active := make(map[string]bool, len(prof.Profiles))
	for _, p := range prof.Profiles {
		active[p.DID] = true
	}
	gone := make(map[string]string, len(missing))
	for _, uri := range missing {
		did, _, _, _ := splitURI(uri)
		if active[did] {
			gone[uri] = watchers.ReasonDeleted
		} else {
			gone[uri] = "unavailable: account deactivated or suspended"
		}
	}
	return gone, nil
}
