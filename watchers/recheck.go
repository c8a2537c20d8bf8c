package watchers

import (
	"context"
	"errors"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/ratelimit"
)

// Rechecker looks alerted posts up again to learn which are gone from the
// platform, so their cards can say so while the evidence stays. A cursor
// moves past a post once; only a re-check notices a deletion the platform
// does not announce.
//
// Recheck works through posts in order, in batches where the platform has
// a batch lookup, and may stop early: to bound one run, or to keep the
// rate-limit budget for polls. Rechecked.Checked says how many posts, from
// the start, it is done with; the caller offers the rest first next time.
// On error, the Rechecked returned still holds what was learnt before it.
// A post is reported gone only when the platform says so (a 404, an id
// listed as not found): a failed request, a rate limit or an answer it
// cannot read reports nothing.
type Rechecker interface {
	Recheck(ctx context.Context, posts []alerts.Post) (Rechecked, error)
}

// Rechecked is the outcome of one Recheck.
type Rechecked struct {
	Gone []Gone
	// Checked counts the posts, from the start of the list, that were
	// looked up or passed over because they cannot be looked up (a repost
	// record, an id the platform cannot be asked about).
	Checked int
}

// Gone is a post the platform no longer shows.
type Gone struct {
	// ChainID is the post chain that is gone (alerts.Post.ChainID).
	ChainID string
	// At is when Lookout noticed; platforms do not say when.
	At time.Time
	// Reason completes "post … at <time>" on the card.
	Reason string
}

// Reasons shown on cards ("post deleted by author at …").
const (
	ReasonDeleted   = "deleted by author"
	ReasonSuspended = "unavailable: account suspended"
)

// ErrBudgetReserved is returned by Recheck when it stopped because the
// platform's rate-limit budget is kept for polls; the posts not checked
// wait for the next run.
var ErrBudgetReserved = errors.New("rate-limit budget kept for polls")

// recheckFloor is the least a re-check leaves of a budget whose limit is
// not known.
const recheckFloor = 10

// SpareBudget reports whether a re-check may spend need more requests of
// a budget: only while more than half its window would be left (at least
// recheckFloor requests), so polls never wait for a re-check. A budget
// that has not been seen yet may be spent: its first response says more.
func SpareBudget(s ratelimit.Snapshot, need int) bool {
	if !s.Known {
		return true
	}
	floor := max(recheckFloor, s.Limit/2)
	return s.Remaining-need >= floor
}

// Snapshotter is a budget that can tell how much is left
// (*ratelimit.Budget is one).
type Snapshotter interface {
	Snapshot() ratelimit.Snapshot
}

// Spare is SpareBudget for any budget: a budget that cannot tell how much
// is left (or none) may be spent.
func Spare(b any, need int) bool {
	s, ok := b.(Snapshotter)
	if !ok {
		return true
	}
	return SpareBudget(s.Snapshot(), need)
}

// MarkGone records as gone, at at, each post of batch whose platform id is
// a key of reasons (the platform's batch lookup), with the reason given.
func (r *Rechecked) MarkGone(batch []alerts.Post, reasons map[string]string, at time.Time) {
	for _, p := range batch {
		if reason, ok := reasons[p.ID]; ok {
			r.Gone = append(r.Gone, Gone{ChainID: p.ChainID(), At: at, Reason: reason})
		}
	}
}
