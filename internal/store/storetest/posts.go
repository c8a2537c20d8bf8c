package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

var postTests = []test{
	{"RoundTripEveryField", testPostRoundTrip},
	{"ExistingVersionKeepsFirstEvidence", testPostKeepsFirstEvidence},
	{"EditIsNewVersionOfChain", testPostEdit},
	{"ListNewestFetchedFirst", testPostsOrder},
	{"SeenAndMarkSeen", testSeen},
}

func testPostRoundTrip(t *testing.T, e *env) {
	p := alerts.Post{
		Platform:  "bluesky",
		ID:        "at://did:plc:abc/app.bsky.feed.post/3k2",
		FirstID:   "at://did:plc:abc/app.bsky.feed.post/3k1",
		AuthorID:  "did:plc:abc",
		Handle:    "@señora.bsky.social",
		Account:   "did:plc:abc",
		Title:     "Überschrift — 見出し",
		Text:      "Ünïcödé text: 日本語, emoji 🚨🔥, RTL עברית, NUL-free\nsecond line\t«quoted»",
		Lang:      "de",
		CreatedAt: time.Date(2026, 10, 1, 2, 3, 4, 567891000, time.UTC),
		URL:       "https://bsky.app/profile/did:plc:abc/post/3k2",
		Media: []alerts.Media{
			{Type: "image", URL: "https://cdn.example/1.jpg", Alt: "a crowd — ein Bild"},
			{Type: "video", URL: "https://cdn.example/2.mp4"},
		},
		Kind:   alerts.KindQuote,
		RefIDs: []string{"at://did:plc:xyz/app.bsky.feed.post/1", "at://did:plc:xyz/app.bsky.feed.post/2"},
		Raw:    []byte{0x00, 0xff, 0xfe, '{', '}', 0x80, '\n', 0x00},
	}
	ev := alerts.NewEvidence(p.Raw, base)
	var key int64
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		var err error
		key, err = tx.PutPost(ctx, &p, ev)
		if err != nil {
			return err
		}
		return tx.InsertAlert(ctx, &alerts.Alert{Watch: "w", State: alerts.StateOpen, PostKey: key, CreatedAt: base})
	})
	if key <= 0 {
		t.Fatalf("PutPost key = %d; want > 0", key)
	}
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		posts, err := tx.Posts(ctx, time.Time{}, 0)
		if err != nil {
			return err
		}
		equal(t, "Posts", posts, []*alerts.Post{&p})
		a, err := tx.Alert(ctx, 1)
		if err != nil {
			return err
		}
		equal(t, "Alert.Post", a.Post, p)
		equal(t, "Alert.Evidence", a.Evidence, ev)
		equal(t, "Alert.PostKey", a.PostKey, key)
		return nil
	})
}

func testPostKeepsFirstEvidence(t *testing.T, e *env) {
	first := newPost("x", "100", base)
	firstEv := alerts.NewEvidence(first.Raw, base)
	again := first
	again.Text = "changed text"
	again.Raw = []byte(`{"id":"100","changed":true}`)
	againEv := alerts.NewEvidence(again.Raw, at(5))

	var k1, k2 int64
	e.update(func(ctx context.Context, tx alerts.Tx) (err error) {
		k1, err = tx.PutPost(ctx, &first, firstEv)
		return err
	})
	e.update(func(ctx context.Context, tx alerts.Tx) (err error) {
		k2, err = tx.PutPost(ctx, &again, againEv)
		if err != nil {
			return err
		}
		return tx.InsertAlert(ctx, &alerts.Alert{Watch: "w", State: alerts.StateOpen, PostKey: k2, CreatedAt: base})
	})
	equal(t, "second PutPost key", k2, k1)
	e.view(func(ctx context.Context, tx alerts.Tx) error {
		posts, err := tx.Posts(ctx, time.Time{}, 0)
		if err != nil {
			return err
		}
		equal(t, "Posts", posts, []*alerts.Post{&first})
		a, err := tx.Alert(ctx, 1)
		if err != nil {
			return err
		}
		equal(t, "Alert.Evidence", a.Evidence, firstEv)
		equal(t, "Alert.Post.Raw", string(a.Post.Raw), string(first.Raw))
		return nil
	})
}

func testPostEdit(t *testing.T, e *env) {
	orig := newPost("x", "200", base)
	edit := newPost("x", "201", at(1))
	edit.FirstID = "200"
	var k1, k2, k3 int64
	e.update(func(ctx context.Context, tx alerts.Tx) (err error) {
		if k1, err = tx.PutPost(ctx, &orig, alerts.NewEvidence(orig.Raw, base)); err != nil {
			return err
		}
		if k2, err = tx.PutPost(ctx, &edit, alerts.NewEvidence(edit.Raw, at(1))); err != nil {
			return err
		}
		// The same native id on another platform is another post.
		other := newPost("mastodon", "200", base)
		k3, err = tx.PutPost(ctx, &other, alerts.NewEvidence(other.Raw, base))
		return err
	})
	if k1 == k2 || k1 == k3 || k2 == k3 {
		t.Errorf("keys %d, %d, %d; want three distinct keys", k1, k2, k3)
	}
}

func testPostsOrder(t *testing.T, e *env) {
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		for i, id := range []string{"a", "b", "c", "d"} {
			p := newPost("feed", id, at(i))
			if _, err := tx.PutPost(ctx, &p, alerts.NewEvidence(p.Raw, at(i))); err != nil {
				return err
			}
		}
		return nil
	})
	ids := func(ps []*alerts.Post) []string {
		out := []string{}
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	cases := []struct {
		name  string
		since time.Time
		limit int
		want  []string
	}{
		{"all", time.Time{}, 0, []string{"d", "c", "b", "a"}},
		{"since is inclusive", at(1), 0, []string{"d", "c", "b"}},
		{"limit", time.Time{}, 2, []string{"d", "c"}},
		{"since and limit", at(2), 1, []string{"d"}},
		{"nothing since", at(10), 0, []string{}},
	}
	for _, c := range cases {
		e.view(func(ctx context.Context, tx alerts.Tx) error {
			got, err := tx.Posts(ctx, c.since, c.limit)
			if err != nil {
				return err
			}
			equal(t, c.name, ids(got), c.want)
			return nil
		})
	}
}

func testSeen(t *testing.T, e *env) {
	seen := func(watch, platform, chain string) bool {
		t.Helper()
		var ok bool
		e.view(func(ctx context.Context, tx alerts.Tx) (err error) {
			ok, err = tx.Seen(ctx, watch, platform, chain)
			return err
		})
		return ok
	}
	if seen("w1", "x", "1") {
		t.Fatal("Seen before MarkSeen = true; want false")
	}
	e.update(func(ctx context.Context, tx alerts.Tx) error {
		if err := tx.MarkSeen(ctx, "w1", "x", "1", base); err != nil {
			return err
		}
		return tx.MarkSeen(ctx, "w1", "x", "1", at(1)) // idempotent
	})
	cases := []struct {
		watch, platform, chain string
		want                   bool
	}{
		{"w1", "x", "1", true},
		{"w2", "x", "1", false},
		{"w1", "mastodon", "1", false},
		{"w1", "x", "2", false},
	}
	for _, c := range cases {
		if got := seen(c.watch, c.platform, c.chain); got != c.want {
			t.Errorf("Seen(%s, %s, %s) = %v; want %v", c.watch, c.platform, c.chain, got, c.want)
		}
	}
}
