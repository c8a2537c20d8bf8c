package alerts

import "time"

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
}
