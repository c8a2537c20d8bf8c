package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/store/postgres"
	"github.com/lookoutbot/lookout/internal/store/postgres/pgtest"
)

var route = alerts.Route{Name: "default", Destinations: []alerts.Destination{"slack:C1"}}

// twoReplicas returns two services on one schema, each over its own pool
// as two processes have, and the id of an open alert they share.
func twoReplicas(t *testing.T) ([2]*alerts.Service, int64) {
	t.Helper()
	dsn := pgtest.DSN(t)
	var svcs [2]*alerts.Service
	for i := range svcs {
		db := openRaw(t, dsn)
		if err := postgres.Migrate(t.Context(), db); err != nil {
			t.Fatal(err)
		}
		svcs[i] = alerts.NewService(postgres.New(db, nil), alerts.Options{Routes: []alerts.Route{route}})
	}
	w := &alerts.Watch{Name: "w", Source: "x", Route: "default", Severity: alerts.SeverityHigh, Enabled: true}
	res, err := svcs[0].Ingest(t.Context(), alerts.Batch{Watch: w, Posts: []alerts.Polled{{
		Post:    alerts.Post{Platform: "x", ID: "1", Text: "cartel", Raw: []byte(`{}`)},
		Match:   alerts.Match{Hits: []alerts.Hit{{Term: "cartel", Start: 0, End: 6}}},
		Matched: true,
	}}})
	if err != nil || len(res.Alerted) != 1 {
		t.Fatalf("Ingest = %+v, %v; want one alert", res, err)
	}
	return svcs, res.Alerted[0]
}

// TestSameActionOnTwoReplicasAppliesOnce sends one Slack action (one
// action id) to two replicas many times at once, as Slack retries landing
// behind a load balancer do: it applies once, every other answer is a
// duplicate, and one audit event is written.
func TestSameActionOnTwoReplicasAppliesOnce(t *testing.T) {
	svcs, id := twoReplicas(t)
	const each = 8
	var (
		wg         sync.WaitGroup
		mu         sync.Mutex
		applied    int
		duplicates int
	)
	for i := range 2 * each {
		wg.Go(func() {
			res, err := svcs[i%2].Apply(context.Background(), alerts.Request{
				ActionID: "slack:1712345678.000100:U1:ack", Alert: id, Action: alerts.ActionAck,
				Actor: "slack:U1", Source: alerts.SourceSlack,
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("Apply: %v", err)
			case res.Duplicate:
				duplicates++
			default:
				applied++
			}
		})
	}
	wg.Wait()
	if applied != 1 || duplicates != 2*each-1 {
		t.Errorf("applied %d, duplicates %d; want 1 and %d", applied, duplicates, 2*each-1)
	}
	_, history, err := svcs[1].Alert(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	var acks int
	for _, ev := range history {
		if ev.Action == alerts.ActionAck {
			acks++
		}
	}
	if acks != 1 {
		t.Errorf("ack events in history: %d; want 1", acks)
	}
}

// TestRacingActionsAreSerialised acks one alert from two replicas with
// different action ids (two people clicking at once): the write lock
// orders them, so exactly one ack applies and the others are refused as
// stale, as they are on SQLite.
func TestRacingActionsAreSerialised(t *testing.T) {
	svcs, id := twoReplicas(t)
	const clicks = 10
	var (
		wg             sync.WaitGroup
		mu             sync.Mutex
		applied, stale int
	)
	for i := range clicks {
		wg.Go(func() {
			_, err := svcs[i%2].Apply(context.Background(), alerts.Request{
				ActionID: fmt.Sprintf("click-%d", i), Alert: id, Action: alerts.ActionAck,
				Actor: fmt.Sprintf("slack:U%d", i), Source: alerts.SourceSlack,
			})
			var se *alerts.StaleError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				applied++
			case errors.As(err, &se):
				stale++
			default:
				t.Errorf("Apply: %v", err)
			}
		})
	}
	wg.Wait()
	if applied != 1 || stale != clicks-1 {
		t.Errorf("applied %d, stale %d; want 1 and %d", applied, stale, clicks-1)
	}
}
