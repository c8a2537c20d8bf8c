// Package watchers polls sources for watches: the Watcher interface every
// platform adapter implements, and the scheduler that decides when each
// watch is polled and what happens with the result.
package watchers

import (
	"context"

	"github.com/lookoutbot/lookout/alerts"
)

// Watcher fetches what is new on one source for one watch. Poll starts from
// cursor (empty on a watch's first poll) and returns the posts found and
// the cursor to store with them. The cursor is saved only in the
// transaction that stores the posts, so a failed or interrupted poll is
// simply repeated from the old cursor.
//
// Poll returns a *alerts.RetryAfterError when the platform asks to wait,
// and an error wrapping alerts.ErrPermanent when retrying cannot help
// (credentials rejected, account gone); the scheduler keeps the watch
// either way and tells its route.
type Watcher interface {
	Poll(ctx context.Context, w *alerts.Watch, cursor string) (*Result, error)
}

// Result is the outcome of one poll.
type Result struct {
	Posts  []alerts.Post
	Cursor string
	// Notices are things the route must hear about although the poll
	// succeeded, such as a possible gap when more posts arrived than the
	// platform lets us page back through.
	Notices []string
}
