package reddit

import (
	"context"
	"fmt"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/watchers"
)

// reasonUnlisted is why a submission /api/info no longer returns is gone:
// Reddit does not say whether it was purged or its subreddit went private.
const reasonUnlisted = "unavailable: no longer listed by Reddit"

var _ watchers.Rechecker = (*Watcher)(nil)

// Recheck looks submissions up 100 at a time with Info (/api/info) and
// reports those Reddit shows removed or deleted ("[removed]",
// removed_by_category), or no longer returns at all. Only the half of the
// app's window a poll would not need is spent.
func (w *Watcher) Recheck(ctx context.Context, posts []alerts.Post) (watchers.Rechecked, error) {
	var out watchers.Rechecked
	for out.Checked < len(posts) {
		end := min(out.Checked+MaxPageLimit, len(posts))
		batch := posts[out.Checked:end]
		var names []string
		for _, p := range batch {
			if validFullname(p.ID) {
				names = append(names, p.ID)
			}
		}
		if len(names) > 0 {
			if !watchers.SpareBudget(w.opts.Budget.Snapshot(), 1) {
				return out, fmt.Errorf("recheck reddit: %w", watchers.ErrBudgetReserved)
			}
			found, err := w.Info(ctx, names)
			if err != nil {
				return out, fmt.Errorf("recheck reddit: %w", err)
			}
			byName := make(map[string]*alerts.Post, len(found))
			for i := range found {
				byName[found[i].ID] = &found[i]
			}
			now := w.opts.Now().UTC()
			for _, p := range batch {
				if !validFullname(p.ID) {
					continue
				}
				switch f := byName[p.ID]; {
				case f == nil:
					out.Gone = append(out.Gone, watchers.Gone{ChainID: p.ChainID(), At: now, Reason: reasonUnlisted})
				case !f.DeletedAt.IsZero():
					out.Gone = append(out.Gone, watchers.Gone{ChainID: p.ChainID(), At: now, Reason: f.DeletedReason})
				}
			}
		}
		out.Checked = end
	}
	return out, nil
}
