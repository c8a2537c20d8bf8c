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
}

// noticer queues notices; the alerts service does.
type noticer interface {
	Notice(ctx context.Context, route, text string, except ...alerts.Destination) error
}

// New returns a deliverer. notifiers is keyed by platform: "slack",
// "discord", "console".
func New(store alerts.Store, notifiers map[string]alerts.Notifier, svc noticer, opts Options) *Deliverer {
	opts.defaults()
	return &Deliverer{store: store, notifiers: notifiers, notice: svc, opts: opts}
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
		dl   *alerts.Delivery
		ref  string
		msg  = &alerts.Message{}
		wait time.Duration
	)
	err := d.store.View(ctx, func(tx alerts.Tx) error {
		var err error
		if dl, err = tx.Delivery(ctx, id); err != nil {
			return err
		}
		if dl.State != alerts.DeliveryPending {
			return nil
		}
		if wait, ref, err = d.ready(ctx, tx, dl); err != nil || wait > 0 {
			return err
		}
		msg.Kind, msg.Notice, msg.Now = dl.Kind, dl.Text, d.opts.Now()
		if dl.AlertID > 0 {
			if msg.Alert, err = tx.Alert(ctx, dl.AlertID); err != nil {
				return fmt.Errorf("load alert: %w", err)
			}
		}
		return nil
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
	case wait > 0:
		return Outcome{Retry: wait}, nil
	case dl.Kind == alerts.DeliveryEdit && ref == "":
		// The card it edits failed for good: nothing to edit.
		return d.finish(ctx, dl, alerts.DeliverySuperseded, "", nil)
	}
	return d.send(ctx, dl, ref, msg)
}

// ready decides whether a delivery may go now: older deliveries to the
// same destination first (cards keep their order, an edit never overtakes
// its card), then pacing. For an edit it returns the card's message ref.
func (d *Deliverer) ready(ctx context.Context, tx alerts.Tx, dl *alerts.Delivery) (time.Duration, string, error) {
	before, err := tx.PendingBefore(ctx, dl)
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

func (d *Deliverer) send(ctx context.Context, dl *alerts.Delivery, ref string, msg *alerts.Message) (Outcome, error) {
	platform := dl.Destination.Platform()
	n, ok := d.notifiers[platform]
	if !ok {
		err := fmt.Errorf("%w: no %s connection is configured (check the [%s] section)", alerts.ErrPermanent, platform, platform)
		return d.finish(ctx, dl, alerts.DeliveryFailed, "", err)
	}
	start := d.opts.Now()
	var err error
	newRef := ref
	if dl.Kind == alerts.DeliveryEdit {
		err = n.Edit(ctx, dl.Destination, ref, msg)
	} else {
		newRef, err = n.Post(ctx, dl.Destination, msg)
	}
	if ctx.Err() != nil {
		// Shutdown: the row stays pending for the next start.
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
		return d.finish(ctx, dl, alerts.DeliverySent, newRef, nil)
	case errors.Is(err, alerts.ErrPermanent):
		outcome = "failed"
		return d.finish(ctx, dl, alerts.DeliveryFailed, "", err)
	}
	outcome = "retry"
	return d.retry(ctx, dl, err)
}

// retry records a failed attempt and picks the wait before the next.
func (d *Deliverer) retry(ctx context.Context, dl *alerts.Delivery, cause error) (Outcome, error) {
	wait := time.Duration(float64(d.opts.MinRetry) * math.Pow(2, float64(min(dl.Attempts, 20))))
	if ra, ok := alerts.RetryAfter(cause); ok && ra > 0 {
		wait = ra
	}
	wait = min(wait, d.opts.MaxRetry)
	var route string
	err := d.store.Update(ctx, func(tx alerts.Tx) error {
		cur, err := tx.Delivery(ctx, dl.ID)
		if err != nil {
			return err
		}
		cur.Attempts++
		cur.LastError = cause.Error()
		if cur.Attempts == d.opts.NoticeAfter && cur.Kind == alerts.DeliveryCard {
			a, err := tx.Alert(ctx, cur.AlertID)
			if err != nil {
				return err
			}
			route = a.Route
		}
		return tx.UpdateDelivery(ctx, cur)
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("record failed delivery %d: %w", dl.ID, err)
	}
	if route != "" {
		text := fmt.Sprintf("%s has not reached %s after %d attempts (%v); Lookout keeps retrying.", alerts.FormatRef(dl.AlertID), dl.Destination, d.opts.NoticeAfter, cause)
		if err := d.notice.Notice(ctx, route, text, dl.Destination); err != nil {
			d.opts.Logger.Error("delivery_stuck_notice", "delivery", dl.ID, "err", err)
		}
	}
	d.opts.Logger.Warn("delivery_retry", "delivery", dl.ID, "destination", string(dl.Destination), "kind", string(dl.Kind), "attempt", dl.Attempts+1, "retry_in", wait, "err", cause)
	return Outcome{Retry: wait}, nil
}

// finish moves a delivery to a final state. A card that fails for good is
// announced on the alert's other destinations, so nobody misses it.
func (d *Deliverer) finish(ctx context.Context, dl *alerts.Delivery, state alerts.DeliveryState, ref string, cause error) (Outcome, error) {
	var route string
	err := d.store.Update(ctx, func(tx alerts.Tx) error {
		cur, err := tx.Delivery(ctx, dl.ID)
		if err != nil {
			return err
		}
		cur.State = state
		cur.Attempts++
		if ref != "" {
			cur.MessageRef = ref
		}
		if cause != nil {
			cur.LastError = cause.Error()
		}
		if state == alerts.DeliverySent {
			cur.SentAt = d.opts.Now().UTC()
		}
		if state == alerts.DeliveryFailed && cur.Kind == alerts.DeliveryCard {
			a, err := tx.Alert(ctx, cur.AlertID)
			if err != nil {
				return err
			}
			route = a.Route
		}
		return tx.UpdateDelivery(ctx, cur)
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("record delivery %d: %w", dl.ID, err)
	}
	if state == alerts.DeliveryFailed {
		d.opts.Logger.Error("delivery_failed", "delivery", dl.ID, "destination", string(dl.Destination), "kind", string(dl.Kind), "err", cause)
		if route != "" {
			text := fmt.Sprintf("Could not post %s to %s: %v. Run `lookout status` for details.", alerts.FormatRef(dl.AlertID), dl.Destination, cause)
			if err := d.notice.Notice(ctx, route, text, dl.Destination); err != nil {
				d.opts.Logger.Error("delivery_failure_notice", "delivery", dl.ID, "err", err)
			}
		}
	}
	return Outcome{Done: true}, nil
}
