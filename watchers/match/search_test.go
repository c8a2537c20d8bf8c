package match

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

func coverStrings(c *Cover) []string {
	out := make([]string, len(c.Terms))
	for i, t := range c.Terms {
		out[i] = t.String()
	}
	return out
}

func TestSearchCover(t *testing.T) {
	tests := []struct {
		name     string
		keywords []string
		kinds    SearchKind
		want     string // the terms joined by " | ", then " lang:xx" for a hint
	}{
		{"literal keywords", []string{"plaza", `"cartel del norte"`, "#halcones", "ruta 5", "@sspc_mx"}, SearchAll, `plaza | "cartel del norte" | #halcones | "ruta 5" | @sspc_mx`},
		{"quoted single word is a word", []string{`"cartel"`}, SearchAll, "cartel"},
		{"punctuation around a word", []string{`"¡cartel!"`}, SearchAll, "cartel"},
		{"spelling kept", []string{"Culiacán", "#CJNG"}, SearchAll, "Culiacán | #CJNG"},
		{"repeats folded away", []string{"#Cartel", "#cartel", "CÁRTEL", "cartel"}, SearchAll, "#Cartel | CÁRTEL"},
		{"near and not", []string{"balacera NEAR/3 escuela -simulacro"}, SearchAll, "balacera"},
		{"longer word preferred", []string{"plaza AND balaceras"}, SearchAll, "balaceras"},
		{"phrase preferred", []string{`plaza "gente nueva"`}, SearchAll, `"gente nueva"`},
		{"function word avoided", []string{"la AND plaza"}, SearchAll, "plaza"},
		{"account preferred", []string{"from:sspc_mx (enfrentamiento OR agresion)"}, SearchAll, "from:sspc_mx"},
		{"or needs both", []string{"(halcones OR punteros) sicari*"}, SearchAll, "halcones | punteros"},
		{"or inside and", []string{"(halcones OR punteros) plaza"}, SearchAll, "plaza"},
		{"regex beside a word", []string{`/\d+ muertos/ balacera`}, SearchAll, "balacera"},
		{"folds beside a word", []string{"sicari*~leet plaza"}, SearchAll, "plaza"},
		{"joined hashtag", []string{`#"gente nueva"`}, SearchAll, "#gentenueva | #gente_nueva"},
		{"joined hashtag keeps case", []string{`#"Gente Nueva"`}, SearchAll, "#GenteNueva | #Gente_Nueva"},
		{"tag too", []string{`"gente nueva"~tag`}, SearchAll, `"gente nueva" | #gentenueva | #gente_nueva`},
		{"case is still literal", []string{"CJNG~case"}, SearchAll, "CJNG"},
		{"emoji", []string{"🔫 AND plaza"}, SearchAll, "plaza"},
		{"emoji alone", []string{"🔫"}, SearchAll, "🔫"},
		{"double negation", []string{"NOT NOT cartel"}, SearchAll, "cartel"},
		{"phrase holding a word of the cover", []string{"cartel", `"el cartel del norte"`}, SearchAll, "cartel"},
		{"language hint", []string{"balacera lang:es", "plaza AND lang:es"}, SearchAll, "balacera | plaza lang:es"},
		{"language hint through or", []string{"(balacera lang:es) OR (plaza lang:es)"}, SearchAll, "balacera | plaza lang:es"},
		{"no hint unless every rule", []string{"balacera lang:es", "plaza"}, SearchAll, "balacera | plaza"},
		{"no hint from not", []string{"balacera -lang:es"}, SearchAll, "balacera"},
		{"hashtags only: and", []string{"#cjng AND plaza"}, SearchHashtag, "#cjng"},
		{"hashtags only: joined", []string{`#"gente nueva" -simulacro`}, SearchHashtag, "#gentenueva | #gente_nueva"},
		{"hashtags only: or", []string{"#cjng OR (#cartel plaza)"}, SearchHashtag, "#cjng | #cartel"},
		{"words for reddit", []string{"from:x1 plaza"}, SearchWord | SearchPhrase | SearchHashtag | SearchMention, "plaza"},
		{"watch modifiers", []string{"~case", "CJNG"}, SearchAll, "CJNG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := SearchCover(tt.keywords, tt.kinds)
			if err != nil {
				t.Fatalf("got error %v; want %s", err, tt.want)
			}
			got := strings.Join(coverStrings(c), " | ")
			if c.Lang != "" {
				got += " lang:" + c.Lang
			}
			if got != tt.want {
				t.Errorf("got %s; want %s", got, tt.want)
			}
		})
	}
}

func TestSearchCoverRefusals(t *testing.T) {
	tests := []struct {
		name     string
		keywords []string
		kinds    SearchKind
		want     []string // substrings of the error
	}{
		{"prefix and leet", []string{"plaza", "sicari*~leet"}, SearchAll, []string{`keyword "sicari*~leet" cannot be searched for`, `"sicari*~leet" is a prefix* and uses ~leet`, "/regex/, prefix* and terms with ~leet"}},
		{"regex", []string{`/halc[o0]nes/`}, SearchAll, []string{`"/halc[o0]nes/" is a regular expression`}},
		{"stretch and spaced", []string{"cartel~stretch~spaced"}, SearchAll, []string{"uses ~stretch ~spaced"}},
		{"one alternative missing", []string{"cartel OR cart*"}, SearchAll, []string{`"cart*" is a prefix*`}},
		{"every bad entry named", []string{"cart*", "/x1/", "plaza"}, SearchAll, []string{`keywords "cart*", "/x1/" cannot be searched for`}},
		{"watch folds", []string{"~leet", "cartel", "plaza"}, SearchAll, []string{`"cartel" uses ~leet`, `"plaza" uses ~leet`}},
		{"word on a hashtag search", []string{"#cartel", "plaza"}, SearchHashtag, []string{`keyword "plaza"`, `"plaza" is a word, which this search cannot look for`, "literal #hashtag that every post"}},
		{"or on a hashtag search", []string{"#cjng OR plaza"}, SearchHashtag, []string{`"plaza" is a word`}},
		{"tag too on a hashtag search", []string{`"gente nueva"~tag`}, SearchHashtag, []string{`is a "phrase", which this search cannot look for`}},
		{"from on a word search", []string{"from:sspc_mx"}, SearchWord, []string{`"from:sspc_mx" is a from:account`, "literal word that"}},
		{"only modifiers", []string{"~leet"}, SearchAll, []string{"no keyword to search for"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := SearchCover(tt.keywords, tt.kinds)
			if err == nil {
				t.Fatalf("got cover %q; want an error", coverStrings(c))
			}
			var ce *CoverError
			if !errors.As(err, &ce) || !errors.Is(err, alerts.ErrInvalid) {
				t.Errorf("got %T %v; want a *CoverError that is ErrInvalid", err, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q; want it to contain %q", err, w)
				}
			}
		})
	}
	if _, err := SearchCover([]string{"plaza", "(a1"}, SearchAll); !errors.Is(err, alerts.ErrInvalid) || !strings.Contains(err.Error(), "column") {
		t.Errorf("got %v; want Compile's error with its column", err)
	}
}

func TestCoverHashtags(t *testing.T) {
	c := &Cover{Terms: []SearchTerm{{SearchHashtag, "cjng"}, {SearchHashtag, "gentenueva"}}}
	if tags, only := c.Hashtags(); !only || strings.Join(tags, ",") != "cjng,gentenueva" {
		t.Errorf("got %v, %v; want [cjng gentenueva], true", tags, only)
	}
	c.Terms = append(c.Terms, SearchTerm{SearchWord, "plaza"})
	if tags, only := c.Hashtags(); only || len(tags) != 2 {
		t.Errorf("got %v, %v; want the two tags and false", tags, only)
	}
}

// canonContains reports whether pattern pat occurs in canonical stream
// text the way the matcher finds it: a plain separator in pat stands for
// any separator, a '#' or '@' only for itself.
func canonContains(text, pat string) bool {
	for i := 0; i+len(pat) <= len(text); i++ {
		ok := true
		for j := 0; j < len(pat) && ok; j++ {
			p, b := pat[j], text[i+j]
			if isSep(p) {
				ok = isSep(b) && (p == sepPlain || p == b)
			} else {
				ok = p == b
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// coverHolds reports whether post p contains cover term t under the
// matcher's folding (or, for from:, was written by that account).
func coverHolds(p *alerts.Post, t SearchTerm) bool {
	if t.Kind == SearchFrom {
		return fromAccount(t.Text, p)
	}
	var c canonText
	canonicalize(&c, p.MatchText(), 0, false)
	return canonContains(string(c.buf), canonOf(t.marked()))
}

// checkCoverTerm fails when t is not the single literal its kind says.
func checkCoverTerm(t *testing.T, rules []string, st SearchTerm) {
	t.Helper()
	if st.Kind == SearchFrom {
		if st.Text == "" {
			t.Fatalf("rules %q: empty from: term", rules)
		}
		return
	}
	c := canonOf(st.marked())
	words := canonWords([]byte(c))
	switch {
	case len(words) == 0:
		t.Fatalf("rules %q: term %+v has no words", rules, st)
	case st.Kind == SearchPhrase && len(words) < 2,
		st.Kind != SearchPhrase && len(words) != 1,
		st.Kind == SearchWord && c[0] != sepPlain,
		st.Kind == SearchHashtag && c[0] != sepHashtag,
		st.Kind == SearchMention && c[0] != sepMention:
		t.Fatalf("rules %q: term %+v reads as %q, not one %s", rules, st, c, st.Kind.noun())
	}
}

// randSearchRule is a random rule of the differential tests, sometimes
// with from:, a regex or lang: beside it.
func randSearchRule(rng *rand.Rand) string {
	r := randRule(rng, rng.IntN(3))
	w := diffWords[rng.IntN(len(diffWords))]
	switch rng.IntN(10) {
	case 0:
		return "from:" + w + " " + r
	case 1:
		return "(from:" + w + " OR " + randTerm(rng) + ")"
	case 2:
		return "/" + w[:min(3, len(w))] + "/ " + r
	case 3:
		return "(" + r + " OR /" + w[:min(3, len(w))] + "/)"
	case 4:
		return r + " lang:en"
	}
	return r
}

// TestSearchCoverProperty checks the promise of a cover: whenever the
// rules match a post, the post contains one of the cover's terms.
func TestSearchCoverProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	rounds := 4000
	if testing.Short() {
		rounds = 400
	}
	m := New()
	covered, matched := 0, 0
	for round := range rounds {
		var rules []string
		for range 1 + rng.IntN(3) {
			if r := randSearchRule(rng); compileOK(r) {
				rules = append(rules, r)
			}
		}
		if len(rules) == 0 {
			continue
		}
		for _, kinds := range []SearchKind{SearchAll, SearchHashtag, SearchWord | SearchPhrase} {
			c, err := SearchCover(rules, kinds)
			if err != nil {
				var ce *CoverError
				if !errors.As(err, &ce) || len(ce.Entries) == 0 {
					t.Fatalf("rules %q: got %v; want a cover or a *CoverError naming entries", rules, err)
				}
				continue
			}
			covered++
			if len(c.Terms) == 0 {
				t.Fatalf("rules %q: empty cover", rules)
			}
			for _, st := range c.Terms {
				checkCoverTerm(t, rules, st)
				if kinds&st.Kind == 0 {
					t.Fatalf("rules %q: term %+v is not of kinds %b", rules, st, kinds)
				}
			}
			if _, only := c.Hashtags(); kinds == SearchHashtag && !only {
				t.Fatalf("rules %q: hashtag cover %+v holds other kinds", rules, c.Terms)
			}
			w := &alerts.Watch{Name: fmt.Sprint("w", round%5), Keywords: rules}
			for range 10 {
				p := &alerts.Post{Text: randText(rng), Lang: []string{"es", "en"}[rng.IntN(2)], Handle: diffWords[rng.IntN(len(diffWords))]}
				if _, ok := m.Match(w, p); !ok {
					continue
				}
				matched++
				if !anyHolds(p, c.Terms) {
					t.Fatalf("rules %q match %q (by %s) but it holds none of the cover %q", rules, p.Text, p.Handle, coverStrings(c))
				}
				if c.Lang != "" && !strings.HasPrefix(p.Lang, c.Lang) {
					t.Fatalf("rules %q match a post in %s; cover says every one is in %s", rules, p.Lang, c.Lang)
				}
			}
		}
	}
	t.Logf("%d covers checked on %d matching posts", covered, matched)
	if covered < rounds/2 || matched < rounds/4 {
		t.Errorf("only %d covers and %d matches checked; the generator has drifted", covered, matched)
	}
}

func compileOK(rule string) bool {
	_, err := Compile([]string{rule})
	return err == nil
}

func anyHolds(p *alerts.Post, terms []SearchTerm) bool {
	for _, st := range terms {
		if coverHolds(p, st) {
			return true
		}
	}
	return false
}

func FuzzSearchCover(f *testing.F) {
	for _, s := range []string{
		"cartel", `"gente nueva" -york`, "(halcones OR punteros) NEAR/3 plaza", `#"gente nueva"~tag`, "sicari*~leet plaza",
		"from:x1 -y1", "lang:es cartel", "/c[a4]rt/ plaza", "NOT NOT cartel", `"¡ya llegaron!"`, "＃ｃｊｎｇ", "🔫",
		"ca\u200brtel", "#año_2026", "@sspc_mx OR #cjng", `"#cjng plaza"`, "Ｇente~case",
	} {
		f.Add(s, "el cartel de la #GenteNueva ya llegaron @SSPC_mx 🔫 #CJNG plaza", "x1")
	}
	f.Fuzz(func(t *testing.T, rule, text, handle string) {
		for _, kinds := range []SearchKind{SearchAll, SearchHashtag} {
			c, err := SearchCover([]string{rule}, kinds)
			if err != nil {
				return
			}
			for _, st := range c.Terms {
				checkCoverTerm(t, []string{rule}, st)
			}
			p := &alerts.Post{Text: text, Lang: "es", Handle: handle}
			if _, ok := New().Match(&alerts.Watch{Name: "f", Keywords: []string{rule}}, p); ok && !anyHolds(p, c.Terms) {
				t.Fatalf("rule %q matches %q but it holds none of the cover %q", rule, text, coverStrings(c))
			}
		}
	})
}

// BenchmarkSearchCover derives the cover of a 300-rule watch, as the X
// and Reddit watchers do on every poll; BenchmarkCompile300 is the
// matcher's own compile of the same list, the baseline.
func BenchmarkSearchCover(b *testing.B) {
	rules := benchRules(300)
	for b.Loop() {
		if _, err := SearchCover(rules, SearchAll); err != nil {
			var ce *CoverError
			if !errors.As(err, &ce) {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkCompile300(b *testing.B) {
	rules := benchRules(300)
	for b.Loop() {
		_, _ = Compile(rules)
	}
}
