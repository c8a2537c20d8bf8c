package reddit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/ratelimit"
	"github.com/lookoutbot/lookout/watchers"
)

func redditPost(name string) alerts.Post { return alerts.Post{Platform: Platform, ID: name} }

func TestRecheckReportsRemovedDeletedAndUnlisted(t *testing.T) {
	w, fake, clk := setup(t, Options{})
	fake.add("/r/example/new", 4)
	ns := fakeNames(fake, "/r/example/new", 0, 3)
	fake.remove("/r/example/new", 1, map[string]any{"selftext": "[removed]", "removed_by_category": "moderator"})
	fake.remove("/r/example/new", 2, map[string]any{"selftext": "[deleted]", "author": "[deleted]", "removed_by_category": "deleted"})
	fake.drop("/r/example/new", 3)
	posts := []alerts.Post{redditPost(ns[0]), redditPost(ns[1]), redditPost(ns[2]), redditPost(ns[3]), redditPost("not a fullname")}
	got, err := w.Recheck(context.Background(), posts)
	if err != nil {
		t.Fatal(err)
	}
	now := clk.Now()
	want := []watchers.Gone{
		{ChainID: ns[1], At: now, Reason: "removed by moderators"},
		{ChainID: ns[2], At: now, Reason: "deleted by author"},
		{ChainID: ns[3], At: now, Reason: reasonUnlisted},
	}
	if fmt.Sprint(got.Gone) != fmt.Sprint(want) || got.Checked != 5 {
		t.Errorf("got %v, %d checked; want %v, 5", got.Gone, got.Checked, want)
	}
}

func TestRecheckFailuresMarkNothing(t *testing.T) {
	tests := []struct {
		name   string
		status int
		head   http.Header
		body   string
	}{
		{name: "rate limited", status: http.StatusTooManyRequests, head: http.Header{"Retry-After": {"60"}}, body: `{"message": "Too Many Requests", "error": 429}`},
		{name: "server error", status: http.StatusInternalServerError, body: `{"message": "Internal Server Error", "error": 500}`},
		{name: "malformed body", status: http.StatusOK, body: `{"kind":"Listing","data":{"children":[{"kind":"t3","data":`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, fake, _ := setup(t, Options{})
			fake.add("/r/example/new", 2)
			ns := fakeNames(fake, "/r/example/new", 0, 1)
			fake.override, fake.overrideHead, fake.overrideBody = tt.status, tt.head, tt.body
			got, err := w.Recheck(context.Background(), []alerts.Post{redditPost(ns[0]), redditPost(ns[1])})
			if err == nil {
				t.Fatal("got no error; want one")
			}
			if len(got.Gone) != 0 || got.Checked != 0 {
				t.Errorf("got %d gone, %d checked; want nothing", len(got.Gone), got.Checked)
			}
		})
	}
}

func TestRecheckKeepsTheBudgetForPolls(t *testing.T) {
	budget := ratelimit.New("reddit", nil)
	w, fake, _ := setup(t, Options{Budget: budget})
	fake.add("/r/example/new", 1)
	ns := fakeNames(fake, "/r/example/new", 0, 0)
	budget.Update(http.Header{"X-Ratelimit-Used": {"50"}, "X-Ratelimit-Remaining": {"50.0"}, "X-Ratelimit-Reset": {"300"}})
	got, err := w.Recheck(context.Background(), []alerts.Post{redditPost(ns[0])})
	if !errors.Is(err, watchers.ErrBudgetReserved) || got.Checked != 0 || len(got.Gone) != 0 {
		t.Errorf("got err %v, %d checked, %d gone; want ErrBudgetReserved and nothing", err, got.Checked, len(got.Gone))
	}
	if n := len(fake.log()); n != 0 {
		t.Errorf("requests: got %v; want none", fake.log())
	}
}
