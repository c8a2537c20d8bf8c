package telegram

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/watchers"
)

// deleteMsg removes a message from the fake channel, as its admins would.
func (f *fakeTelegram) deleteMsg(channel string, id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.channel(channel)
	for i, m := range c.msgs {
		if m.id == id {
			c.msgs = append(c.msgs[:i:i], c.msgs[i+1:]...)
			return
		}
	}
}

func tgPost(id string) alerts.Post { return alerts.Post{Platform: Platform, ID: id} }

func TestRecheckFindsDeletedMessages(t *testing.T) {
	f, srv := newFakeTelegram(t)
	f.post("cartelnews", 30)
	f.deleteMsg("cartelnews", 12)
	f.deleteMsg("cartelnews", 30)
	w, clk := newTestWatcher(t, srv.URL, Options{})
	edited := alerts.Post{Platform: Platform, ID: "cartelnews/12#edit-abc", FirstID: "cartelnews/12"}
	got, err := w.Recheck(context.Background(), []alerts.Post{tgPost("cartelnews/11"), edited, tgPost("cartelnews/30"), tgPost("no-slash")})
	if err != nil {
		t.Fatal(err)
	}
	now := clk.Now().UTC()
	want := []watchers.Gone{{ChainID: "cartelnews/12", At: now, Reason: reasonDeleted}, {ChainID: "cartelnews/30", At: now, Reason: reasonDeleted}}
	if fmt.Sprint(got.Gone) != fmt.Sprint(want) || got.Checked != 4 {
		t.Errorf("got %v, %d checked; want %v, 4", got.Gone, got.Checked, want)
	}
	if reqs := strings.Join(f.requestLog(), " "); reqs != "/s/cartelnews?before=12 /s/cartelnews?before=13 /s/cartelnews?before=31" {
		t.Errorf("requests: got %s", reqs)
	}
}

func TestRecheckDoesNotCallEveryMissingMessageDeleted(t *testing.T) {
	f, srv := newFakeTelegram(t)
	f.post("cartelnews", 3)
	f.deleteMsg("cartelnews", 1)
	f.channel("hiddenchan").restricted = true
	w, _ := newTestWatcher(t, srv.URL, Options{})
	// Message 1 is gone but the page before it is empty, so nothing
	// proves it; a restricted channel shows nothing at all.
	got, err := w.Recheck(context.Background(), []alerts.Post{tgPost("cartelnews/1"), tgPost("hiddenchan/5"), tgPost("cartelnews/2")})
	if err == nil || !strings.Contains(err.Error(), "passed over") {
		t.Errorf("err: got %v; want the restricted channel reported as passed over", err)
	}
	if len(got.Gone) != 0 || got.Checked != 3 {
		t.Errorf("got %v, %d checked; want nothing gone, 3 checked", got.Gone, got.Checked)
	}
}

func TestRecheckStopsOnFailuresAndBound(t *testing.T) {
	t.Run("server error", func(t *testing.T) {
		f, srv := newFakeTelegram(t)
		f.status = http.StatusServiceUnavailable
		w, _ := newTestWatcher(t, srv.URL, Options{})
		got, err := w.Recheck(context.Background(), []alerts.Post{tgPost("cartelnews/5"), tgPost("cartelnews/6")})
		if err == nil || got.Checked != 0 || len(got.Gone) != 0 {
			t.Errorf("got err %v, %d checked, %d gone; want an error and nothing", err, got.Checked, len(got.Gone))
		}
	})
	t.Run("rate limited", func(t *testing.T) {
		f, srv := newFakeTelegram(t)
		f.status, f.header = http.StatusTooManyRequests, http.Header{"Retry-After": {"120"}}
		w, _ := newTestWatcher(t, srv.URL, Options{})
		got, err := w.Recheck(context.Background(), []alerts.Post{tgPost("cartelnews/5")})
		if _, ok := alerts.RetryAfter(err); !ok || got.Checked != 0 {
			t.Errorf("got err %v, %d checked; want a RetryAfterError and nothing checked", err, got.Checked)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		f, srv := newFakeTelegram(t)
		f.post("cartelnews", MaxRecheck+10)
		w, _ := newTestWatcher(t, srv.URL, Options{})
		var posts []alerts.Post
		for i := 1; i <= MaxRecheck+10; i++ {
			posts = append(posts, tgPost("cartelnews/"+strconv.Itoa(i)))
		}
		got, err := w.Recheck(context.Background(), posts)
		if err != nil || got.Checked != MaxRecheck || len(f.requestLog()) != MaxRecheck {
			t.Errorf("got err %v, %d checked, %d requests; want nil, %d, %d", err, got.Checked, len(f.requestLog()), MaxRecheck, MaxRecheck)
		}
	})
}

func FuzzSplitPostID(f *testing.F) {
	for _, s := range []string{"durov/1", "durov/0", "x/1", "durov/9223372036854775807", "durov/1/2", "", "/", "durov/-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ch, id, ok := splitPostID(s)
		if !ok {
			return
		}
		if !channelName.MatchString(ch) || id <= 0 || ch+"/"+strconv.FormatInt(id, 10) != s && !strings.HasPrefix(s, ch+"/") {
			t.Fatalf("splitPostID(%q) = %q, %d", s, ch, id)
		}
	})
}
