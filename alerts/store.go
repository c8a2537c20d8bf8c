package alerts

import (
	"context"
	"time"
)

// Store keeps everything Lookout knows. Update runs fn in one transaction
// and commits only if fn returns nil: that is what lets Ingest store posts,
// alerts, deliveries and the advanced cursor together or not at all.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
}

// Tx is the store as seen from inside one transaction.
type Tx interface {
	PostTx
	AlertTx
	MuteTx
	AuditTx
	OutboxTx
	TimerTx
	WatchTx
}

// PostTx stores posts and what each watch has seen.
type PostTx interface {
	// PutPost stores a post version with its evidence and returns its key;
	// a version already stored (same platform and id) keeps its first
	// evidence and returns the existing key.
	PutPost(ctx context.Context, p *Post, ev Evidence) (int64, error)
	// Seen reports whether watch has already processed the post chain.
	Seen(ctx context.Context, watch, platform, chainID string) (bool, error)
	// MarkSeen records that watch processed the chain.
	MarkSeen(ctx context.Context, watch, platform, chainID string, at time.Time) error
	// MarkPostDeleted records that every stored version of a post chain
	// was deleted on the platform, keeping the evidence, and returns the
	// ids of the alerts raised for that chain. A chain already marked
	// keeps its first deletion time.
	MarkPostDeleted(ctx context.Context, platform, chainID string, at time.Time, reason string) ([]int64, error)
	// Posts lists stored posts fetched since t, newest first, for replaying
	// rules against them.
	Posts(ctx context.Context, since time.Time, limit int) ([]*Post, error)
}

// AlertTx stores alerts.
type AlertTx interface {
	InsertAlert(ctx context.Context, a *Alert) error
	Alert(ctx context.Context, id int64) (*Alert, error)
	UpdateAlert(ctx context.Context, a *Alert) error
	Alerts(ctx context.Context, f AlertFilter) ([]*Alert, error)
	// ChainAlerts lists the ids of the alerts raised for a post chain.
	ChainAlerts(ctx context.Context, platform, chainID string) ([]int64, error)
	CountAlerts(ctx context.Context) (map[State]int, error)
}

// MuteTx stores mutes.
type MuteTx interface {
	InsertMute(ctx context.Context, m *Mute) error
	Mute(ctx context.Context, id int64) (*Mute, error)
	UpdateMute(ctx context.Context, m *Mute) error
	// Mutes lists mutes in force at t, or every mute when all is set.
	Mutes(ctx context.Context, t time.Time, all bool) ([]*Mute, error)
}

// AuditTx stores the audit trail.
type AuditTx interface {
	// InsertAudit records an event; an ActionID already recorded returns
	// ErrConflict and records nothing.
	InsertAudit(ctx context.Context, e *AuditEvent) error
	AuditByAction(ctx context.Context, actionID string) (*AuditEvent, error)
	History(ctx context.Context, alertID int64) ([]*AuditEvent, error)
}

// OutboxTx stores deliveries. InsertDelivery also enqueues the work that
// sends it, inside the same transaction.
type OutboxTx interface {
	InsertDelivery(ctx context.Context, d *Delivery) error
	Delivery(ctx context.Context, id int64) (*Delivery, error)
	UpdateDelivery(ctx context.Context, d *Delivery) error
	// Deliveries lists an alert's deliveries, oldest first.
	Deliveries(ctx context.Context, alertID int64) ([]*Delivery, error)
	// PendingBefore reports whether an older delivery to the same
	// destination is still pending: cards keep their order per channel.
	// Grouped cards created after openSince are still waiting for their
	// group window and do not hold back other deliveries (only the cards
	// of their own group).
	PendingBefore(ctx context.Context, d *Delivery, openSince time.Time) (bool, error)
	// LastSent is when the destination last received a message.
	LastSent(ctx context.Context, to Destination) (time.Time, error)
	// GroupPending lists the pending cards of a group to one destination
	// created before t, oldest first.
	GroupPending(ctx context.Context, to Destination, group string, before time.Time) ([]*Delivery, error)
	// GroupMembers lists the cards a grouped message carried, oldest first.
	GroupMembers(ctx context.Context, groupID int64) ([]*Delivery, error)
	// DeliveriesByState lists deliveries in a state, newest first.
	DeliveriesByState(ctx context.Context, s DeliveryState, limit int) ([]*Delivery, error)
	CountDeliveries(ctx context.Context) (map[DeliveryState]int, error)
}

// TimerTx stores timers. InsertTimer schedules the job that fires it and
// CancelTimers cancels those jobs, inside the same transaction.
type TimerTx interface {
	InsertTimer(ctx context.Context, t *Timer) error
	Timer(ctx context.Context, id int64) (*Timer, error)
	UpdateTimer(ctx context.Context, t *Timer) error
	// CancelTimers cancels the pending timers of an alert (alertID > 0) or
	// of a mute (muteID > 0) of the given kinds.
	CancelTimers(ctx context.Context, alertID, muteID int64, kinds ...TimerKind) error
	PendingTimers(ctx context.Context) ([]*Timer, error)
}

// WatchTx stores watches added at run time and every watch's state.
type WatchTx interface {
	// InsertWatch returns ErrConflict when the name is taken.
	InsertWatch(ctx context.Context, w *Watch) error
	DeleteWatch(ctx context.Context, name string) error
	Watches(ctx context.Context) ([]*Watch, error)
	// WatchState returns the zero state (with Watch set) for a watch never
	// polled.
	WatchState(ctx context.Context, name string) (*WatchState, error)
	PutWatchState(ctx context.Context, s *WatchState) error
	WatchStates(ctx context.Context) ([]*WatchState, error)
	// SeenSince counts the post chains a watch processed since t.
	SeenSince(ctx context.Context, watch string, since time.Time) (int, error)
	// Activity lists how often each of a watch's accounts posts.
	Activity(ctx context.Context, watch string) ([]*AccountActivity, error)
	PutActivity(ctx context.Context, a *AccountActivity) error
	// PutBudget records a request budget; Budgets lists them by name.
	PutBudget(ctx context.Context, b *Budget) error
	Budgets(ctx context.Context) ([]*Budget, error)
	// PutReplica records a process's heartbeat; Replicas lists those seen
	// since t, by id.
	PutReplica(ctx context.Context, r *Replica) error
	Replicas(ctx context.Context, since time.Time) ([]*Replica, error)
}
