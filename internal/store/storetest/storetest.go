// Package storetest is the conformance suite every alerts.Store
// implementation passes: the SQLite store now, the PostgreSQL store later.
// It checks the semantics the triage service and the ingest path rely on:
// deduplication, evidence kept as first seen, conflicts that leave the
// transaction usable, outbox and timer jobs enqueued in the transaction,
// atomic rollback, serialised concurrent writers and UTC microsecond times.
package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// Run runs the suite. open must return an empty, migrated store for each
// subtest, wired to the fake Jobs it returns (NewJobs), and clean up with
// t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) (alerts.Store, *Jobs)) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Posts", postTests},
		{"Alerts", alertTests},
		{"Mutes", muteTests},
		{"Audit", auditTests},
		{"Outbox", outboxTests},
		{"Timers", timerTests},
		{"Watches", watchTests},
		{"Tx", txTests},
		{"Later", laterTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tt := range g.tests {
				t.Run(tt.name, func(t *testing.T) {
					s, jobs := open(t)
					tt.run(t, &env{t: t, s: s, jobs: jobs})
				})
			}
		})
	}
}

// test is one named case of the suite.
type test struct {
	name string
	run  func(t *testing.T, e *env)
}

// env is what a case works with: a fresh store and its fake jobs.
type env struct {
	t    *testing.T
	s    alerts.Store
	jobs *Jobs
}

func (e *env) ctx() context.Context { return e.t.Context() }

// update runs fn in a transaction and fails the test on error.
func (e *env) update(fn func(ctx context.Context, tx alerts.Tx) error) {
	e.t.Helper()
	ctx := e.ctx()
	if err := e.s.Update(ctx, func(tx alerts.Tx) error { return fn(ctx, tx) }); err != nil {
		e.t.Fatalf("Update: %v", err)
	}
}

// view runs fn in a read transaction and fails the test on error.
func (e *env) view(fn func(ctx context.Context, tx alerts.Tx) error) {
	e.t.Helper()
	ctx := e.ctx()
	if err := e.s.View(ctx, func(tx alerts.Tx) error { return fn(ctx, tx) }); err != nil {
		e.t.Fatalf("View: %v", err)
	}
}

// base is the suite's "now": a UTC time with whole microseconds, so
// values round-trip unchanged.
var base = time.Date(2026, 11, 3, 14, 15, 16, 123456000, time.UTC)

// at returns base plus n minutes.
func at(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }

// newPost returns a post with every field that matters set.
func newPost(platform, id string, fetched time.Time) alerts.Post {
	return alerts.Post{
		Platform:  platform,
		ID:        id,
		AuthorID:  "author-" + id,
		Handle:    "@handle_" + id,
		Text:      "text of " + id,
		CreatedAt: fetched.Add(-time.Minute),
		URL:       "https://example.org/" + platform + "/" + id,
		Kind:      alerts.KindPost,
		Raw:       []byte(`{"id":"` + id + `"}`),
	}
}

// putAlert stores a post and an alert of watch on it, created at created.
func (e *env) putAlert(watch, postID string, created time.Time) *alerts.Alert {
	e.t.Helper()
	p := newPost("mastodon", postID, created)
	a := &alerts.Alert{
		Watch:     watch,
		Severity:  alerts.SeverityHigh,
		Route:     "ops",
		State:     alerts.StateOpen,
		Post:      p,
		Evidence:  alerts.NewEvidence(p.Raw, created),
		Hits:      []alerts.Hit{{Term: "text", Start: 0, End: 4}},
		CreatedAt: created,
		UpdatedAt: created,
	}
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		key, err := tx.PutPost(ctx, &a.Post, a.Evidence)
		if err != nil {
			return err
		}
		a.PostKey = key
		return tx.InsertAlert(ctx, a)
	})
	return a
}

// equal fails the test when got and want differ.
func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, show(got), show(want))
	}
}

func show(v any) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		s := "["
		for i := range rv.Len() {
			if i > 0 {
				s += ", "
			}
			s += show(rv.Index(i).Interface())
		}
		return s + "]"
	}
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return fmt.Sprintf("&%+v", rv.Elem().Interface())
	}
	return fmt.Sprintf("%+v", v)
}
