package reddit

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

func TestSearchQueryFromRules(t *testing.T) {
	tests := []struct {
		name     string
		keywords []string
		want     string
	}{
		{"near with not", []string{"balacera NEAR/3 escuela -simulacro"}, "balacera"},
		{"and takes the rarer word", []string{"plaza AND cartel"}, "cartel"},
		{"or beside a prefix", []string{"(halcones OR punteros) sicari*"}, "halcones OR punteros"},
		{"author beside a word", []string{"from:someone plaza"}, "plaza"},
		{"hashtag and mention as words", []string{"#cjng", "@sspc_mx", "cjng"}, "cjng OR sspc_mx"},
		{"hashtag a phrase spells", []string{`#"gente nueva"`}, "gentenueva OR gente_nueva"},
		{"operator word quoted", []string{`"AND"`}, `"AND"`},
		{"language is no Reddit filter", []string{"balacera lang:es"}, "balacera"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := searchQuery(tt.keywords); err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestSearchQueryRefusalSaysWhy(t *testing.T) {
	_, err := searchQuery([]string{"plaza", "sicari*~leet", "from:someone"})
	for _, want := range []string{`"sicari*~leet" is a prefix* and uses ~leet`, `"from:someone" is a from:account`, "watch subreddits"} {
		if !errors.Is(err, alerts.ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v; want ErrInvalid containing %q", err, want)
		}
	}
}

func TestPollRuleWatch(t *testing.T) {
	w, fake, _ := setup(t, Options{})
	fake.add("/search", 2)
	watch := &alerts.Watch{Name: "kw", Source: "reddit", Keywords: []string{"balacera NEAR/3 escuela -simulacro"}}
	ts, err := targets(watch)
	if err != nil || len(ts) != 1 || ts[0].query.Get("q") != "balacera" {
		t.Fatalf("targets = %+v, %v; want one search for balacera", ts, err)
	}
	if res := mustPoll(t, w, watch, ""); len(res.Posts) != 2 {
		t.Errorf("got %d posts; want the 2 the search found", len(res.Posts))
	}
	before := len(fake.log())
	watch.Keywords = []string{"/balacer[a4]/"}
	if _, err := w.Poll(context.Background(), watch, ""); !errors.Is(err, alerts.ErrPermanent) || !strings.Contains(err.Error(), "regular expression") {
		t.Errorf("got %v; want a permanent error saying the regex cannot be searched", err)
	}
	if got := fake.log()[before:]; len(got) != 0 {
		t.Errorf("requests %v; want none for a refused watch", got)
	}
}
