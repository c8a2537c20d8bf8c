package x

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/ratelimit"
	"github.com/lookoutbot/lookout/watchers"
)

func accountsWatch(accounts ...string) *alerts.Watch {
	return &alerts.Watch{Name: "cells", Source: "x", Accounts: accounts, Interval: time.Minute, Enabled: true}
}

func mustPoll(t *testing.T, w *Watcher, watch *alerts.Watch, cursor string) *watchers.Result {
	t.Helper()
	res, err := w.Poll(context.Background(), watch, cursor)
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	return res
}

func ids(posts []alerts.Post) []string {
	out := make([]string, len(posts))
	for i, p := range posts {
		out[i] = p.ID
	}
	return out
}

func equalIDs(t *testing.T, what string, got []alerts.Post, want []string) {
	t.Helper()
	g := ids(got)
	if strings.Join(g, ",") != strings.Join(want, ",") {
		t.Errorf("%s: got %d posts %v; want %d posts %v", what, len(g), g, len(want), want)
	}
}

func TestFirstPollThenNewPosts(t *testing.T) {
	f := newFakeX(t)
	f.addUser("1001", "CellOne")
	f.addUser("1002", "celltwo")
	old := f.postMany("1001", 30, time.Hour)
	w := f.watcher(Options{})
	watch := accountsWatch("@CellOne", "celltwo")

	res := mustPoll(t, w, watch, "")
	// The baseline reads one small page: the newest ten.
	equalIDs(t, "first poll", res.Posts, old[20:])
	if n := f.count("/2/users/by"); n != 1 {
		t.Errorf("user lookups = %d; want 1 for both accounts", n)
	}
	if q := f.queries[0]; q != "from:1001 OR from:1002" {
		t.Errorf("query = %q; want from:1001 OR from:1002", q)
	}

	a := f.post("1002", "new from two", 0)
	b := f.post("1001", "new from one", 0)
	res2 := mustPoll(t, w, watch, res.Cursor)
	equalIDs(t, "second poll", res2.Posts, []string{a, b})
	p := res2.Posts[0]
	if p.AuthorID != "1002" || p.Handle != "celltwo" || p.Account != "celltwo" || p.URL != "https://x.com/celltwo/status/"+a || p.Platform != "x" {
		t.Errorf("post = %+v; want author 1002 @celltwo, account celltwo, x.com URL", p)
	}
	if n := f.count("/2/users/by"); n != 1 {
		t.Errorf("user lookups after second poll = %d; want 1 (cached)", n)
	}

	res3 := mustPoll(t, w, watch, res2.Cursor)
	equalIDs(t, "third poll (nothing new)", res3.Posts, nil)
	if res3.Cursor != res2.Cursor {
		t.Errorf("cursor moved on an empty poll: %s -> %s", res2.Cursor, res3.Cursor)
	}
}

func TestMorePostsThanAPage(t *testing.T) {
	f := newFakeX(t)
	f.addUser("1001", "cellone")
	w := f.watcher(Options{})
	watch := accountsWatch("cellone")
	res := mustPoll(t, w, watch, "")

	burst := f.postMany("1001", 250, 0)
	f.resetCounts()
	res = mustPoll(t, w, watch, res.Cursor)
	equalIDs(t, "burst", res.Posts, burst)
	if n := f.count("/2/tweets/search/recent"); n != 3 {
		t.Errorf("search requests = %d; want 3 pages of 100", n)
	}
	// The cursor holds meta.newest_id of the first page, so nothing comes back.
	res = mustPoll(t, w, watch, res.Cursor)
	equalIDs(t, "after burst", res.Posts, nil)
}

func TestBacklogAcrossPolls(t *testing.T) {
	f := newFakeX(t)
	f.addUser("1001", "cellone")
	w := f.watcher(Options{MaxPages: 2})
	watch := accountsWatch("cellone")
	res := mustPoll(t, w, watch, "")

	burst := f.postMany("1001", 450, time.Minute)
	res = mustPoll(t, w, watch, res.Cursor)
	equalIDs(t, "first 2 pages", res.Posts, burst[250:])
	later := f.post("1001", "arrived during the backlog", 0)
	res = mustPoll(t, w, watch, res.Cursor)
	equalIDs(t, "next 2 pages", res.Posts, burst[50:250])
	res = mustPoll(t, w, watch, res.Cursor)
	equalIDs(t, "end of backlog", res.Posts, burst[:50])
	res = mustPoll(t, w, watch, res.Cursor)
	equalIDs(t, "after backlog", res.Posts, []string{later})
}

func TestRestartBetweenPolls(t *testing.T) {
	f := newFakeX(t)
	f.addUser("1001", "cellone")
	f.postMany("1001", 5, time.Hour)
	watch := accountsWatch("cellone")
	res := mustPoll(t, f.watcher(Options{}), watch, "")
	before := f.postMany("1001", 3, 10*time.Minute)
	res = mustPoll(t, f.watcher(Options{}), watch, res.Cursor)
	equalIDs(t, "before restart", res.Posts, before)

	// A new process: new watcher, empty caches, the stored cursor.
	after := f.postMany("1001", 120, 0)
	f.resetCounts()
	w2 := f.watcher(Options{})
	res = mustPoll(t, w2, watch, res.Cursor)
	equalIDs(t, "after restart", res.Posts, after)
	if n := f.count("/2/users/by"); n != 0 {
		t.Errorf("user lookups after restart = %d; want 0 (ids are in the cursor)", n)
	}
}

func TestEditsKeepFirstID(t *testing.T) {
	f := newFakeX(t)
	f.addUser("1001", "cellone")
	w := f.watcher(Options{})
	watch := accountsWatch("cellone")
	res := mustPoll(t, w, watch, "")
	orig := f.post("1001", "meet at 9", 2*time.Minute)
	res = mustPoll(t, w, watch, res.Cursor)
	equalIDs(t, "original", res.Posts, []string{orig})
	if res.Posts[0].FirstID != "" {
		t.Errorf("original FirstID = %q; want empty", res.Posts[0].FirstID)
	}
	edit := f.add(fakePost{AuthorID: "1001", Text: "meet at 10", EditOf: []string{orig}})
	res = mustPoll(t, w, watch, res.Cursor)
	equalIDs(t, "edit", res.Posts, []string{edit})
	if p := res.Posts[0]; p.FirstID != orig || p.ChainID() != orig || p.Text != "meet at 10" {
		t.Errorf("edit = FirstID %q ChainID %q text %q; want FirstID %s and the new text", p.FirstID, p.ChainID(), p.Text, orig)
	}
}

func TestKindsTextAndMedia(t *testing.T) {
	f := newFakeX(t)
	f.addUser("1001", "cellone")
	f.addUser("2002", "someone")
	orig := f.post("2002", "the original &amp; full text "+strings.Repeat("x", 300), 3*time.Hour)
	w := f.watcher(Options{})
	watch := accountsWatch("cellone")
	res := mustPoll(t, w, watch, "")

	f.media["3_1"] = map[string]any{"media_key": "3_1", "type": "photo", "url": "https://pbs.twimg.com/media/a.jpg", "alt_text": "a map"}
	f.media["7_2"] = map[string]any{"media_key": "7_2", "type": "video", "preview_image_url": "https://pbs.twimg.com/p.jpg",
		"variants": []map[string]any{{"content_type": "application/x-mpegURL", "url": "https://video.twimg.com/v.m3u8"},
			{"content_type": "video/mp4", "bit_rate": 832000, "url": "https://video.twimg.com/lo.mp4"},
			{"content_type": "video/mp4", "bit_rate": 2176000, "url": "https://video.twimg.com/hi.mp4"}}}
	rt := f.add(fakePost{AuthorID: "1001", Text: "RT @someone: the original &amp; full…", Refs: [][2]string{{"retweeted", orig}}, Created: f.now.Add(-4 * time.Second)})
	qt := f.add(fakePost{AuthorID: "1001", Text: "look at this", Refs: [][2]string{{"quoted", orig}}, MediaKeys: []string{"3_1", "7_2"}, Created: f.now.Add(-3 * time.Second)})
	re := f.add(fakePost{AuthorID: "1001", Text: "@someone agreed &lt;3", Refs: [][2]string{{"replied_to", orig}}, Lang: "en", Created: f.now.Add(-2 * time.Second)})
	long := f.add(fakePost{AuthorID: "1001", Text: "truncated…", Note: strings.Repeat("long post ", 2500) + "end", Created: f.now.Add(-time.Second)})
	res = mustPoll(t, w, watch, res.Cursor)
	equalIDs(t, "posts", res.Posts, []string{rt, qt, re, long})

	byID := map[string]alerts.Post{}
	for _, p := range res.Posts {
		byID[p.ID] = p
	}
	tests := []struct {
		id   string
		kind alerts.Kind
		text string
	}{
		{rt, alerts.KindRepost, "RT @someone: the original & full text " + strings.Repeat("x", 300)},
		{qt, alerts.KindQuote, "look at this"},
		{re, alerts.KindReply, "@someone agreed <3"},
		{long, alerts.KindPost, strings.Repeat("long post ", 2500) + "end"},
	}
	for _, tt := range tests {
		p := byID[tt.id]
		if p.Kind != tt.kind || p.Text != tt.text {
			t.Errorf("post %s = kind %s text %.60q (%d bytes); want %s %.60q (%d bytes)", tt.id, p.Kind, p.Text, len(p.Text), tt.kind, tt.text, len(tt.text))
		}
		if tt.kind != alerts.KindPost && strings.Join(p.RefIDs, ",") != orig+",2002" {
			t.Errorf("post %s RefIDs = %v; want [%s 2002]", tt.id, p.RefIDs, orig)
		}
	}
	wantMedia := []alerts.Media{{Type: "image", URL: "https://pbs.twimg.com/media/a.jpg", Alt: "a map"}, {Type: "video", URL: "https://video.twimg.com/hi.mp4"}}
	if got := byID[qt].Media; len(got) != 2 || got[0] != wantMedia[0] || got[1] != wantMedia[1] {
		t.Errorf("media = %+v; want %+v", got, wantMedia)
	}
	if byID[re].Lang != "en" || byID[re].CreatedAt.IsZero() {
		t.Errorf("reply lang %q created %v; want en and a time", byID[re].Lang, byID[re].CreatedAt)
	}
	var ev struct {
		Data     map[string]any `json:"data"`
		Includes struct {
			Tweets []map[string]any `json:"tweets"`
		} `json:"includes"`
	}
	if err := json.Unmarshal(byID[qt].Raw, &ev); err != nil || ev.Data["id"] != qt || len(ev.Includes.Tweets) != 1 {
		t.Errorf("raw evidence = %s (%v); want the post with its quoted post", byID[qt].Raw, err)
	}
}

func TestHandleChange(t *testing.T) {
	f := newFakeX(t)
	f.addUser("1001", "oldname")
	w := f.watcher(Options{})
	watch := accountsWatch("oldname")
	res := mustPoll(t, w, watch, "")
	f.rename("1001", "newname")
	a := f.post("1001", "first as newname", 2*time.Second)
	b := f.post("1001", "second as newname", time.Second)
	res = mustPoll(t, f.watcher(Options{}), watch, res.Cursor) // after a restart, too
	equalIDs(t, "after rename", res.Posts, []string{a, b})
	for _, p := range res.Posts {
		if p.Handle != "newname" || p.PreviousHandle != "oldname" || p.Account != "oldname" || p.AuthorID != "1001" {
			t.Errorf("post %s = handle %q previous %q account %q; want newname, oldname, oldname", p.ID, p.Handle, p.PreviousHandle, p.Account)
		}
	}
	// Someone else takes the old name: the watch still follows the id.
	f.addUser("6666", "oldname")
	f.post("6666", "impostor", 0)
	c := f.post("1001", "third", 0)
	res = mustPoll(t, w, watch, res.Cursor)
	equalIDs(t, "later", res.Posts, []string{c})
	if p := res.Posts[0]; p.PreviousHandle != "" {
		t.Errorf("PreviousHandle = %q on the next poll; want empty (reported once)", p.PreviousHandle)
	}
}

func TestKeywordWatch(t *testing.T) {
	f := newFakeX(t)
	f.addUser("3003", "anyone")
	w := f.watcher(Options{})
	watch := &alerts.Watch{Name: "kw", Source: "x", Keywords: []string{"plaza", `"cartel del norte"`, "#halcones", "ruta 5"}, Enabled: true}
	res := mustPoll(t, w, watch, "")
	if q := f.queries[0]; q != `plaza OR "cartel del norte" OR #halcones OR "ruta 5"` {
		t.Errorf("query = %q", q)
	}
	a := f.post("3003", "news from the Plaza", time.Second)
	f.post("3003", "unrelated", time.Second)
	b := f.post("3003", "el CARTEL DEL NORTE", 0)
	res = mustPoll(t, w, watch, res.Cursor)
	equalIDs(t, "keywords", res.Posts, []string{a, b})
	if p := res.Posts[0]; p.Account != "" || p.Handle != "anyone" {
		t.Errorf("keyword post account %q handle %q; want no account, @anyone", p.Account, p.Handle)
	}
}

func TestAccountsWithKeywords(t *testing.T) {
	f := newFakeX(t)
	f.addUser("1001", "cellone")
	w := f.watcher(Options{})
	watch := accountsWatch("cellone")
	watch.Keywords = []string{"plaza", "convoy"}
	mustPoll(t, w, watch, "")
	if q := f.queries[0]; q != "from:1001 (plaza OR convoy)" {
		t.Errorf("query = %q; want from:1001 (plaza OR convoy)", q)
	}
}

func TestUnknownAccountNoticedOnce(t *testing.T) {
	f := newFakeX(t)
	f.addUser("1001", "cellone")
	w := f.watcher(Options{})
	watch := accountsWatch("cellone", "ghost", "not a name!")
	res := mustPoll(t, w, watch, "")
	if len(res.Notices) != 2 || !strings.Contains(res.Notices[0], "@ghost was not found") && !strings.Contains(res.Notices[1], "@ghost was not found") {
		t.Errorf("notices = %q; want one for ghost and one for the invalid name", res.Notices)
	}
	res = mustPoll(t, w, watch, res.Cursor)
	if len(res.Notices) != 0 {
		t.Errorf("second poll notices = %q; want none", res.Notices)
	}
}

func TestSearchWindowFallsBackToTimelines(t *testing.T) {
	f := newFakeX(t)
	f.addUser("1001", "cellone")
	f.addUser("1002", "celltwo")
	watch := accountsWatch("cellone", "celltwo")
	// A cursor from a poll eight days ago.
	stale := idAt(f.now.Add(-8 * 24 * time.Hour))
	c := newCursor()
	c.Names = map[string]string{"cellone": "1001", "celltwo": "1002"}
	c.Users = map[string]*account{"1001": {Handle: "cellone", stream: stream{Since: stale}}, "1002": {Handle: "celltwo", stream: stream{Since: stale}}}
	one := f.postMany("1001", 150, 6*24*time.Hour)  // reachable by the timeline only in part of search
	two := f.postMany("1002", 3300, 7*24*time.Hour) // more than the timeline reaches
	w := f.watcher(Options{})
	res := mustPoll(t, w, watch, c.encode())
	if n := f.count("/2/tweets/search/recent"); n != 0 {
		t.Errorf("search requests = %d; want 0 (cursor out of search's reach)", n)
	}
	if got, want := len(res.Posts), 150+timelineReach; got != want {
		t.Errorf("posts = %d; want %d", got, want)
	}
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0], "possible gap") || !strings.Contains(res.Notices[0], "@celltwo") {
		t.Errorf("notices = %q; want one possible gap for @celltwo", res.Notices)
	}
	// Caught up: back to batched search.
	f.resetCounts()
	n := f.post("1002", "new", 0)
	res = mustPoll(t, w, watch, res.Cursor)
	equalIDs(t, "after catching up", res.Posts, []string{n})
	if f.count("timeline") != 0 || f.count("/2/tweets/search/recent") != 1 {
		t.Errorf("requests = %v; want one search", f.requests)
	}
	_ = one
	_ = two
}

func TestKeywordCursorOutOfWindow(t *testing.T) {
	f := newFakeX(t)
	f.addUser("3003", "anyone")
	watch := &alerts.Watch{Name: "kw", Source: "x", Keywords: []string{"plaza"}, Enabled: true}
	c := newCursor()
	c.Queries = map[string]*stream{"plaza": {Since: idAt(f.now.Add(-10 * 24 * time.Hour))}}
	a := f.post("3003", "plaza today", time.Hour)
	res := mustPoll(t, f.watcher(Options{}), watch, c.encode())
	equalIDs(t, "window", res.Posts, []string{a})
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0], "possible gap") {
		t.Errorf("notices = %q; want a possible gap", res.Notices)
	}
}

func TestFailuresAdvanceNothing(t *testing.T) {
	reset := func(d time.Duration) http.Header {
		return http.Header{"X-Rate-Limit-Limit": {"450"}, "X-Rate-Limit-Remaining": {"0"},
			"X-Rate-Limit-Reset": {strconv.FormatInt(time.Now().Add(d).Unix(), 10)}}
	}
	tests := []struct {
		name      string
		responses []fakeResponse
		token     string
		check     func(t *testing.T, err error)
	}{
		{
			name:      "429 with x-rate-limit-reset",
			responses: []fakeResponse{{status: 429, header: reset(14 * time.Minute), body: `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`}},
			check: func(t *testing.T, err error) {
				ra, ok := alerts.RetryAfter(err)
				if !ok || ra < 13*time.Minute || ra > 14*time.Minute {
					t.Errorf("error = %v; want RetryAfterError of about 14m", err)
				}
			},
		},
		{
			name:  "401 bad token",
			token: "wrong",
			check: func(t *testing.T, err error) {
				if !errors.Is(err, alerts.ErrPermanent) || !strings.Contains(err.Error(), "credentials rejected") {
					t.Errorf("error = %v; want permanent credentials rejected", err)
				}
				if strings.Contains(err.Error(), "wrong") {
					t.Errorf("error %q shows the token", err)
				}
			},
		},
		{
			name:      "403",
			responses: []fakeResponse{{status: 403, body: `{"title":"Forbidden","type":"https://api.twitter.com/2/problems/client-forbidden"}`}},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, alerts.ErrPermanent) || !strings.Contains(err.Error(), "credentials rejected") {
					t.Errorf("error = %v; want permanent credentials rejected", err)
				}
			},
		},
		{
			name:      "500 after retries",
			responses: []fakeResponse{{status: 500, body: "oops"}, {status: 500, body: "oops"}},
			check: func(t *testing.T, err error) {
				if err == nil || errors.Is(err, alerts.ErrPermanent) || !strings.Contains(err.Error(), "500") {
					t.Errorf("error = %v; want a temporary 500", err)
				}
			},
		},
		{
			name:      "malformed JSON",
			responses: []fakeResponse{{status: 200, body: `{"data":[{"id":"1","text":`}},
			check: func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "decode page") {
					t.Errorf("error = %v; want a decode error", err)
				}
			},
		},
		{
			name:      "posts without newest_id",
			responses: []fakeResponse{{status: 200, body: `{"data":[{"id":"1860000000000000000","text":"x","edit_history_tweet_ids":["1860000000000000000"]}],"meta":{"result_count":1}}`}},
			check: func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "newest_id") {
					t.Errorf("error = %v; want a missing newest_id error", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeX(t)
			f.addUser("1001", "cellone")
			w := f.watcher(Options{})
			watch := accountsWatch("cellone")
			res := mustPoll(t, w, watch, "")
			want := f.postMany("1001", 3, 0)
			f.fail(tt.responses...)
			bad := w
			if tt.token != "" {
				bad = f.watcher(Options{BearerToken: tt.token})
			}
			got, err := bad.Poll(context.Background(), watch, res.Cursor)
			if got != nil {
				t.Errorf("Poll returned a result with the error: %+v", got)
			}
			tt.check(t, err)
			// The same cursor, once the API is healthy, yields every post.
			retry := f.watcher(Options{})
			equalIDs(t, "retry", mustPoll(t, retry, watch, res.Cursor).Posts, want)
		})
	}
}

func TestRateLimitPartialProgress(t *testing.T) {
	f := newFakeX(t)
	var accounts []string
	for i := range 40 {
		id := strconv.Itoa(1000000000000000000 + i)
		f.addUser(id, "acct"+strconv.Itoa(i))
		accounts = append(accounts, "acct"+strconv.Itoa(i))
	}
	watch := accountsWatch(accounts...)
	w := f.watcher(Options{})
	res := mustPoll(t, w, watch, "")
	batches := f.count("/2/tweets/search/recent")
	if batches < 2 {
		t.Fatalf("40 accounts made %d batches; want several", batches)
	}
	a := f.post("1000000000000000000", "first batch", 0)
	b := f.post("1000000000000000039", "last batch", 0)
	hdr := http.Header{"X-Rate-Limit-Reset": {strconv.FormatInt(time.Now().Add(10*time.Minute).Unix(), 10)}}
	// The first batch succeeds, the second is refused.
	f.mu.Lock()
	f.canned = nil
	f.mu.Unlock()
	budgets := ratelimit.NewRegistry()
	w2 := f.watcher(Options{Budgets: budgets})
	go func() {}()
	f.failAfter(1, fakeResponse{status: 429, header: hdr})
	res2 := mustPoll(t, w2, watch, res.Cursor)
	equalIDs(t, "partial", res2.Posts, []string{a})
	if s := budgets.Get(searchEndpoint.budget, nil).Snapshot(); s.Remaining != 0 {
		t.Errorf("search budget after 429 = %+v; want spent", s)
	}
	// While the budget is spent, a poll is refused without a request.
	before := f.total()
	if _, err := w2.Poll(context.Background(), watch, res2.Cursor); !errors.Is(err, ratelimit.ErrExhausted) {
		t.Errorf("Poll with a spent budget = %v; want ErrExhausted", err)
	}
	if f.total() != before {
		t.Errorf("a spent budget still sent %d requests", f.total()-before)
	}
	res3 := mustPoll(t, f.watcher(Options{}), watch, res2.Cursor)
	equalIDs(t, "rest", res3.Posts, []string{b})
}

func TestRateLimitHeadersFeedBudget(t *testing.T) {
	f := newFakeX(t)
	f.addUser("1001", "cellone")
	budgets := ratelimit.NewRegistry()
	w := f.watcher(Options{Budgets: budgets})
	mustPoll(t, w, accountsWatch("cellone"), "")
	snaps := budgets.Snapshots()
	got := map[string]ratelimit.Snapshot{}
	for _, s := range snaps {
		got[s.Name] = s
	}
	if s := got["x:app:search"]; !s.Known || s.Limit != 450 || s.Remaining != 449 {
		t.Errorf("search budget = %+v; want 449 of 450", s)
	}
	if s := got["x:app:users"]; !s.Known || s.Remaining != 449 {
		t.Errorf("users budget = %+v; want 449 left", s)
	}
}

func TestEmptyFirstPoll(t *testing.T) {
	f := newFakeX(t)
	f.addUser("1001", "quiet")
	w := f.watcher(Options{})
	watch := accountsWatch("quiet")
	res := mustPoll(t, w, watch, "")
	equalIDs(t, "empty", res.Posts, nil)
	a := f.post("1001", "finally", 0)
	res = mustPoll(t, w, watch, res.Cursor)
	equalIDs(t, "after empty", res.Posts, []string{a})
}

func TestAddedAccountStartsNow(t *testing.T) {
	f := newFakeX(t)
	f.addUser("1001", "cellone")
	f.addUser("1002", "celltwo")
	f.postMany("1002", 5, time.Hour)
	w := f.watcher(Options{})
	res := mustPoll(t, w, accountsWatch("cellone"), "")
	a := f.post("1002", "after adding", 0)
	res = mustPoll(t, w, accountsWatch("cellone", "celltwo"), res.Cursor)
	equalIDs(t, "added account", res.Posts, []string{a})
}

func TestUnreadableCursor(t *testing.T) {
	f := newFakeX(t)
	f.addUser("1001", "cellone")
	res, err := f.watcher(Options{}).Poll(context.Background(), accountsWatch("cellone"), `{"v":1,"users":{"x":{}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0], "unreadable") {
		t.Errorf("notices = %q; want one about the cursor", res.Notices)
	}
}
