package mastodon

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

func TestPollHashtagRules(t *testing.T) {
	f := newFake(t, "m.example")
	a := f.addAccount("someone")
	w := newWatcher(t, f, "tok")
	f.token = "tok"
	watch := &alerts.Watch{Name: "rules", Source: "mastodon", Keywords: []string{"#cjng AND plaza -simulacro", `#"gente nueva"`}}

	cur := poll(t, w, watch, "").Cursor
	reqs := f.got()
	for _, tag := range []string{"cjng", "gentenueva", "gente_nueva"} {
		if !slices.Contains(reqs, "/api/v1/timelines/tag/"+tag+"?limit=40") {
			t.Errorf("got %v; want a page of #%s", reqs, tag)
		}
	}
	if len(reqs) != 3 {
		t.Errorf("got %d requests %v; want one per tag", len(reqs), reqs)
	}
	fresh := f.post(a, "cjng", 2)
	if res := poll(t, w, watch, cur); !slices.Equal(ids(res.Posts), fresh) {
		t.Errorf("got %v; want %v from #cjng", ids(res.Posts), fresh)
	}
}

func TestPollRuleWithoutHashtagRefused(t *testing.T) {
	f := newFake(t, "m.example")
	w := newWatcher(t, f, "")
	watch := &alerts.Watch{Name: "words", Source: "mastodon", Keywords: []string{"#cjng OR plaza", "sicari*~leet"}}
	_, err := w.Poll(context.Background(), watch, "")
	for _, want := range []string{`keywords "#cjng OR plaza", "sicari*~leet" cannot be watched`, `"plaza" is a word`, `"sicari*~leet" is a prefix* and uses ~leet`, "#cjng AND plaza"} {
		if !errors.Is(err, alerts.ErrPermanent) || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v; want a permanent error containing %q", err, want)
		}
	}
	if got := f.got(); len(got) != 0 {
		t.Errorf("got requests %v; want none", got)
	}
}
