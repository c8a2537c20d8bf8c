package telegram

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/clock"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/watchers"
)

// newTestWatcher returns a watcher of the fake at baseURL and the manual
// clock of its per-channel interval.
func newTestWatcher(t *testing.T, baseURL string, opts Options) (*Watcher, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	opts.BaseURL = baseURL
	opts.Now = clk.Now
	client := httpx.New(httpx.Options{RetryMax: -1, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	return New(client, opts), clk
}

func channelWatch(accounts ...string) *alerts.Watch {
	return &alerts.Watch{Name: "tg", Source: "telegram", Accounts: accounts, Interval: time.Minute, Severity: alerts.SeverityMedium, Enabled: true}
}

func messageIDs(posts []alerts.Post) []string {
	out := make([]string, len(posts))
	for i, p := range posts {
		out[i] = p.ID
	}
	return out
}

func idsFrom(channel string, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, channel+"/"+strconv.Itoa(i))
	}
	return out
}

func poll(t *testing.T, w *Watcher, watch *alerts.Watch, cur string) *watchers.Result {
	t.Helper()
	res, err := w.Poll(context.Background(), watch, cur)
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	return res
}

func TestFirstPollReadsOnePage(t *testing.T) {
	fake, srv := newFakeTelegram(t)
	fake.post("examplechan", 50)
	w, _ := newTestWatcher(t, srv.URL, Options{})
	res := poll(t, w, channelWatch("@examplechan"), "")
	if got, want := messageIDs(res.Posts), idsFrom("examplechan", 31, 50); !slices.Equal(got, want) {
		t.Errorf("posts = %v; want %v", got, want)
	}
	if want := `{"channels":{"examplechan":50}}`; res.Cursor != want {
		t.Errorf("cursor = %s; want %s", res.Cursor, want)
	}
	if reqs := fake.requestLog(); !slices.Equal(reqs, []string{"/s/examplechan"}) {
		t.Errorf("requests = %v; want one for the newest page", reqs)
	}
	p := res.Posts[0]
	if p.Platform != Platform || p.AuthorID != "examplechan" || p.Handle != "examplechan" || p.Account != "@examplechan" ||
		p.URL != "https://t.me/examplechan/31" || p.Kind != alerts.KindPost || p.Text != "message 31 of examplechan" ||
		!p.CreatedAt.Equal(fakeEpoch.Add(31*time.Minute)) || len(p.Raw) == 0 {
		t.Errorf("post = %+v; want a normalised message 31", p)
	}
}

func TestPagesBackToLastSeen(t *testing.T) {
	fake, srv := newFakeTelegram(t)
	fake.post("examplechan", 30)
	w, clk := newTestWatcher(t, srv.URL, Options{})
	watch := channelWatch("examplechan")
	res := poll(t, w, watch, "")

	fake.post("examplechan", 45) // a burst: 31..75, more than two pages
	clk.Advance(time.Minute)
	res = poll(t, w, watch, res.Cursor)
	if got, want := messageIDs(res.Posts), idsFrom("examplechan", 31, 75); !slices.Equal(got, want) {
		t.Errorf("posts = %v; want %v, each once, oldest first", got, want)
	}
	if len(res.Notices) != 0 {
		t.Errorf("notices = %v; want none", res.Notices)
	}
	if want := `{"channels":{"examplechan":75}}`; res.Cursor != want {
		t.Errorf("cursor = %s; want %s", res.Cursor, want)
	}
	wantReqs := []string{"/s/examplechan", "/s/examplechan", "/s/examplechan?before=56", "/s/examplechan?before=36"}
	if reqs := fake.requestLog(); !slices.Equal(reqs, wantReqs) {
		t.Errorf("requests = %v; want %v", reqs, wantReqs)
	}

	// Nothing new: no posts, cursor kept.
	clk.Advance(time.Minute)
	res = poll(t, w, watch, res.Cursor)
	if len(res.Posts) != 0 || res.Cursor != `{"channels":{"examplechan":75}}` {
		t.Errorf("idle poll = %v %s; want no posts and the same cursor", messageIDs(res.Posts), res.Cursor)
	}
}

func TestPossibleGapAfterMaxPages(t *testing.T) {
	fake, srv := newFakeTelegram(t)
	fake.post("examplechan", 10)
	w, clk := newTestWatcher(t, srv.URL, Options{MaxPages: 2})
	watch := channelWatch("examplechan")
	res := poll(t, w, watch, "")
	fake.post("examplechan", 100) // 11..110
	clk.Advance(time.Minute)
	res = poll(t, w, watch, res.Cursor)
	if got, want := messageIDs(res.Posts), idsFrom("examplechan", 71, 110); !slices.Equal(got, want) {
		t.Errorf("posts = %v; want %v", got, want)
	}
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0], "possible gap") || !strings.Contains(res.Notices[0], "posts 11 to 70") {
		t.Errorf("notices = %q; want one possible gap naming posts 11 to 70", res.Notices)
	}
	if want := `{"channels":{"examplechan":110}}`; res.Cursor != want {
		t.Errorf("cursor = %s; want %s (a gap must not stall the watch)", res.Cursor, want)
	}
}

func TestOneRequestPerChannelPerInterval(t *testing.T) {
	fake, srv := newFakeTelegram(t)
	fake.post("examplechan", 5)
	w, clk := newTestWatcher(t, srv.URL, Options{})
	a, b := channelWatch("examplechan"), channelWatch("t.me/ExampleChan")
	b.Name = "other"
	ra := poll(t, w, a, "")
	rb := poll(t, w, b, "")
	if len(fake.requestLog()) != 1 {
		t.Fatalf("requests = %v; want one for two watches within a minute", fake.requestLog())
	}
	if len(ra.Posts) != 5 || len(rb.Posts) != 5 {
		t.Errorf("posts = %d and %d; want 5 each from the shared page", len(ra.Posts), len(rb.Posts))
	}
	fake.post("examplechan", 1)
	clk.Advance(59 * time.Second)
	if res := poll(t, w, a, ra.Cursor); len(res.Posts) != 0 || len(fake.requestLog()) != 1 {
		t.Errorf("poll after 59s: %d posts, %d requests; want the cached page and no request", len(res.Posts), len(fake.requestLog()))
	}
	clk.Advance(time.Second)
	if res := poll(t, w, a, ra.Cursor); !slices.Equal(messageIDs(res.Posts), []string{"examplechan/6"}) || len(fake.requestLog()) != 2 {
		t.Errorf("poll after 60s: %v, %d requests; want post 6 from a second request", messageIDs(res.Posts), len(fake.requestLog()))
	}
}

func TestRestrictedChannel(t *testing.T) {
	fake, srv := newFakeTelegram(t)
	fake.channel("blockedchan").restricted = true
	fake.post("examplechan", 3)
	w, _ := newTestWatcher(t, srv.URL, Options{})
	_, err := w.Poll(context.Background(), channelWatch("examplechan", "blockedchan"), "")
	if !errors.Is(err, alerts.ErrPermanent) || !errors.Is(err, ErrNotReadable) {
		t.Fatalf("Poll error = %v; want ErrPermanent and ErrNotReadable", err)
	}
	for _, want := range []string{"telegram channel blockedchan is not readable without a Telegram account", "violated local laws"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestEditedMessage(t *testing.T) {
	fake, srv := newFakeTelegram(t)
	fake.post("examplechan", 3)
	w, clk := newTestWatcher(t, srv.URL, Options{})
	watch := channelWatch("examplechan")
	res := poll(t, w, watch, "")

	fake.edit("examplechan", 2, "message 2, corrected")
	clk.Advance(time.Minute)
	res = poll(t, w, watch, res.Cursor)
	if len(res.Posts) != 1 {
		t.Fatalf("posts = %v; want the edited version of 2", messageIDs(res.Posts))
	}
	p := res.Posts[0]
	if p.FirstID != "examplechan/2" || p.ChainID() != "examplechan/2" || !strings.HasPrefix(p.ID, "examplechan/2#edit-") {
		t.Errorf("edited post id %q first %q; want a version of chain examplechan/2", p.ID, p.FirstID)
	}
	if p.Text != "message 2, corrected\n(edited)" {
		t.Errorf("text = %q; want the new text marked edited", p.Text)
	}
	// The same edit seen again has the same id, so it is stored once.
	clk.Advance(time.Minute)
	again := poll(t, w, watch, res.Cursor)
	if len(again.Posts) != 1 || again.Posts[0].ID != p.ID {
		t.Errorf("second poll = %v; want the same version id %s", messageIDs(again.Posts), p.ID)
	}
	fake.edit("examplechan", 2, "message 2, corrected twice")
	clk.Advance(time.Minute)
	third := poll(t, w, watch, res.Cursor)
	if len(third.Posts) != 1 || third.Posts[0].ID == p.ID || third.Posts[0].FirstID != "examplechan/2" {
		t.Errorf("after a second edit = %+v; want a new version of the same chain", third.Posts)
	}
}

func TestSearchAccount(t *testing.T) {
	fake, srv := newFakeTelegram(t)
	fake.post("examplechan", 12)
	w, _ := newTestWatcher(t, srv.URL, Options{})
	res := poll(t, w, channelWatch("examplechan?q=message+1"), "")
	if got, want := messageIDs(res.Posts), []string{"examplechan/1", "examplechan/10", "examplechan/11", "examplechan/12"}; !slices.Equal(got, want) {
		t.Errorf("posts = %v; want %v", got, want)
	}
	if reqs := fake.requestLog(); !slices.Equal(reqs, []string{"/s/examplechan?q=message+1"}) {
		t.Errorf("requests = %v; want a search", reqs)
	}
	if want := `{"channels":{"examplechan?q=message 1":12}}`; res.Cursor != want {
		t.Errorf("cursor = %s; want %s", res.Cursor, want)
	}
}

func TestPollErrors(t *testing.T) {
	tests := []struct {
		name      string
		accounts  []string
		status    int
		header    http.Header
		body      string
		permanent bool
		retry     time.Duration
		want      string
	}{
		{name: "no accounts", permanent: true, want: "need accounts"},
		{name: "bad account", accounts: []string{"not a channel"}, permanent: true, want: "not a public channel name"},
		{name: "429 with Retry-After", accounts: []string{"examplechan"}, status: 429, header: http.Header{"Retry-After": {"300"}}, retry: 5 * time.Minute, want: "429"},
		{name: "404", accounts: []string{"examplechan"}, status: 404, permanent: true, want: "404"},
		{name: "500", accounts: []string{"examplechan"}, status: 500, want: "500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, srv := newFakeTelegram(t)
			fake.status, fake.header = tt.status, tt.header
			w, _ := newTestWatcher(t, srv.URL, Options{})
			res, err := w.Poll(context.Background(), channelWatch(tt.accounts...), `{"channels":{"examplechan":7}}`)
			if err == nil || res != nil {
				t.Fatalf("Poll = %v, %v; want an error and no result (cursor kept)", res, err)
			}
			if got := errors.Is(err, alerts.ErrPermanent); got != tt.permanent {
				t.Errorf("permanent = %v; want %v (%v)", got, tt.permanent, err)
			}
			if d, _ := alerts.RetryAfter(err); d != tt.retry {
				t.Errorf("retry after %v; want %v", d, tt.retry)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestMalformedPage(t *testing.T) {
	tests := []struct {
		name, body string
		wantErr    string
	}{
		{"no history (not a preview)", `<html><body>hello</body></html>`, "not readable"},
		{"every message broken", `<section class="tgme_channel_history"><div class="tgme_widget_message" data-post="examplechan/x"></div><div class="tgme_widget_message" data-post="examplechan/5"><time datetime="yesterday"></time></div></section>`, "could be read"},
		{"truncated html", `<section class="tgme_channel_history"><div class="tgme_widget_message" data-post="examplechan/5"><a class="tgme_widget_message_date"><time datetime="2026-01-01T00:00:00Z">`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newStaticServer(t, tt.body)
			w, _ := newTestWatcher(t, srv, Options{})
			res, err := w.Poll(context.Background(), channelWatch("examplechan"), `{"channels":{"examplechan":4}}`)
			if tt.wantErr == "" {
				if err != nil || len(res.Posts) != 1 {
					t.Fatalf("Poll = %v, %v; want the one readable message", res, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Poll error = %v; want %q", err, tt.wantErr)
			}
		})
	}
}
