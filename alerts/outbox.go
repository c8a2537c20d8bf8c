package alerts

import (
	"context"
	"time"
)

// DeliveryKind says what a delivery sends.
type DeliveryKind string

// The delivery kinds.
const (
	// DeliveryCard posts an alert's card.
	DeliveryCard DeliveryKind = "card"
	// DeliveryEdit re-renders a posted card in place. It never overtakes
	// the card: it waits until the card has a message reference.
	DeliveryEdit DeliveryKind = "edit"
	// DeliveryNotice posts a one-off text: escalation pings, unhealthy
	// watches, mute expiry.
	DeliveryNotice DeliveryKind = "notice"
)

// DeliveryState is where a delivery stands.
type DeliveryState string

// The delivery states.
const (
	DeliveryPending    DeliveryState = "pending"
	DeliverySent       DeliveryState = "sent"
	DeliveryFailed     DeliveryState = "failed"
	DeliverySuperseded DeliveryState = "superseded"
)

// Delivery is one row of the outbox: one message to one destination,
// written in the same transaction as the change that caused it.
type Delivery struct {
	ID          int64        `json:"id"`
	AlertID     int64        `json:"alert_id,omitempty"`
	CardID      int64        `json:"card_id,omitempty"` // for edits: the card delivery edited
	Destination Destination  `json:"destination"`
	Kind        DeliveryKind `json:"kind"`
	Text        string       `json:"text,omitempty"` // notices
	// Group is set on cards of a route with a group window (the watch
	// name): pending cards of one group to one destination within the
	// window go out as one grouped message.
	Group string `json:"group,omitempty"`
	// GroupID is the id of the card that carried the grouped message, on
	// every card it carried (its own included).
	GroupID    int64         `json:"group_id,omitempty"`
	State      DeliveryState `json:"state"`
	MessageRef string        `json:"message_ref,omitempty"`
	Attempts   int           `json:"attempts"`
	LastError  string        `json:"last_error,omitempty"`
	CreatedAt  time.Time     `json:"created_at"`
	SentAt     time.Time     `json:"sent_at,omitempty"`
}

// Message is what a Notifier renders: a card for an alert in its current
// state, a grouped card for a burst of alerts, or a notice (optionally
// about an alert).
type Message struct {
	Kind DeliveryKind
	// Alert is the alert the card, edit or notice is about (nil for a new
	// grouped card and for notices about no alert).
	Alert *Alert
	// Group, when set, makes the card a grouped card listing these alerts
	// ("12 new matches for watch X"), each still addressable by its id. An
	// edit of a grouped card carries the whole group again.
	Group []*Alert
	// Mute is the mute the alert is under, for the card's state line.
	Mute   *Mute
	Notice string
	// Cards are the alert's cards already posted, so a notice (an
	// escalation ping) can link to them or post beside them.
	Cards []CardRef
	// Now is the time the message is rendered, for "acked 3m ago".
	Now time.Time
}

// CardRef locates one posted card.
type CardRef struct {
	Destination Destination
	Ref         string
}

// Notifier posts and edits messages on one chat platform. Errors wrapping
// ErrPermanent are not retried; a *RetryAfterError is retried after its
// wait; anything else is retried with backoff.
type Notifier interface {
	Post(ctx context.Context, to Destination, m *Message) (ref string, err error)
	Edit(ctx context.Context, to Destination, ref string, m *Message) error
}
