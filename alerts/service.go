package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Options configure a Service.
type Options struct {
	Routes   []Route
	Policies []Policy
	// MuteExpiryNotice is how long before a mute expires its creator's
	// channel hears about it. Zero sends only the "expired" notice.
	MuteExpiryNotice time.Duration
	// Now is the clock; tests inject one.
	Now    func() time.Time
	Logger *slog.Logger
}

// Service applies every change to alerts: ingesting matches, triage
// transitions, mutes and timers. Each method runs in one store
// transaction, writes its audit event and enqueues the card edits and
// notices it causes in that same transaction.
type Service struct {
	store    Store
	routes   map[string]Route
	policies map[string]Policy
	muteLead time.Duration
	now      func() time.Time
	log      *slog.Logger
}

// NewService returns a service over store.
func NewService(store Store, opts Options) *Service {
	s := &Service{
		store:    store,
		routes:   make(map[string]Route, len(opts.Routes)),
		policies: make(map[string]Policy, len(opts.Policies)),
		muteLead: opts.MuteExpiryNotice,
		now:      opts.Now,
		log:      opts.Logger,
	}
	for _, r := range opts.Routes {
		s.routes[r.Name] = r
	}
	for _, p := range opts.Policies {
		s.policies[p.Name] = p
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Now returns the service's clock reading, in UTC.
func (s *Service) Now() time.Time { return s.now().UTC() }

// Route returns a configured route.
func (s *Service) Route(name string) (Route, bool) {
	r, ok := s.routes[name]
	return r, ok
}

// Store returns the store the service writes to, for read-only queries.
func (s *Service) Store() Store { return s.store }

// policyFor returns the escalation policy of an alert's route.
func (s *Service) policyFor(route string) (Policy, bool) {
	r, ok := s.routes[route]
	if !ok || r.Policy == "" {
		return Policy{}, false
	}
	p, ok := s.policies[r.Policy]
	return p, ok && len(p.Steps) > 0
}

// Notice queues a notice to every destination of a route but those in
// except (a destination that is failing), in its own transaction.
func (s *Service) Notice(ctx context.Context, route, text string, except ...Destination) error {
	if _, ok := s.routes[route]; !ok {
		return fmt.Errorf("notice: %w: route %q", ErrNotFound, route)
	}
	return s.store.Update(ctx, func(tx Tx) error {
		return s.NoticeTx(ctx, tx, route, text, except...)
	})
}

// NoticeTx is Notice inside the caller's transaction, so the notice commits
// or rolls back with the change it reports.
func (s *Service) NoticeTx(ctx context.Context, tx Tx, route, text string, except ...Destination) error {
	r, ok := s.routes[route]
	if !ok {
		return fmt.Errorf("notice: %w: route %q", ErrNotFound, route)
	}
	var to []Destination
	for _, d := range r.Destinations {
		if !slices.Contains(except, d) {
			to = append(to, d)
		}
	}
	return s.notice(ctx, tx, to, 0, text)
}

func (s *Service) noticeRoute(ctx context.Context, tx Tx, route string, alertID int64, text string) error {
	r, ok := s.routes[route]
	if !ok {
		// A stored watch whose route left the config: failing here would
		// roll back what the caller records (a poll's posts, a failure).
		s.log.Error("notice_route_missing", "route", route, "notice", text)
		return nil
	}
	return s.notice(ctx, tx, r.Destinations, alertID, text)
}

func (s *Service) notice(ctx context.Context, tx Tx, to []Destination, alertID int64, text string) error {
	for _, d := range to {
		n := &Delivery{AlertID: alertID, Destination: d, Kind: DeliveryNotice, Text: text, State: DeliveryPending, CreatedAt: s.Now()}
		if err := tx.InsertDelivery(ctx, n); err != nil {
			return fmt.Errorf("queue notice to %s: %w", d, err)
		}
	}
	return nil
}

// editCards queues an edit of every card already queued or posted for an
// alert, so each channel shows the alert's new state.
func (s *Service) editCards(ctx context.Context, tx Tx, alertID int64) error {
	ds, err := tx.Deliveries(ctx, alertID)
	if err != nil {
		return fmt.Errorf("list cards of %s: %w", FormatRef(alertID), err)
	}
	for _, d := range ds {
		if d.Kind != DeliveryCard || d.State == DeliveryFailed {
			continue
		}
		e := &Delivery{AlertID: alertID, CardID: d.ID, Destination: d.Destination, Kind: DeliveryEdit, State: DeliveryPending, CreatedAt: s.Now()}
		if err := tx.InsertDelivery(ctx, e); err != nil {
			return fmt.Errorf("queue card edit to %s: %w", d.Destination, err)
		}
	}
	return nil
}

// postCards queues the alert's card to every destination of its route.
func (s *Service) postCards(ctx context.Context, tx Tx, a *Alert) error {
	r, ok := s.routes[a.Route]
	if !ok {
		// Keep the alert (it is listed and exported) rather than lose the
		// poll: the route was removed from the config after the watch was
		// added. `lookout status` and the log say so.
		s.log.Error("alert_route_missing", "alert", a.Ref(), "route", a.Route, "watch", a.Watch)
		return nil
	}
	group := ""
	if r.GroupWindow > 0 {
		group = a.Watch
	}
	for _, d := range r.Destinations {
		c := &Delivery{AlertID: a.ID, Destination: d, Kind: DeliveryCard, State: DeliveryPending, Group: group, CreatedAt: s.Now()}
		if err := tx.InsertDelivery(ctx, c); err != nil {
			return fmt.Errorf("queue card to %s: %w", d, err)
		}
	}
	return nil
}

// record writes an audit event. A duplicate action id means another
// request (a retry, a double click, another replica) already applied the
// action: the caller's transaction must roll back.
func record(ctx context.Context, tx Tx, e *AuditEvent) error {
	if err := tx.InsertAudit(ctx, e); err != nil {
		if errors.Is(err, ErrConflict) {
			return errDuplicate
		}
		return fmt.Errorf("record %s: %w", e.Action, err)
	}
	return nil
}

// errDuplicate rolls back a transaction whose action id was already
// recorded; it never leaves the package.
var errDuplicate = errors.New("duplicate action")
