package alerts

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// AccountActivity is how often one watched account posts, learned from
// what the watch sees. A ban, a rename and a broken watcher all look like
// silence, so a regular poster going quiet is worth a notice.
type AccountActivity struct {
	Watch      string    `json:"watch"`
	Account    string    `json:"account"`
	LastPostAt time.Time `json:"last_post_at"`
	// Since is when Lookout started following the account: silence is
	// counted from then at the earliest, so history fetched on a watch's
	// first poll never reads as silence.
	Since   time.Time     `json:"since"`
	Posts   int           `json:"posts"`
	MeanGap time.Duration `json:"mean_gap"`
	// SilentNotified is set once the route heard the account went silent,
	// and cleared by its next post.
	SilentNotified bool `json:"silent_notified"`
}

// Silence thresholds: an account is "regular" once Lookout saw
// silenceMinPosts posts from it with a typical gap of at most
// silenceMaxGap (it posts at least daily), and "silent" after
// silenceFactor typical gaps without a post, and never before
// silenceFloor, so a busy account's quiet evening is not news.
const (
	silenceMinPosts = 5
	silenceMaxGap   = 24 * time.Hour
	silenceFactor   = 5
	silenceFloor    = 24 * time.Hour
	// gapWeight is the weight of the newest gap in the moving average.
	gapWeight = 0.2
)

// Silent reports whether a regular account has been quiet for too long.
func (a *AccountActivity) Silent(now time.Time) bool {
	if a.Posts < silenceMinPosts || a.MeanGap <= 0 || a.MeanGap > silenceMaxGap {
		return false
	}
	quietSince := a.LastPostAt
	if a.Since.After(quietSince) {
		quietSince = a.Since
	}
	return now.Sub(quietSince) > max(silenceFactor*a.MeanGap, silenceFloor)
}

// observe records a post at t.
func (a *AccountActivity) observe(t time.Time) {
	if !a.LastPostAt.IsZero() && t.After(a.LastPostAt) {
		gap := t.Sub(a.LastPostAt)
		if a.MeanGap == 0 {
			a.MeanGap = gap
		} else {
			a.MeanGap = time.Duration((1-gapWeight)*float64(a.MeanGap) + gapWeight*float64(gap))
		}
	}
	if t.After(a.LastPostAt) {
		a.LastPostAt = t
	}
	a.Posts++
	a.SilentNotified = false
}

// accountOf names the watched account a post belongs to: the account it
// was fetched for, or the watched account that wrote it; "" when the watch
// does not follow accounts.
func accountOf(w *Watch, p *Post) string {
	if p.Account != "" {
		return p.Account
	}
	for _, a := range w.Accounts {
		if sameAccount(a, p) {
			return a
		}
	}
	return ""
}

// trackActivity updates the cadence of the accounts that posted in a
// batch and tells the route, once, about regular accounts gone silent.
func (s *Service) trackActivity(ctx context.Context, tx Tx, b *Batch, fresh []*Post) error {
	if len(b.Watch.Accounts) == 0 {
		return nil
	}
	acts, err := tx.Activity(ctx, b.Watch.Name)
	if err != nil {
		return err
	}
	byAccount := make(map[string]*AccountActivity, len(acts))
	for _, a := range acts {
		byAccount[a.Account] = a
	}
	changed := make(map[string]bool)
	for _, p := range fresh {
		acct := accountOf(b.Watch, p)
		if acct == "" {
			continue
		}
		a, ok := byAccount[acct]
		if !ok {
			a = &AccountActivity{Watch: b.Watch.Name, Account: acct, Since: b.FetchedAt}
			byAccount[acct] = a
		}
		at := p.CreatedAt
		if at.IsZero() {
			at = b.FetchedAt
		}
		a.observe(at)
		changed[acct] = true
	}
	now := s.Now()
	var silent []string
	for acct, a := range byAccount {
		if !slices.Contains(b.Watch.Accounts, acct) {
			continue // no longer watched
		}
		if !a.SilentNotified && a.Silent(now) {
			a.SilentNotified = true
			changed[acct] = true
			silent = append(silent, fmt.Sprintf("%s (last post %s ago, usually every %s)", acct,
				roundDuration(now.Sub(a.LastPostAt)), roundDuration(a.MeanGap)))
		}
	}
	for acct := range changed {
		if err := tx.PutActivity(ctx, byAccount[acct]); err != nil {
			return err
		}
	}
	if len(silent) == 0 {
		return nil
	}
	text := fmt.Sprintf("Watch %s: gone silent: %s. A ban, a rename or a broken watcher all look like this.",
		b.Watch.Name, strings.Join(silent, "; "))
	return s.noticeRoute(ctx, tx, b.Watch.Route, 0, text)
}
