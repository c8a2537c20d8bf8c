package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/watchers"
)

// MaxRecheck bounds the preview pages one Recheck fetches. t.me publishes
// no rate limits, so re-checks stay as polite as polls.
const MaxRecheck = 20

// reasonDeleted: only a channel's admins can delete its messages.
const reasonDeleted = "deleted by the channel"

var _ watchers.Rechecker = (*Watcher)(nil)

// Recheck fetches, for each message, the preview page that ends with it
// (?before=<id+1>) and reports the message gone when that page shows
// older messages of the channel but not this one. A page that is not a
// channel preview, a message that could not be read, or a page without
// older messages says nothing: the message is not reported. At most
// MaxRecheck pages are fetched per call.
func (w *Watcher) Recheck(ctx context.Context, posts []alerts.Post) (watchers.Rechecked, error) {
	var out watchers.Rechecked
	var passed []error
	requests := 0
	for ; out.Checked < len(posts); out.Checked++ {
		p := &posts[out.Checked]
		channel, id, ok := splitPostID(p.ChainID())
		if !ok {
			continue
		}
		if requests == MaxRecheck {
			break
		}
		requests++
		pg, err := w.fetch(ctx, account{raw: channel, channel: channel}, id+1)
		if errors.Is(err, alerts.ErrPermanent) {
			// The channel is gone or its preview is off: no message can
			// be seen, which is not the same as this one being deleted.
			passed = append(passed, err)
			continue
		}
		if err != nil {
			return out, fmt.Errorf("recheck telegram %s: %w", p.ChainID(), err)
		}
		if deletedFrom(pg, channel, id) {
			out.Gone = append(out.Gone, watchers.Gone{ChainID: p.ChainID(), At: w.opts.Now().UTC(), Reason: reasonDeleted})
		}
	}
	if len(passed) > 0 {
		return out, fmt.Errorf("recheck telegram: passed over: %w", errors.Join(passed...))
	}
	return out, nil
}

// deletedFrom reports whether the page fetched with ?before=id+1 proves
// the message deleted: it was read whole, holds older messages of the
// channel (so it reaches where the message was), nothing newer (so the
// before= was honoured), and not the message itself.
func deletedFrom(pg *page, channel string, id int64) bool {
	if pg.skipped > 0 {
		return false
	}
	older := false
	for _, m := range pg.messages {
		if !strings.EqualFold(m.channel, channel) {
			continue
		}
		switch {
		case m.id == id, m.id > id:
			return false
		default:
			older = true
		}
	}
	return older
}

// splitPostID reads a chain id "channel/123".
func splitPostID(s string) (string, int64, bool) {
	channel, num, ok := strings.Cut(s, "/")
	if !ok || !channelName.MatchString(channel) {
		return "", 0, false
	}
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil || id <= 0 || id == 1<<63-1 {
		return "", 0, false
	}
	return channel, id, true
}
