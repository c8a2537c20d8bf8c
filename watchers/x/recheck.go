package x

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/watchers"
)

// Post lookup, https://docs.x.com/x-api/posts/lookup/introduction:
// GET /2/tweets?ids= takes up to 100 ids and answers 200 with the posts it
// found in data and one entry per missing id in errors, of type
// ".../problems/resource-not-found" for a deleted post.
const (
	maxLookupIDs = 100
	// notFoundType ends the errors[].type of an id that does not exist.
	notFoundType = "/problems/resource-not-found"
)

// lookupEndpoint has its own rate-limit window, apart from search and
// timelines, but it is billed per post read like them.
var lookupEndpoint = endpoint{budget: "x:app:lookup"}

var _ watchers.Rechecker = (*Watcher)(nil)

// lookupPage is the /2/tweets response, reduced to what a re-check reads.
type lookupPage struct {
	Data []struct {
		ID string `json:"id"`
	} `json:"data"`
	Errors []struct {
		Value      string `json:"value"`
		ResourceID string `json:"resource_id"`
		Parameter  string `json:"parameter"`
		Title      string `json:"title"`
		Detail     string `json:"detail"`
		Type       string `json:"type"`
	} `json:"errors"`
}

// Recheck looks posts up 100 at a time and reports those X answers "not
// found" for. Only the half of the lookup window a poll would not need is
// spent (watchers.SpareBudget). A post whose author is suspended is
// reported as such; a protected post (not authorised) is not gone.
func (w *Watcher) Recheck(ctx context.Context, posts []alerts.Post) (watchers.Rechecked, error) {
	var out watchers.Rechecked
	budget := w.opts.Budgets.Get(lookupEndpoint.budget, w.opts.Now)
	for out.Checked < len(posts) {
		end := min(out.Checked+maxLookupIDs, len(posts))
		batch := posts[out.Checked:end]
		ids := make([]string, 0, len(batch))
		for _, p := range batch {
			if validID(p.ID) {
				ids = append(ids, p.ID)
			}
		}
		if len(ids) > 0 {
			if !watchers.SpareBudget(budget.Snapshot(), 1) {
				return out, fmt.Errorf("recheck x: %w", watchers.ErrBudgetReserved)
			}
			gone, err := w.lookup(ctx, ids)
			if err != nil {
				return out, fmt.Errorf("recheck x: %w", err)
			}
			out.MarkGone(batch, gone, w.opts.Now().UTC())
		}
		out.Checked = end
	}
	return out, nil
}

// lookup asks for ids and returns the reason each missing one is gone.
func (w *Watcher) lookup(ctx context.Context, ids []string) (map[string]string, error) {
	q := url.Values{"ids": {strings.Join(ids, ",")}}
	body, err := w.get(ctx, lookupEndpoint, "/2/tweets", q)
	if err != nil {
		return nil, err
	}
	return goneFrom(body, ids)
}

// goneFrom reads a lookup response for ids: an id is gone when it is not
// in data and errors lists it as not found.
func goneFrom(body []byte, ids []string) (map[string]string, error) {
	var pg lookupPage
	if err := json.Unmarshal(body, &pg); err != nil {
		return nil, fmt.Errorf("decode lookup: %w", err)
	}
	asked := make(map[string]bool, len(ids))
	for _, id := range ids {
		asked[id] = true
	}
	present := make(map[string]bool, len(pg.Data))
	for _, d := range pg.Data {
		present[d.ID] = true
	}
	gone := map[string]string{}
	for _, e := range pg.Errors {
		id := e.ResourceID
		if id == "" {
			id = e.Value
		}
		if !asked[id] || present[id] || !strings.HasSuffix(e.Type, notFoundType) {
			continue
		}
		if strings.Contains(strings.ToLower(e.Detail), "suspended") {
			gone[id] = watchers.ReasonSuspended
		} else {
			gone[id] = watchers.ReasonDeleted
		}
	}
	return gone, nil
}
