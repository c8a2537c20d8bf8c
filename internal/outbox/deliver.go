// Package outbox sends what the alerts service queued: cards, card edits
// and notices, one delivery row at a time, to the chat platform of its
// destination. It keeps each channel's order, paces sends, waits for a
// card before editing it, and turns every failure into either a retry or
// a visible, permanent "failed" state; nothing is dropped silently.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// Observer is told about every send attempt, for metrics.
type Observer interface {
	Delivered(platform string, kind alerts.DeliveryKind, took time.Duration, outcome string)
}

// Options tune the deliverer. Zero values take the defaults.
type Options struct {
	// Pace is the least time between two messages to one destination
	// (Slack allows about one message per second per channel).
	Pace time.Duration
	// Wait is how long a delivery waits for an earlier one (its card, an
	// older message to the same channel) before checking again.
	Wait time.Duration
	// MinRetry and MaxRetry bound the backoff after a failed send; a
	// Retry-After from the platform is honoured up to MaxRetry.
	MinRetry, MaxRetry time.Duration
	// GroupWindows maps a route name to its group window: cards of one
	// watch arriving within it go out as one grouped message.
	GroupWindows map[string]time.Duration
	// NoticeAfter is the number of failed attempts after which the
	// alert's route hears that a card is stuck (once). Zero means 5.
	NoticeAfter int
	Now         func() time.Time
	Logger      *slog.Logger
	Observer    Observer
}

func (o *Options) defaults() {
	if o.Pace <= 0 {
		o.Pace = time.Second
	}
	if o.Wait <= 0 {
		o.Wait = time.Second
	}
	if o.MinRetry <= 0 {
		o.MinRetry = 2 * time.Second
	}
	if o.MaxRetry <= 0 {
		o.MaxRetry = 15 * time.Minute
	}
	if o.NoticeAfter <= 0 {
		o.NoticeAfter = 5
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Deliverer sends deliveries through the notifier of each platform.
type Deliverer struct {
	store     alerts.Store
	notifiers map[string]alerts.Notifier
	notice    noticer
	opts      Options
	// maxWindow is the longest group window: grouped cards younger than
	// it may still be waiting for their window.
	maxWindow time.Duration
}

// noticer queues notices inside the caller's transaction; the alerts
// service does.
type noticer interface {
	NoticeTx(ctx context.Context, tx alerts.Tx, route, text string, except ...alerts.Destination) error
}

// New returns a deliverer. notifiers is keyed by platform: "slack",
// "discord", "console".
func New(store alerts.Store, notifiers map[string]alerts.Notifier, svc noticer, opts Options) *Deliverer {
	opts.defaults()
	d := &Deliverer{store: store, notifiers: notifiers, notice: svc, opts: opts}
	for _, w := range opts.GroupWindows {
		d.maxWindow = max(d.maxWindow, w)
	}
	return d
}

// Outcome says what became of one attempt.
type Outcome struct {
	// Done is set when the delivery reached a final state (sent, failed,
	// superseded): its job ends.
	Done bool
	// Retry is the wait before the next attempt when not done.
	Retry time.Duration
}

// Deliver attempts delivery id once. The network call happens outside any
// transaction, so a slow platform never holds the store.
func (d *Deliverer) Deliver(ctx context.Context, id int64) (Outcome, error) {
	var (
		dl      *alerts.Delivery
		ref     string
		msg     = &alerts.Message{}
		wait    time.Duration
		members []*alerts.Delivery
		newer   bool
	)
	err := d.store.View(ctx, func(tx alerts.Tx) error {
		var err error
		if dl, err = tx.Delivery(ctx, id); err != nil {
			return err
		}
		if dl.State != alerts.DeliveryPending {
			return nil
		}
		if newer, err = d.newerEdit(ctx, tx, dl); err != nil || newer {
			return err
		}
		if wait, ref, err = d.ready(ctx, tx, dl); err != nil || wait > 0 {
			return err
		}
		wait, members, err = d.compose(ctx, tx, dl, msg)
		return err
	})
	if errors.Is(err, alerts.ErrNotFound) && dl == nil {
		// The row is gone (an operator pruned it): nothing to send.
		return Outcome{Done: true}, nil
	}
	if err != nil {
		return Outcome{}, fmt.Errorf("deliver %d: %w", id, err)
	}
	switch {
	case dl.State != alerts.DeliveryPending:
		return Outcome{Done: true}, nil
	case newer:
		// A later edit of the same card is queued: it will show the
		// alert as it is then, so this one would only repeat it.
		return d.finish(ctx, dl, nil, alerts.DeliverySuperseded, "", nil)
	case wait > 0:
		return Outcome{Retry: wait}, nil
	case dl.Kind == alerts.DeliveryEdit && ref == "":
		// The card it edits failed for good: nothing to edit.
		return d.finish(ctx, dl, nil, alerts.DeliverySuperseded, "", nil)
	}
	return d.send(ctx, dl, members, ref, msg)
}

// newerEdit reports whether dl is an edit and a later edit of the same
// card is already queued.
func (d *Deliverer) newerEdit(ctx context.Context, tx alerts.Tx, dl *alerts.Delivery) (bool, error) {
	if dl.Kind != alerts.DeliveryEdit {
		return false, nil
	}
	ds, err := tx.Deliveries(ctx, dl.AlertID)
	if err != nil {
		return false, fmt.Errorf("list edits: %w", err)
	}
	for _, o := range ds {
		if o.Kind == alerts.DeliveryEdit && o.CardID == dl.CardID && o.ID > dl.ID && o.State == alerts.DeliveryPending {
			return true, nil
		}
	}
	return false, nil
}

// compose fills the message from the store as it is now: the alert, its
// mute and posted cards, and for grouped cards the whole group. A card of
// a route with a group window waits until the window closes, then carries
// every pending card of its group (members) in one message.
func (d *Deliverer) compose(ctx context.Context, tx alerts.Tx, dl *alerts.Delivery, msg *alerts.Message) (time.Duration, []*alerts.Delivery, error) {
	msg.Kind, msg.Notice, msg.Now = dl.Kind, dl.Text, d.opts.Now()
	if dl.AlertID == 0 {
		return 0, nil, nil
	}
	a, err := d.alert(ctx, tx, dl.AlertID, msg)
	if err != nil {
		return 0, nil, err
	}
	msg.Alert = a
	switch dl.Kind {
	case alerts.DeliveryNotice:
		ds, err := tx.Deliveries(ctx, dl.AlertID)
		if err != nil {
			return 0, nil, fmt.Errorf("load cards: %w", err)
		}
		for _, c := range ds {
			if c.Kind == alerts.DeliveryCard && c.State == alerts.DeliverySent {
				msg.Cards = append(msg.Cards, alerts.CardRef{Destination: c.Destination, Ref: c.MessageRef})
			}
		}
	case alerts.DeliveryEdit:
		card, err := tx.Delivery(ctx, dl.CardID)
		if err != nil {
			return 0, nil, fmt.Errorf("load card %d: %w", dl.CardID, err)
		}
		if card.GroupID == 0 {
			return 0, nil, nil
		}
		members, err := tx.GroupMembers(ctx, card.GroupID)
		if err != nil {
			return 0, nil, fmt.Errorf("load group: %w", err)
		}
		return 0, nil, d.group(ctx, tx, members, msg)
	case alerts.DeliveryCard:
		window := d.opts.GroupWindows[a.Route]
		if dl.Group == "" || window <= 0 {
			return 0, nil, nil
		}
		closes := dl.CreatedAt.Add(window)
		if wait := closes.Sub(d.opts.Now()); wait > 0 {
			return wait, nil, nil
		}
		members, err := tx.GroupPending(ctx, dl.Destination, dl.Group, closes)
		if err != nil {
			return 0, nil, fmt.Errorf("load group: %w", err)
		}
		if len(members) < 2 {
			return 0, nil, nil
		}
		msg.Alert, msg.Mute = nil, nil
		return 0, members, d.group(ctx, tx, members, msg)
	}
	return 0, nil, nil
}

func (d *Deliverer) alert(ctx context.Context, tx alerts.Tx, id int64, msg *alerts.Message) (*alerts.Alert, error) {
	a, err := tx.Alert(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load alert: %w", err)
	}
	if a.MuteID > 0 && msg != nil && msg.Alert == nil {
		if msg.Mute, err = tx.Mute(ctx, a.MuteID); err != nil && !errors.Is(err, alerts.ErrNotFound) {
			return nil, fmt.Errorf("load mute: %w", err)
		}
	}
	return a, nil
}

// group loads the alerts of a grouped card.
func (d *Deliverer) group(ctx context.Context, tx alerts.Tx, members []*alerts.Delivery, msg *alerts.Message) error {
	msg.Group = make([]*alerts.Alert, 0, len(members))
	for _, m := range members {
		a, err := d.alert(ctx, tx, m.AlertID, nil)
		if err != nil {
			return err
		}
		msg.Group = append(msg.Group, a)
	}
	return nil
}

// ready decides whether a delivery may go now: older deliveries to the
// same destination first (cards keep their order, an edit never overtakes
// its card), then pacing. For an edit it returns the card's message ref.
func (d *Deliverer) ready(ctx context.Context, tx alerts.Tx, dl *alerts.Delivery) (time.Duration, string, error) {
	before, err := tx.PendingBefore(ctx, dl, d.opts.Now().Add(-d.maxWindow))
	if err != nil {
		return 0, "", fmt.Errorf("check order: %w", err)
	}
	if before {
		return d.opts.Wait, "", nil
	}
	var ref string
	if dl.Kind == alerts.DeliveryEdit {
		card, err := tx.Delivery(ctx, dl.CardID)
		if err != nil {
			return 0, "", fmt.Errorf("load card %d: %w", dl.CardID, err)
		}
		if card.State == alerts.DeliveryPending {
			return d.opts.Wait, "", nil
		}
		ref = card.MessageRef
	}
	last, err := tx.LastSent(ctx, dl.Destination)
	if err != nil {
		return 0, "", fmt.Errorf("check pace: %w", err)
	}
	if wait := last.Add(d.opts.Pace).Sub(d.opts.Now()); wait > 0 && !last.IsZero() {
		return wait, ref, nil
	}
	return 0, ref, nil
}

func (d *Deliverer) send(ctx context.Context, dl *alerts.Delivery, members []*alerts.Delivery, ref string, msg *alerts.Message) (Outcome, error) {
	platform := dl.Destination.Platform()
	n, ok := d.notifiers[platform]
	if !ok {
		err := fmt.Errorf("%w: no %s connection is configured (check the [%s] section)", alerts.ErrPermanent, platform, platform)
		return d.finish(ctx, dl, members, alerts.DeliveryFailed, "", err)
	}
	start := d.opts.Now()
	var err error
	newRef := ref
	if dl.Kind == alerts.DeliveryEdit {
		err = n.Edit(ctx, dl.Destination, ref, msg)
	} else {
		newRef, err = n.Post(ctx, dl.Destination, msg)
	}
	if err != nil && ctx.Err() != nil {
		// Shutdown cut the send short: the row stays pending for the
		// next start. A send the platform accepted is recorded below even
		// during shutdown, or the card would be posted twice.
		return Outcome{}, ctx.Err()
	}
	outcome := "sent"
	defer func() {
		if d.opts.Observer != nil {
			d.opts.Observer.Delivered(platform, dl.Kind, d.opts.Now().Sub(start), outcome)
		}
	}()
	switch {
	case err == nil:
		return d.recordSent(ctx, dl, members, newRef)
	case errors.Is(err, alerts.ErrPermanent):
		outcome = "failed"
		return d.finish(ctx, dl, members, alerts.DeliveryFailed, "", err)
	}
	outcome = "retry"
	return d.retry(ctx, dl, err)
}

// recordRetryMin and recordRetryMax bound the wait between attempts to
// record a message the platform accepted.
const (
	recordRetryMin = 100 * time.Millisecond
	recordRetryMax = 5 * time.Second
)

// recordSentFor bounds how long a sent message's record is retried, even
// after the job itself was cancelled.
const recordSentFor = 30 * time.Second

// recordSent marks a message the platform accepted as sent. While the
// store is unreachable (a database restart) it keeps trying, for up to
// recordSentFor and through a shutdown: giving up would leave the row
// pending, and the message would be posted a second time.
func (d *Deliverer) recordSent(ctx context.Context, dl *alerts.Delivery, members []*alerts.Delivery, ref string) (Outcome, error) {
	// The platform has the message: recording it must outlive a shutdown
	// that cancels the job, within a bound.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordSentFor)
	defer cancel()
	wait := recordRetryMin
	for {
		out, err := d.finish(ctx, dl, members, alerts.DeliverySent, ref, nil)
		if err == nil || errors.Is(err, alerts.ErrNotFound) || ctx.Err() != nil {
			return out, err
		}
		d.opts.Logger.Warn("delivery_record_retry", "delivery", dl.ID, "retry_in", wait, "err", err)
		select {
		case <-ctx.Done():
			return out, err
		case <-time.After(wait):
		}
		wait = min(2*wait, recordRetryMax)
	}
}

// retry records a failed attempt and picks the wait before the next.
func (d *Deliverer) retry(ctx context.Context, dl *alerts.Delivery, cause error) (Outcome, error) {
	wait := time.Duration(float64(d.opts.MinRetry) * math.Pow(2, float64(min(dl.Attempts, 20))))
	if ra, ok := alerts.RetryAfter(cause); ok && ra > 0 {
		wait = ra
	}
	wait = min(wait, d.opts.MaxRetry)
	err := d.store.Update(ctx, func(tx alerts.Tx) error {
		cur, err := tx.Delivery(ctx, dl.ID)
		if err != nil {
			return err
		}
		cur.Attempts++
		cur.LastError = cause.Error()
		if err := tx.UpdateDelivery(ctx, cur); err != nil {
			return err
		}
		if cur.Attempts != d.opts.NoticeAfter || cur.Kind != alerts.DeliveryCard {
			return nil
		}
		a, err := tx.Alert(ctx, cur.AlertID)
		if err != nil {
			return err
		}
		// In the same transaction: the notice goes out exactly when the
		// attempt that warrants it is recorded.
		text := fmt.Sprintf("%s has not reached %s after %d attempts (%v); Lookout keeps retrying.", alerts.FormatRef(dl.AlertID), dl.Destination, d.opts.NoticeAfter, cause)
		return d.noticeTx(ctx, tx, a.Route, text, dl)
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("record failed delivery %d: %w", dl.ID, err)
	}
	d.opts.Logger.Warn("delivery_retry", "delivery", dl.ID, "destination", string(dl.Destination), "kind", string(dl.Kind), "attempt", dl.Attempts+1, "retry_in", wait, "err", cause)
	return Outcome{Retry: wait}, nil
}

// finish moves a delivery to a final state, and with it every card a
// grouped message carried. A card that fails for good is announced on the
// alert's other destinations, so nobody misses it.
func (d *Deliverer) finish(ctx context.Context, dl *alerts.Delivery, members []*alerts.Delivery, state alerts.DeliveryState, ref string, cause error) (Outcome, error) {
	if len(members) == 0 {
		members = []*alerts.Delivery{dl}
	}
	err := d.store.Update(ctx, func(tx alerts.Tx) error {
		var route string
		var failed []string
		for _, m := range members {
			cur, err := tx.Delivery(ctx, m.ID)
			if err != nil {
				return err
			}
			if cur.State != alerts.DeliveryPending {
				continue
			}
			cur.State = state
			if cur.ID == dl.ID {
				cur.Attempts++
			}
			if ref != "" {
				cur.MessageRef = ref
			}
			if len(members) > 1 {
				cur.GroupID = dl.ID
			}
			if cause != nil {
				cur.LastError = cause.Error()
			}
			if state == alerts.DeliverySent {
				cur.SentAt = d.opts.Now().UTC()
			}
			if state == alerts.DeliveryFailed && cur.Kind == alerts.DeliveryCard {
				failed = append(failed, alerts.FormatRef(cur.AlertID))
				if route == "" {
					a, err := tx.Alert(ctx, cur.AlertID)
					if err != nil {
						return err
					}
					route = a.Route
				}
			}
			if err := tx.UpdateDelivery(ctx, cur); err != nil {
				return err
			}
		}
		if route == "" {
			return nil
		}
		// In the same transaction: the failure is never recorded without
		// its notice.
		text := fmt.Sprintf("Could not post %s to %s: %v. Run `lookout status` for details.", strings.Join(failed, ", "), dl.Destination, cause)
		return d.noticeTx(ctx, tx, route, text, dl)
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("record delivery %d: %w", dl.ID, err)
	}
	if state == alerts.DeliveryFailed {
		d.opts.Logger.Error("delivery_failed", "delivery", dl.ID, "destination", string(dl.Destination), "kind", string(dl.Kind), "err", cause)
	}
	return Outcome{Done: true}, nil
}

// noticeTx queues a notice about delivery dl to the route's other
// destinations. A route that no longer exists is logged, not fatal: the
// delivery's own state must still be recorded.
func (d *Deliverer) noticeTx(ctx context.Context, tx alerts.Tx, route, text string, dl *alerts.Delivery) error {
	err := d.notice.NoticeTx(ctx, tx, route, text, dl.Destination)
	if errors.Is(err, alerts.ErrNotFound) {
		d.opts.Logger.Error("delivery_notice_route_missing", "delivery", dl.ID, "route", route)
		return nil
	}
	return err
}
