package mastodon

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/internal/ratelimit"
	"github.com/lookoutbot/lookout/watchers"
)

// newWatcher returns a Watcher whose configured instance is local and
// whose home instances are the given fakes, by domain.
func newWatcher(t *testing.T, local *fakeMastodon, token string, homes ...*fakeMastodon) *Watcher {
	t.Helper()
	byDomain := map[string]string{}
	for _, h := range homes {
		byDomain[h.domain] = h.srv.URL
	}
	w, err := New(local.client(), local.client(), Options{
		BaseURL:     local.srv.URL,
		AccessToken: token,
		InstanceURL: func(domain string) string {
			if u, ok := byDomain[domain]; ok {
				return u
			}
			return "http://127.0.0.1:1" // nothing listens: never the network
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func accountWatch(accounts ...string) *alerts.Watch {
	return &alerts.Watch{Name: "w", Source: "mastodon", Accounts: accounts, Interval: time.Minute, Enabled: true}
}

func poll(t *testing.T, w *Watcher, watch *alerts.Watch, cursor string) *watchers.Result {
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

func TestPollAccountBaselineThenNewPosts(t *testing.T) {
	f := newFake(t, "m.example")
	a := f.addAccount("cartel")
	old := f.post(a, "", 50)
	w := newWatcher(t, f, "")
	watch := accountWatch("@Cartel")

	res := poll(t, w, watch, "")
	if want := old[10:]; !slices.Equal(ids(res.Posts), want) {
		t.Errorf("baseline: got %v; want the newest page, oldest first: %v", ids(res.Posts), want)
	}
	reqs := f.got()
	if len(reqs) != 2 || !strings.HasPrefix(reqs[0], "/api/v1/accounts/lookup?acct=Cartel") {
		t.Fatalf("baseline: got requests %v; want a lookup then one page", reqs)
	}
	if q := queries(reqs, "/statuses")[0]; q.Get("limit") != "40" || q.Has("min_id") || q.Has("since_id") {
		t.Errorf("baseline: got query %v; want limit=40 and no cursor", q)
	}
	p := res.Posts[0]
	if p.AuthorID != a.URI || p.Handle != "@cartel@m.example" || p.Account != "cartel" || p.Text != "post "+old[10] {
		t.Errorf("got post %+v; want author %s, handle @cartel@m.example, account cartel", p, a.URI)
	}

	fresh := f.post(a, "", 3)
	res = poll(t, w, watch, res.Cursor)
	if !slices.Equal(ids(res.Posts), fresh) {
		t.Errorf("second poll: got %v; want %v", ids(res.Posts), fresh)
	}
	reqs = f.got()
	if q := queries(reqs, "/statuses"); len(reqs) != 1 || q[0].Get("min_id") != old[49] {
		t.Errorf("second poll: got requests %v; want one page with min_id=%s and no lookup", reqs, old[49])
	}

	res = poll(t, w, watch, res.Cursor)
	if len(res.Posts) != 0 || len(f.got()) != 1 {
		t.Errorf("idle poll: got %d posts; want none, from one request", len(res.Posts))
	}
}

func TestPollMoreThanAPage(t *testing.T) {
	f := newFake(t, "m.example")
	a := f.addAccount("cartel")
	f.post(a, "", 5)
	w := newWatcher(t, f, "")
	watch := accountWatch("cartel")
	cur := poll(t, w, watch, "").Cursor
	f.got()

	burst := f.post(a, "", 95)
	res := poll(t, w, watch, cur)
	if !slices.Equal(ids(res.Posts), burst) {
		t.Errorf("got %d posts %v…; want all %d, oldest first", len(res.Posts), ids(res.Posts)[:min(3, len(res.Posts))], len(burst))
	}
	qs := queries(f.got(), "/statuses")
	var mins []string
	for _, q := range qs {
		if q.Has("since_id") || q.Get("limit") != "40" {
			t.Errorf("got query %v; want min_id paging with limit=40, never since_id", q)
		}
		mins = append(mins, q.Get("min_id"))
	}
	// Pages of 40, 40 and 15, each from the Link header's prev min_id; the
	// short page ends the poll without an extra empty request.
	if want := []string{minIDBefore(burst), burst[39], burst[79]}; !slices.Equal(mins, want) {
		t.Errorf("got min_ids %v; want %v", mins, want)
	}
}

// minIDBefore is the id the cursor held before the burst: one below its
// first id (the fake numbers statuses consecutively).
func minIDBefore(burst []string) string {
	b := []byte(burst[0])
	b[len(b)-1]--
	return string(b)
}

// TestFakeSinceIDSkips shows why the watcher pages with min_id: the fake,
// like Mastodon, answers since_id with the newest page only.
func TestFakeSinceIDSkips(t *testing.T) {
	f := newFake(t, "m.example")
	a := f.addAccount("cartel")
	first := f.post(a, "", 1)
	f.post(a, "", 95)
	resp, err := http.Get(f.srv.URL + "/api/v1/accounts/" + a.ID + "/statuses?limit=100&since_id=" + first[0])
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page []map[string]any
	if err := jsonDecode(resp, &page); err != nil {
		t.Fatal(err)
	}
	if len(page) != 40 {
		t.Errorf("since_id page: got %d statuses; want 40 (limit capped), the other 55 skipped", len(page))
	}
}

func TestPollRestartBetweenPolls(t *testing.T) {
	f := newFake(t, "m.example")
	a := f.addAccount("cartel")
	f.post(a, "", 3)
	cur := poll(t, newWatcher(t, f, ""), accountWatch("cartel"), "").Cursor
	f.got()

	fresh := f.post(a, "", 2)
	// A new process: nothing in memory but the stored cursor.
	res := poll(t, newWatcher(t, f, ""), accountWatch("cartel"), cur)
	if !slices.Equal(ids(res.Posts), fresh) {
		t.Errorf("after restart: got %v; want %v", ids(res.Posts), fresh)
	}
	if reqs := f.got(); len(reqs) != 1 || strings.Contains(reqs[0], "lookup") {
		t.Errorf("after restart: got requests %v; want one statuses page and no lookup (id cached in the cursor)", reqs)
	}
}

func TestPollEditDoesNotRealert(t *testing.T) {
	f := newFake(t, "m.example")
	a := f.addAccount("cartel")
	seen := f.post(a, "", 2)
	w := newWatcher(t, f, "")
	cur := poll(t, w, accountWatch("cartel"), "").Cursor
	f.edit(a.ID, seen[1], "<p>edited</p>")
	if res := poll(t, w, accountWatch("cartel"), cur); len(res.Posts) != 0 {
		t.Errorf("got %v after an edit; want nothing (same id)", ids(res.Posts))
	}
}

func TestPollReblog(t *testing.T) {
	f := newFake(t, "m.example")
	a := f.addAccount("cartel")
	fan := f.addAccount("fan@far.example")
	f.post(a, "", 1)
	w := newWatcher(t, f, "")
	cur := poll(t, w, accountWatch("cartel"), "").Cursor
	orig := f.post(fan, "", 1)
	id := f.boost(a, fakeStatus{ID: orig[0], Account: fan, Content: "<p>boosted</p>"})
	res := poll(t, w, accountWatch("cartel"), cur)
	if len(res.Posts) != 1 {
		t.Fatalf("got %d posts; want the boost", len(res.Posts))
	}
	p := res.Posts[0]
	want := []string{orig[0], fan.URI}
	if p.ID != id || p.Kind != alerts.KindRepost || p.AuthorID != a.URI || p.Text != "boosted" || !slices.Equal(p.RefIDs, want) {
		t.Errorf("got %+v; want repost %s by %s of %v", p, id, a.URI, want)
	}
}

func TestPollHandleChange(t *testing.T) {
	f := newFake(t, "m.example")
	a := f.addAccount("cartel")
	f.post(a, "", 1)
	w := newWatcher(t, f, "")
	cur := poll(t, w, accountWatch("cartel"), "").Cursor
	f.rename(a, "cartel_nuevo")
	f.post(a, "", 1)

	res := poll(t, newWatcher(t, f, ""), accountWatch("cartel"), cur)
	if len(res.Posts) != 1 || res.Posts[0].Handle != "@cartel_nuevo@m.example" || res.Posts[0].PreviousHandle != "@cartel@m.example" {
		t.Fatalf("got %+v; want one post by @cartel_nuevo with previous handle @cartel", res.Posts)
	}
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0], "@cartel@m.example is now @cartel_nuevo@m.example") {
		t.Errorf("got notices %q; want one about the rename", res.Notices)
	}
	f.post(a, "", 1)
	res = poll(t, w, accountWatch("cartel"), res.Cursor)
	if len(res.Posts) != 1 || res.Posts[0].PreviousHandle != "" || len(res.Notices) != 0 {
		t.Errorf("next poll: got %+v, notices %q; want a plain post and no notice", res.Posts, res.Notices)
	}
}

func TestPollHomeInstance(t *testing.T) {
	local := newFake(t, "local.example")
	home := newFake(t, "home.example")
	a := home.addAccount("alice")
	home.post(a, "", 2)
	w := newWatcher(t, local, "secret-token", home)

	res := poll(t, w, accountWatch("alice@home.example"), "")
	if len(res.Posts) != 2 || res.Posts[0].AuthorID != a.URI || res.Posts[0].Handle != "@alice@home.example" {
		t.Errorf("got %+v; want 2 posts by %s", res.Posts, a.URI)
	}
	if got := local.got(); len(got) != 0 {
		t.Errorf("configured instance got %v; want nothing (the home instance serves its accounts)", got)
	}
	for _, r := range home.requests {
		if h := r.Header.Get("Authorization"); h != "" {
			t.Errorf("home instance got Authorization %q; the token must only go to the configured instance", h)
		}
	}
}

func TestPollHomeRefusesFallsBackToConfigured(t *testing.T) {
	local := newFake(t, "local.example")
	home := newFake(t, "home.example")
	home.fail = func(w http.ResponseWriter, _ *http.Request) bool {
		writeError(w, http.StatusUnauthorized, "This API requires an authenticated user")
		return true
	}
	remote := local.addAccount("alice@home.example")
	local.post(remote, "", 2)
	w := newWatcher(t, local, "", home)

	res := poll(t, w, accountWatch("alice@home.example"), "")
	if len(res.Posts) != 2 || res.Posts[0].Handle != "@alice@home.example" {
		t.Fatalf("got %+v; want the 2 posts the configured instance holds", res.Posts)
	}
	if q := queries(local.got(), "/lookup"); len(q) != 1 || q[0].Get("acct") != "alice@home.example" {
		t.Errorf("got lookups %v on the configured instance; want acct=alice@home.example", q)
	}
	fresh := local.post(remote, "", 1)
	res = poll(t, newWatcher(t, local, "", home), accountWatch("alice@home.example"), res.Cursor)
	if !slices.Equal(ids(res.Posts), fresh) {
		t.Errorf("after restart: got %v; want %v from the configured instance", ids(res.Posts), fresh)
	}
}

func TestPollHashtags(t *testing.T) {
	f := newFake(t, "m.example")
	a := f.addAccount("someone")
	f.post(a, "cartel", 2)
	w := newWatcher(t, f, "tok")
	f.token = "tok"
	watch := &alerts.Watch{Name: "tags", Source: "mastodon", Keywords: []string{"#Cartel", " #plaza", "#cartel"}}

	cur := poll(t, w, watch, "").Cursor
	reqs := f.got()
	if len(reqs) != 2 || !slices.Contains(reqs, "/api/v1/timelines/tag/cartel?limit=40") || !slices.Contains(reqs, "/api/v1/timelines/tag/plaza?limit=40") {
		t.Errorf("got %v; want one page of #cartel and one of #plaza", reqs)
	}
	fresh := f.post(a, "plaza", 3)
	res := poll(t, w, watch, cur)
	if !slices.Equal(ids(res.Posts), fresh) || res.Posts[0].Account != "" {
		t.Errorf("got %v; want %v, with no watched account set", ids(res.Posts), fresh)
	}
}

func TestPollPlainKeywordsRefused(t *testing.T) {
	f := newFake(t, "m.example")
	w := newWatcher(t, f, "")
	watch := &alerts.Watch{Name: "words", Source: "mastodon", Keywords: []string{"#cartel", "plaza"}}
	_, err := w.Poll(context.Background(), watch, "")
	if !errors.Is(err, alerts.ErrPermanent) || !strings.Contains(err.Error(), `"plaza"`) || !strings.Contains(err.Error(), "#hashtags") {
		t.Errorf("got %v; want a permanent error naming \"plaza\" and suggesting #hashtags", err)
	}
	if got := f.got(); len(got) != 0 {
		t.Errorf("got requests %v; want none", got)
	}
	// With accounts, words only filter those accounts' posts: fine.
	if err := CheckWatch([]string{"cartel"}, []string{"plaza"}); err != nil {
		t.Errorf("CheckWatch with accounts: %v", err)
	}
}

func TestPollNewAccountInExistingWatchIsSilent(t *testing.T) {
	f := newFake(t, "m.example")
	a := f.addAccount("cartel")
	b := f.addAccount("plaza")
	f.post(a, "", 1)
	f.post(b, "", 5)
	w := newWatcher(t, f, "")
	cur := poll(t, w, accountWatch("cartel"), "").Cursor
	res := poll(t, w, accountWatch("cartel", "plaza"), cur)
	if len(res.Posts) != 0 {
		t.Errorf("got %v; want an added account baselined without posts", ids(res.Posts))
	}
	fresh := f.post(b, "", 1)
	if res = poll(t, w, accountWatch("cartel", "plaza"), res.Cursor); !slices.Equal(ids(res.Posts), fresh) {
		t.Errorf("got %v; want %v", ids(res.Posts), fresh)
	}
}

func TestPollEmptyTimeline(t *testing.T) {
	f := newFake(t, "m.example")
	a := f.addAccount("quiet")
	w := newWatcher(t, f, "")
	res := poll(t, w, accountWatch("quiet"), "")
	if len(res.Posts) != 0 || !strings.Contains(res.Cursor, `"min_id":"0"`) {
		t.Errorf("got %d posts, cursor %s; want none and min_id 0", len(res.Posts), res.Cursor)
	}
	fresh := f.post(a, "", 45)
	if res = poll(t, w, accountWatch("quiet"), res.Cursor); !slices.Equal(ids(res.Posts), fresh) {
		t.Errorf("got %d posts; want all %d posted since", len(res.Posts), len(fresh))
	}
}

func TestPollHugeText(t *testing.T) {
	f := newFake(t, "m.example")
	a := f.addAccount("cartel")
	w := newWatcher(t, f, "")
	cur := poll(t, w, accountWatch("cartel"), "").Cursor
	id := f.post(a, "", 1)[0]
	f.edit(a.ID, id, "<p>"+strings.Repeat("plaza ", 100_000)+"</p>")
	res := poll(t, w, accountWatch("cartel"), cur)
	if len(res.Posts) != 1 || len(res.Posts[0].Text) > maxTextBytes || !strings.HasSuffix(res.Posts[0].Text, ellipsis) {
		t.Errorf("got %d posts; want one with its text cut to %d bytes", len(res.Posts), maxTextBytes)
	}
}

func TestPollAccountNotFound(t *testing.T) {
	f := newFake(t, "m.example")
	now := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	w, err := New(f.client(), f.client(), Options{BaseURL: f.srv.URL, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	res := poll(t, w, accountWatch("ghost"), "")
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0], "@ghost was not found") {
		t.Errorf("got notices %q; want one saying @ghost was not found", res.Notices)
	}
	f.got()
	now = now.Add(time.Hour)
	if res = poll(t, w, accountWatch("ghost"), res.Cursor); len(res.Notices) != 0 || len(f.got()) != 0 {
		t.Errorf("an hour later: got notices %q; want the account skipped quietly, no request", res.Notices)
	}
	a := f.addAccount("ghost")
	now = now.Add(goneRecheck)
	cur := poll(t, w, accountWatch("ghost"), res.Cursor).Cursor
	fresh := f.post(a, "", 1)
	if res = poll(t, w, accountWatch("ghost"), cur); !slices.Equal(ids(res.Posts), fresh) {
		t.Errorf("after the recheck: got %v; want %v", ids(res.Posts), fresh)
	}
}

// TestPollFailures: every failure returns an error and no result, so the
// cursor does not move, and the next successful poll returns what was
// pending: nothing is lost.
func TestPollFailures(t *testing.T) {
	tests := []struct {
		name  string
		token string
		fail  func(w http.ResponseWriter)
		check func(t *testing.T, err error)
	}{
		{"429 with ISO reset", "", func(w http.ResponseWriter) {
			w.Header().Set("X-RateLimit-Limit", "300")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", time.Now().Add(4*time.Minute).UTC().Format("2006-01-02T15:04:05.000000Z"))
			writeError(w, http.StatusTooManyRequests, "Too many requests")
		}, func(t *testing.T, err error) {
			if d, ok := alerts.RetryAfter(err); !ok || d < 3*time.Minute || d > 4*time.Minute {
				t.Errorf("got %v (wait %s); want a retry after about 4m", err, d)
			}
		}},
		{"401 rejects the token", "tok", func(w http.ResponseWriter) {
			writeError(w, http.StatusUnauthorized, "The access token is invalid")
		}, func(t *testing.T, err error) {
			if !errors.Is(err, alerts.ErrPermanent) || !strings.Contains(err.Error(), "credentials rejected") {
				t.Errorf("got %v; want a permanent \"credentials rejected\"", err)
			}
			if strings.Contains(err.Error(), "tok") && !strings.Contains(err.Error(), "token") {
				t.Errorf("got %v; the token leaked", err)
			}
		}},
		{"403", "tok", func(w http.ResponseWriter) {
			writeError(w, http.StatusForbidden, "This action is outside the authorized scopes")
		}, func(t *testing.T, err error) {
			if !errors.Is(err, alerts.ErrPermanent) {
				t.Errorf("got %v; want permanent", err)
			}
		}},
		{"500", "", func(w http.ResponseWriter) {
			writeError(w, http.StatusInternalServerError, "boom")
		}, func(t *testing.T, err error) {
			if errors.Is(err, alerts.ErrPermanent) || err == nil {
				t.Errorf("got %v; want a temporary error", err)
			}
			if _, ok := alerts.RetryAfter(err); ok {
				t.Errorf("got %v; want backoff, not a Retry-After", err)
			}
		}},
		{"malformed JSON", "", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`[{"id":"113000000000009999","account":`))
		}, func(t *testing.T, err error) {
			if !errors.Is(err, errMalformed) {
				t.Errorf("got %v; want a malformed-response error", err)
			}
		}},
		{"HTML instead of JSON", "", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<html><body>Maintenance</body></html>`))
		}, func(t *testing.T, err error) {
			if !errors.Is(err, errMalformed) {
				t.Errorf("got %v; want a malformed-response error", err)
			}
		}},
		{"oversized body", "", func(w http.ResponseWriter) {
			_, _ = w.Write([]byte("[" + strings.Repeat(" ", 2<<20) + "]"))
		}, func(t *testing.T, err error) {
			if err == nil || !strings.Contains(err.Error(), "too large") {
				t.Errorf("got %v; want a body-too-large error", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "m.example")
			f.token = tt.token
			a := f.addAccount("cartel")
			f.post(a, "", 1)
			w := newWatcher(t, f, tt.token)
			cur := poll(t, w, accountWatch("cartel"), "").Cursor
			fresh := f.post(a, "", 2)

			var mu sync.Mutex
			failing := true
			f.fail = func(w http.ResponseWriter, r *http.Request) bool {
				mu.Lock()
				defer mu.Unlock()
				if failing {
					tt.fail(w)
				}
				return failing
			}
			res, err := w.Poll(context.Background(), accountWatch("cartel"), cur)
			if res != nil {
				t.Errorf("got a result with cursor %s; want none, so the cursor stays", res.Cursor)
			}
			tt.check(t, err)

			mu.Lock()
			failing = false
			mu.Unlock()
			if res = poll(t, w, accountWatch("cartel"), cur); !slices.Equal(ids(res.Posts), fresh) {
				t.Errorf("after recovery: got %v; want %v", ids(res.Posts), fresh)
			}
		})
	}
}

func TestPollTimeout(t *testing.T) {
	f := newFake(t, "m.example")
	a := f.addAccount("cartel")
	f.post(a, "", 1)
	w := newWatcher(t, f, "")
	cur := poll(t, w, accountWatch("cartel"), "").Cursor
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f.fail = func(w http.ResponseWriter, r *http.Request) bool {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res, err := w.Poll(ctx, accountWatch("cartel"), cur); err == nil || res != nil {
		t.Errorf("got %v, %v; want an error and no result", res, err)
	}
}

func TestPollUsesRateLimitBudget(t *testing.T) {
	f := newFake(t, "m.example")
	a := f.addAccount("cartel")
	f.post(a, "", 1)
	now := time.Now()
	reg := ratelimit.NewRegistry()
	var hosts []string
	w, err := New(f.client(), f.client(), Options{BaseURL: f.srv.URL, Now: func() time.Time { return now },
		Budget: func(host string) Budget {
			hosts = append(hosts, host)
			return reg.Get("mastodon:"+host, func() time.Time { return now })
		}})
	if err != nil {
		t.Fatal(err)
	}
	poll(t, w, accountWatch("cartel"), "")
	snaps := reg.Snapshots()
	if len(snaps) != 1 || !snaps[0].Known || snaps[0].Limit != 300 || snaps[0].Remaining != 299 {
		t.Fatalf("got budgets %+v; want one at 299/300", snaps)
	}
	if d := snaps[0].Reset.Sub(now); d < 4*time.Minute || d > 6*time.Minute {
		t.Errorf("got reset in %s; want about 5m (parsed from the ISO 8601 header)", d)
	}
	// A spent budget whose reset is far away makes the poll wait instead
	// of asking for a 429.
	reg.Get("mastodon:"+hosts[0], nil).Block(now.Add(10 * time.Minute))
	f.got()
	_, err = w.Poll(context.Background(), accountWatch("cartel"), "")
	if d, ok := alerts.RetryAfter(err); !ok || d != 10*time.Minute {
		t.Errorf("got %v; want a retry after 10m from the budget", err)
	}
	if got := f.got(); len(got) != 0 {
		t.Errorf("got requests %v; want none while the budget is spent", got)
	}
}

// TestPollGuardedHomeFallsBack: a home instance the SSRF guard refuses
// (here loopback) is replaced by the configured instance, and never
// reached.
func TestPollGuardedHomeFallsBack(t *testing.T) {
	local := newFake(t, "local.example")
	home := newFake(t, "home.example")
	home.addAccount("alice")
	remote := local.addAccount("alice@home.example")
	local.post(remote, "", 1)
	guarded := httpx.New(httpx.Options{Guard: true, RetryMax: -1})
	w, err := New(local.client(), guarded, Options{BaseURL: local.srv.URL,
		InstanceURL: func(string) string { return home.srv.URL }})
	if err != nil {
		t.Fatal(err)
	}
	res := poll(t, w, accountWatch("alice@home.example"), "")
	if len(res.Posts) != 1 {
		t.Errorf("got %d posts; want the one the configured instance holds", len(res.Posts))
	}
	if got := home.got(); len(got) != 0 {
		t.Errorf("guarded home instance got %v; want nothing", got)
	}
}
