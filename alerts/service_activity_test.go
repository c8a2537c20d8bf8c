package alerts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// silentNotices counts the pending "gone silent" notices.
func (e *env) silentNotices() []string {
	e.t.Helper()
	var out []string
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		ds, err := tx.DeliveriesByState(ctx, alerts.DeliveryPending, 0)
		for _, d := range ds {
			if d.Kind == alerts.DeliveryNotice && strings.Contains(d.Text, "gone silent") && d.Destination == console {
				out = append(out, d.Text)
			}
		}
		return err
	})
	return out
}

func TestAccountGoneSilent(t *testing.T) {
	e := newEnv(t)
	w := watch("accounts")
	w.Accounts = []string{"@CartelWatch"}
	// Six posts four hours apart, seen as history on the first poll: a
	// regular poster, and history never reads as silence.
	var batch []alerts.Polled
	for i := range 6 {
		p := xpost(fmt.Sprint(100 + i))
		p.CreatedAt = start.Add(time.Duration(i-6) * 4 * time.Hour)
		batch = append(batch, unmatched(p))
	}
	e.ingest(alerts.Batch{Watch: w, Posts: batch, Cursor: "c1"})
	if got := e.silentNotices(); len(got) != 0 {
		t.Fatalf("right after posting: got %q; want no notice", got)
	}
	var acts []*alerts.AccountActivity
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		var err error
		acts, err = tx.Activity(ctx, w.Name)
		return err
	})
	if len(acts) != 1 || acts[0].Posts != 6 || acts[0].MeanGap != 4*time.Hour {
		t.Fatalf("activity: got %+v; want 6 posts four hours apart", acts)
	}

	e.clock.Advance(20 * time.Hour) // 5 usual gaps since Lookout started following: not yet
	e.ingest(alerts.Batch{Watch: w, Cursor: "c2"})
	if got := e.silentNotices(); len(got) != 0 {
		t.Fatalf("after 5 usual gaps: got %q; want no notice yet", got)
	}
	e.clock.Advance(5 * time.Hour)
	e.ingest(alerts.Batch{Watch: w, Cursor: "c3"})
	e.ingest(alerts.Batch{Watch: w, Cursor: "c4"})
	got := e.silentNotices()
	if len(got) != 1 || !strings.Contains(got[0], "@CartelWatch") || !strings.Contains(got[0], "usually every 4h0m0s") {
		t.Fatalf("after 25h of quiet: got %q; want one notice naming the account and its cadence", got)
	}

	p := xpost("200")
	p.CreatedAt = e.clock.Now()
	e.ingest(alerts.Batch{Watch: w, Posts: []alerts.Polled{unmatched(p)}, Cursor: "c5"})
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		var err error
		acts, err = tx.Activity(ctx, w.Name)
		return err
	})
	if acts[0].SilentNotified || acts[0].Posts != 7 {
		t.Fatalf("after a new post: got %+v; want the silence cleared", acts[0])
	}
}

func TestIrregularAccountNeverSilent(t *testing.T) {
	e := newEnv(t)
	w := watch("weekly")
	w.Accounts = []string{"1234"}
	var batch []alerts.Polled
	for i := range 6 { // weekly posts: not a daily poster
		p := xpost(fmt.Sprint(300 + i))
		p.CreatedAt = start.Add(time.Duration(i-6) * 7 * 24 * time.Hour)
		batch = append(batch, unmatched(p))
	}
	e.ingest(alerts.Batch{Watch: w, Posts: batch, Cursor: "c1"})
	e.clock.Advance(60 * 24 * time.Hour)
	e.ingest(alerts.Batch{Watch: w, Cursor: "c2"})
	if got := e.silentNotices(); len(got) != 0 {
		t.Fatalf("weekly poster after 60 days: got %q; want no notice (only daily posters are watched for silence)", got)
	}
}
