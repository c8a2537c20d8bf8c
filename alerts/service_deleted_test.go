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
