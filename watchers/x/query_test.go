package x

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

func TestKeywordQueriesFromRules(t *testing.T) {
	tests := []struct {
		name     string
		keywords []string
		want     []string
	}{
		{"near with not", []string{"balacera NEAR/3 escuela -simulacro"}, []string{"balacera"}},
		{"or beside a prefix", []string{"(halcones OR punteros) sicari*"}, []string{"halcones OR punteros"}},
		{"and with a regex", []string{`/\d+ muertos/ "cobro de piso"`}, []string{`"cobro de piso"`}},
		{"account in a rule", []string{"from:sspc_mx (enfrentamiento OR agresion)"}, []string{"from:sspc_mx"}},
		{"hashtag a phrase spells", []string{`#"gente nueva"`}, []string{"#gentenueva OR #gente_nueva"}},
		{"phrase or its hashtag", []string{`"gente nueva"~tag -york`, "plaza"}, []string{`"gente nueva" OR #gentenueva OR #gente_nueva OR plaza`}},
		{"language filter", []string{"balacera lang:es", "plaza lang:es"}, []string{"(balacera OR plaza) lang:es"}},
		{"one term with a language", []string{"balacera lang:es"}, []string{"balacera lang:es"}},
		{"regional language is not an X filter", []string{"balacera lang:pt-br"}, []string{"balacera"}},
		{"watch-wide case", []string{"~case", "CJNG"}, []string{"CJNG"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := keywordQueries(tt.keywords)
			if err != nil || strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestKeywordQueriesRefuseUnsearchableRules(t *testing.T) {
	tests := []struct {
		keywords []string
		want     []string
	}{
		{[]string{"plaza", "sicari*~leet"}, []string{`keyword "sicari*~leet" cannot be searched for`, "is a prefix* and uses ~leet", "add accounts"}},
		{[]string{`/halc[o0]nes/`}, []string{"is a regular expression"}},
		{[]string{"~stretch", "cartel"}, []string{`"cartel" uses ~stretch`}},
		{[]string{"from:someone.else plaza~leet"}, []string{"from:someone.else is not an X account"}},
	}
	for _, tt := range tests {
		_, err := keywordQueries(tt.keywords)
		for _, w := range tt.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("keywordQueries(%q) = %v; want an error containing %q", tt.keywords, err, w)
			}
		}
	}
}

func TestLongCoverSplitsWithLanguage(t *testing.T) {
	var kws []string
	for i := range 200 {
		kws = append(kws, fmt.Sprintf("palabra%d AND x%d lang:es", i, i))
	}
	qs, err := keywordQueries(kws)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range qs {
		if len(q) > maxQueryLen || !strings.HasPrefix(q, "(") || !strings.HasSuffix(q, ") lang:es") {
			t.Errorf("query of %d chars %q; want at most %d, parenthesised, then lang:es", len(q), q, maxQueryLen)
		}
		n += strings.Count(q, "palabra")
	}
	if len(qs) < 2 || n != 200 {
		t.Errorf("%d queries hold %d words; want several holding all 200", len(qs), n)
	}
}

func TestKeywordRuleWatch(t *testing.T) {
	f := newFakeX(t)
	f.addUser("3003", "anyone")
	w := f.watcher(Options{})
	watch := &alerts.Watch{Name: "kw", Source: "x", Keywords: []string{"balacera NEAR/3 escuela -simulacro lang:es"}, Enabled: true}
	res := mustPoll(t, w, watch, "")
	if q := f.queries[0]; q != "balacera lang:es" {
		t.Errorf("query = %q; want balacera lang:es", q)
	}
	a := f.add(fakePost{AuthorID: "3003", Text: "balacera cerca de la escuela", Lang: "es", Created: f.now.Add(-time.Second)})
	f.add(fakePost{AuthorID: "3003", Text: "balacera near the school", Lang: "en", Created: f.now.Add(-time.Second)})
	f.post("3003", "nada que ver", 0)
	res = mustPoll(t, w, watch, res.Cursor)
	// The matcher, not the query, decides NEAR and NOT.
	equalIDs(t, "rule", res.Posts, []string{a})
}

func TestKeywordRuleWatchRefused(t *testing.T) {
	f := newFakeX(t)
	w := f.watcher(Options{})
	watch := &alerts.Watch{Name: "kw", Source: "x", Keywords: []string{"sicari*~leet"}, Enabled: true}
	_, err := w.Poll(context.Background(), watch, "")
	if !errors.Is(err, alerts.ErrPermanent) || !strings.Contains(err.Error(), `"sicari*~leet" is a prefix* and uses ~leet`) || !strings.Contains(err.Error(), "add accounts") {
		t.Errorf("got %v; want a permanent error naming the rule, why, and the way out", err)
	}
	if len(f.queries) != 0 {
		t.Errorf("sent queries %q; want none", f.queries)
	}
}

func TestAccountsWithRuleKeywords(t *testing.T) {
	f := newFakeX(t)
	f.addUser("1001", "cellone")
	w := f.watcher(Options{})
	watch := accountsWatch("cellone")
	watch.Keywords = []string{"balacera NEAR/3 escuela -simulacro", "#cjng AND plaza"}
	mustPoll(t, w, watch, "")
	if q := f.queries[0]; q != "from:1001 (balacera OR #cjng)" {
		t.Errorf("query = %q; want from:1001 (balacera OR #cjng)", q)
	}
	// A rule with no searchable term leaves the batch unnarrowed.
	f.queries = nil
	watch.Keywords = []string{"balacera", "sicari*~leet"}
	mustPoll(t, w, watch, "")
	if q := f.queries[0]; q != "from:1001" {
		t.Errorf("query = %q; want from:1001 alone", q)
	}
}
