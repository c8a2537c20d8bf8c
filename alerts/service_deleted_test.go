package alerts_test

import (
	"context"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

func TestPostDeletedKeepsEvidenceAndEditsCards(t *testing.T) {
	e := newEnv(t)
	p := xpost("900")
	p.Raw = []byte(`{"id":"900","text":"original"}`)
	id := e.raise(p, "plaza")
	before, _ := e.alert(id)
	at := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)

	for range 2 { // reporting the same deletion twice changes nothing more
		if err := e.svc.PostDeleted(e.ctx(), p.Platform, p.ChainID(), at, "deleted by author"); err != nil {
			t.Fatal(err)
		}
	}
	a, h := e.alert(id)
	if !a.Post.DeletedAt.Equal(at) || a.Post.DeletedReason != "deleted by author" {
		t.Fatalf("post: deleted at %s (%q); want %s (deleted by author)", a.Post.DeletedAt, a.Post.DeletedReason, at)
	}
	if a.Evidence.SHA256 != before.Evidence.SHA256 || string(a.Post.Raw) != string(p.Raw) {
		t.Fatalf("evidence changed after deletion: got %s; want %s", a.Evidence.SHA256, before.Evidence.SHA256)
	}
	var deleted int
	for _, ev := range h {
		if ev.Action == alerts.ActionPostDeleted {
			deleted++
		}
	}
	if deleted != 1 {
		t.Fatalf("post_deleted events: got %d; want 1", deleted)
	}
	var edits int
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		ds, err := tx.Deliveries(ctx, id)
		for _, d := range ds {
			if d.Kind == alerts.DeliveryEdit {
				edits++
			}
		}
		return err
	})
	if cards := 2; edits != cards { // the border watch routes to console and slack:C1
		t.Fatalf("card edits: got %d; want one per card (%d)", edits, cards)
	}
}

func TestEditedPostUpdatesCardsNotAlerts(t *testing.T) {
	e := newEnv(t)
	p := xpost("910")
	id := e.raise(p, "shipment")
	edit := xpost("911")
	edit.FirstID = "910"
	edit.Text = "big shipment moved to tomorrow"
	for range 2 { // the same edit polled twice is one edit
		res := e.ingest(alerts.Batch{Watch: border, Posts: []alerts.Polled{matched(edit)}, Cursor: "c"})
		if len(res.Alerted) != 0 || res.Duplicate != 1 {
			t.Fatalf("edit: got %+v; want a duplicate, no alert", res)
		}
	}
	a, h := e.alert(id)
	if a.Latest == nil || a.Latest.Text != edit.Text || a.Post.Text != postText {
		t.Fatalf("alert after the edit: latest %+v, post %q; want the new text beside the original", a.Latest, a.Post.Text)
	}
	edits := 0
	for _, ev := range h {
		if ev.Action == alerts.ActionPostEdited {
			edits++
		}
	}
	if edits != 1 {
		t.Fatalf("post_edited events: got %d; want 1", edits)
	}
}

func TestPostListedAsRemovedIsMarked(t *testing.T) {
	e := newEnv(t)
	p := xpost("920")
	id := e.raise(p, "shipment")
	removed := p
	removed.DeletedAt = start.Add(time.Hour)
	removed.DeletedReason = "removed by moderators"
	e.ingest(alerts.Batch{Watch: border, Posts: []alerts.Polled{matched(removed)}, Cursor: "c"})
	a, _ := e.alert(id)
	if a.Post.DeletedReason != "removed by moderators" || !a.Post.DeletedAt.Equal(removed.DeletedAt) {
		t.Fatalf("post: got deleted %s %q; want it marked removed", a.Post.DeletedAt, a.Post.DeletedReason)
	}
}
