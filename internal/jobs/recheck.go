package jobs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/watchers"
)

// Re-check defaults and bounds.
const (
	// DefaultRecheckWindow is how far back alerted posts are re-checked
	// when Options.RecheckWindow is zero.
	DefaultRecheckWindow = 7 * 24 * time.Hour
	// maxRecheckAlerts bounds the alerts one run reads (newest first);
	// each carries its raw evidence, so the bound is on memory too.
	maxRecheckAlerts = 5000
)

// Deletions is what the re-check job needs from the alerts service
// (*alerts.Service fits).
type Deletions interface {
	PostDeleted(ctx context.Context, platform, chainID string, at time.Time, reason string) error
	Now() time.Time
}

// RecheckStats says what one re-check run did.
type RecheckStats struct {
	// Checked counts the posts looked up (or passed over) per platform.
	Checked map[string]int
	// Deleted counts the posts found gone and marked, all platforms.
	Deleted int
}

// rotation remembers, per platform, the last post chain a run checked,
// so that platforms that check only some posts per run (Mastodon,
// Telegram, a budget running low) go round all of them over the runs
// instead of checking the newest ones again and again. It lives in
// memory: after a restart the round starts again, which costs nothing
// but order.
type rotation struct {
	mu    sync.Mutex
	after map[string]string
}

func (r *rotation) start(platform string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.after[platform]
}

func (r *rotation) done(platform, chainID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.after == nil {
		r.after = map[string]string{}
	}
	r.after[platform] = chainID
}

type recheckWorker struct {
	river.WorkerDefaults[RecheckArgs]
	e *Engine
}

// Work runs one re-check. A store failure snoozes the job for a prompt
// retry; a platform failure is logged and waits for the next run. Either
// way nothing is lost: every run starts from the store again, and marking
// a post deleted twice changes nothing.
func (w *recheckWorker) Work(ctx context.Context, _ *river.Job[RecheckArgs]) error {
	st, err := w.e.Recheck(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return river.JobSnooze(shutdownSnooze)
		}
		w.e.opts.Logger.Error("recheck_job_failed", "err", err)
		return river.JobSnooze(w.e.opts.StoreRetry)
	}
	if st.Deleted > 0 {
		w.e.opts.Logger.Info("recheck_found_deleted", "deleted", st.Deleted)
	}
	return nil
}

// Recheck looks the posts alerted within Options.RecheckWindow up again on
// their platforms and marks those gone as deleted: the evidence stays, the
// alerts get an audit event and their cards are edited. Posts already
// marked and platforms without a Rechecker are left alone. It returns an
// error only when the store fails; a platform that fails is logged and
// tried again on the next run.
func (e *Engine) Recheck(ctx context.Context) (RecheckStats, error) {
	st := RecheckStats{Checked: map[string]int{}}
	if len(e.deps.Rechecks) == 0 || e.deps.Deletions == nil {
		return st, nil
	}
	window := e.opts.RecheckWindow
	if window <= 0 {
		window = DefaultRecheckWindow
	}
	var as []*alerts.Alert
	err := e.deps.Store.View(ctx, func(tx alerts.Tx) error {
		var err error
		as, err = tx.Alerts(ctx, alerts.AlertFilter{Since: e.deps.Deletions.Now().Add(-window), Limit: maxRecheckAlerts})
		return err
	})
	if err != nil {
		return st, fmt.Errorf("recheck: %w", err)
	}
	if len(as) == maxRecheckAlerts {
		e.opts.Logger.Warn("recheck_truncated", "alerts", maxRecheckAlerts, "reason", "more alerts in the window than one run reads; the oldest wait")
	}
	byPlatform := candidates(as, e.deps.Rechecks)
	for _, platform := range slices.Sorted(maps.Keys(byPlatform)) {
		n, err := e.recheckPlatform(ctx, platform, byPlatform[platform])
		st.Checked[platform] += n.Checked
		st.Deleted += n.Deleted
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

// platformRun is what re-checking one platform did.
type platformRun struct{ Checked, Deleted int }

// recheckPlatform offers one platform's posts to its Rechecker, starting
// after the last post the previous run checked, and marks what is gone.
func (e *Engine) recheckPlatform(ctx context.Context, platform string, posts []alerts.Post) (platformRun, error) {
	var run platformRun
	log := e.opts.Logger.With("platform", platform)
	after := e.recheckRotation.start(platform)
	i, _ := slices.BinarySearchFunc(posts, after, func(p alerts.Post, id string) int {
		return strings.Compare(p.ChainID(), id)
	})
	if i < len(posts) && posts[i].ChainID() == after {
		i++
	}
	posts = append(posts[i:len(posts):len(posts)], posts[:i]...)
	res, rerr := e.deps.Rechecks[platform].Recheck(ctx, posts)
	res.Checked = min(max(res.Checked, 0), len(posts))
	run.Checked = res.Checked
	for _, g := range res.Gone {
		if err := e.deps.Deletions.PostDeleted(ctx, platform, g.ChainID, g.At, g.Reason); err != nil {
			// Not advancing the rotation: the next run looks again.
			return run, fmt.Errorf("recheck %s: %w", platform, err)
		}
		run.Deleted++
		log.Info("post_deleted_on_recheck", "chain", g.ChainID, "reason", g.Reason)
	}
	if res.Checked > 0 {
		e.recheckRotation.done(platform, posts[res.Checked-1].ChainID())
	}
	switch {
	case rerr == nil:
	case errors.Is(rerr, watchers.ErrBudgetReserved):
		log.Info("recheck_deferred", "checked", res.Checked, "of", len(posts), "reason", "rate-limit budget kept for polls")
	case ctx.Err() != nil:
		return run, ctx.Err()
	default:
		log.Warn("recheck_failed", "checked", res.Checked, "of", len(posts), "err", rerr)
	}
	return run, nil
}

// candidates groups the posts of alerts not yet marked deleted by
// platform, one per post chain, sorted by chain id; platforms without a
// Rechecker are left out.
func candidates(as []*alerts.Alert, rechecks map[string]watchers.Rechecker) map[string][]alerts.Post {
	out := map[string][]alerts.Post{}
	seen := map[[2]string]bool{}
	for _, a := range as {
		p := a.Post
		if !p.DeletedAt.IsZero() || rechecks[p.Platform] == nil {
			continue
		}
		k := [2]string{p.Platform, p.ChainID()}
		if seen[k] {
			continue
		}
		seen[k] = true
		p.Raw = nil // the evidence stays in the store; lookups need only ids
		out[p.Platform] = append(out[p.Platform], p)
	}
	for _, ps := range out {
		slices.SortFunc(ps, func(a, b alerts.Post) int { return strings.Compare(a.ChainID(), b.ChainID()) })
	}
	return out
}
