package alerts

import (
	"context"
	"fmt"
	"time"
)

// WatchState is what the scheduler keeps per watch: the watcher's cursor
// and the poll health.
type WatchState struct {
	Watch string `json:"watch"`
	// Cursor is the watcher's opaque position. It advances only in the
	// transaction that stores the posts it covers.
	Cursor string `json:"cursor,omitempty"`
	// Baselined is set once the first poll recorded what the source
	// already held.
	Baselined  bool      `json:"baselined"`
	Failures   int       `json:"failures"`
	LastError  string    `json:"last_error,omitempty"`
	LastPollAt time.Time `json:"last_poll_at,omitempty"`
	LastOKAt   time.Time `json:"last_ok_at,omitempty"`
	// Unhealthy is set when the route was told the watch is failing, so
	// the "recovered" notice is sent exactly once.
	Unhealthy bool `json:"unhealthy"`
	// NextPollAt is when the scheduler polls the watch next.
	NextPollAt time.Time `json:"next_poll_at,omitempty"`
}

// WatchState returns what the scheduler keeps for a watch.
func (s *Service) WatchState(ctx context.Context, name string) (*WatchState, error) {
	var st *WatchState
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		st, err = tx.WatchState(ctx, name)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("state of %s: %w", name, err)
	}
	return st, nil
}

// PollFailed records a failed poll. After unhealthyAfter failures in a row
// the watch's route is told, once, that the watch is unhealthy; the watch
// keeps being polled (never silently disabled). The cursor is untouched.
// next is when the watch will be polled again.
func (s *Service) PollFailed(ctx context.Context, w *Watch, reason string, unhealthyAfter int, next time.Time) (*WatchState, error) {
	var st *WatchState
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if st, err = tx.WatchState(ctx, w.Name); err != nil {
			return err
		}
		now := s.Now()
		st.Failures++
		st.LastError = reason
		st.LastPollAt = now
		st.NextPollAt = next
		if unhealthyAfter > 0 && st.Failures >= unhealthyAfter && !st.Unhealthy {
			st.Unhealthy = true
			since := "the start"
			if !st.LastOKAt.IsZero() {
				since = st.LastOKAt.Format(time.RFC3339)
			}
			text := fmt.Sprintf("Watch %s is unhealthy: %s (%d failed polls in a row; last success %s). Lookout keeps retrying and will say when it recovers.",
				w.Name, reason, st.Failures, since)
			if err := s.noticeRoute(ctx, tx, w.Route, 0, text); err != nil {
				return err
			}
		}
		return tx.PutWatchState(ctx, st)
	})
	if err != nil {
		return nil, fmt.Errorf("record failed poll of %s: %w", w.Name, err)
	}
	return st, nil
}

// pollSucceeded resets the failure count inside an ingest transaction and
// tells the route when an unhealthy watch recovers.
func (s *Service) pollSucceeded(ctx context.Context, tx Tx, w *Watch, st *WatchState, at time.Time) error {
	if st.Unhealthy {
		text := fmt.Sprintf("Watch %s recovered after %d failed polls.", w.Name, st.Failures)
		if err := s.noticeRoute(ctx, tx, w.Route, 0, text); err != nil {
			return err
		}
	}
	st.Unhealthy = false
	st.Failures = 0
	st.LastError = ""
	st.LastPollAt = at
	st.LastOKAt = at
	return nil
}

// Budget is a platform's request budget for one credential, as the
// running process last read it from the platform's headers.
type Budget struct {
	Name      string    `json:"name"`
	Limit     int       `json:"limit"`
	Remaining int       `json:"remaining"`
	Reset     time.Time `json:"reset"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Replica is one running `lookout run` process, as its last heartbeat
// described it.
type Replica struct {
	ID        string    `json:"id"`
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	Version   string    `json:"version"`
	StartedAt time.Time `json:"started_at"`
	SeenAt    time.Time `json:"seen_at"`
	// Holds names the exclusive streams it holds ("bluesky:stream",
	// "discord:gateway").
	Holds []string `json:"holds,omitempty"`
}
