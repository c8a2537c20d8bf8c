package match

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/lookoutbot/lookout/alerts"
)

// hitTexts renders hits as "term=original bytes", which is what a card
// would bold.
func hitTexts(text string, hits []alerts.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Term + "=" + text[h.Start:h.End]
	}
	return out
}

func TestMatchKeywords(t *testing.T) {
	tests := []struct {
		name     string
		keywords []string
		text     string
		want     []string // nil: no match
	}{
		// Accents, both ways.
		{"accent in text", []string{"cartel"}, "El Cártel de Sinaloa", []string{"cartel=Cártel"}},
		{"accent in keyword", []string{"cártel"}, "el cartel de sinaloa", []string{"cártel=cartel"}},
		{"combining accent in text", []string{"cartel"}, "el Ca\u0301rtel", []string{"cartel=Ca\u0301rtel"}},
		{"combining accent at end", []string{"cafe"}, "un cafe\u0301 y ya", []string{"cafe=cafe\u0301"}},
		{"eñe", []string{"niño"}, "NINO perdido", []string{"niño=NINO"}},
		{"eñe in text", []string{"nino"}, "Niño perdido", []string{"nino=Niño"}},

		// Case.
		{"upper text", []string{"cartel"}, "CARTEL", []string{"cartel=CARTEL"}},
		{"upper keyword", []string{"CARTEL"}, "cartel", []string{"CARTEL=cartel"}},
		{"greek final sigma", []string{"οδος"}, "ΟΔΟΣ κλειστός", []string{"οδος=ΟΔΟΣ"}},

		// Look-alike letters.
		{"fullwidth", []string{"cartel"}, "el ｃａｒｔｅｌ", []string{"cartel=ｃａｒｔｅｌ"}},
		{"fullwidth keyword", []string{"ＣＡＲＴＥＬ"}, "cartel", []string{"ＣＡＲＴＥＬ=cartel"}},
		{"math bold", []string{"cartel"}, "el 𝐜𝐚𝐫𝐭𝐞𝐥.", []string{"cartel=𝐜𝐚𝐫𝐭𝐞𝐥"}},
		{"math bold upper", []string{"cartel"}, "𝐂𝐀𝐑𝐓𝐄𝐋", []string{"cartel=𝐂𝐀𝐑𝐓𝐄𝐋"}},

		// Invisible characters.
		{"zero width space inside", []string{"cartel"}, "el car\u200btel", []string{"cartel=car\u200btel"}},
		{"soft hyphen inside", []string{"cartel"}, "car\u00adtel", []string{"cartel=car\u00adtel"}},
		{"zero width joiner and bom", []string{"cartel"}, "c\u200da\ufeffrtel", []string{"cartel=c\u200da\ufeffrtel"}},

		// Whole words.
		{"plural is another word", []string{"plaza"}, "las plazas", nil},
		{"prefix glued", []string{"plaza"}, "laplaza", nil},
		{"underscore is a word character", []string{"plaza"}, "plaza_norte", nil},
		{"digit is a word character", []string{"plaza"}, "plaza2", nil},
		{"trailing period", []string{"plaza"}, "en la plaza.", []string{"plaza=plaza"}},
		{"parentheses", []string{"plaza"}, "(plaza)", []string{"plaza=plaza"}},
		{"at start and end", []string{"plaza"}, "plaza", []string{"plaza=plaza"}},
		{"accented neighbour letter", []string{"plaza"}, "plazaño", nil},
		{"accented last letter", []string{"plaza"}, "plazá", []string{"plaza=plazá"}},
		{"mention", []string{"plaza"}, "@plaza hola", []string{"plaza=plaza"}},

		// Phrases.
		{"phrase with spaces", []string{`"gente nueva"`}, "la gente   nueva llegó", []string{`"gente nueva"=gente   nueva`}},
		{"phrase across newline", []string{`"gente nueva"`}, "gente\nnueva", []string{`"gente nueva"=gente` + "\n" + `nueva`}},
		{"phrase across hyphen", []string{`"gente nueva"`}, "gente-nueva", []string{`"gente nueva"=gente-nueva`}},
		{"phrase across comma", []string{`"gente nueva"`}, "GENTE, NUEVA", []string{`"gente nueva"=GENTE, NUEVA`}},
		{"unquoted phrase", []string{"gente nueva"}, "Gente Nueva", []string{"gente nueva=Gente Nueva"}},
		{"phrase needs adjacent words", []string{`"gente nueva"`}, "gente muy nueva", nil},
		{"phrase needs whole words", []string{`"gente nueva"`}, "gentes nueva", nil},
		{"phrase at end cut short", []string{`"gente nueva"`}, "la gente", nil},
		{"phrase with accents", []string{`"cártel del golfo"`}, "CARTEL DEL GOLFO", []string{`"cártel del golfo"=CARTEL DEL GOLFO`}},
		{"phrase repeated without overlap", []string{`"ja ja"`}, "ja ja ja ja", []string{`"ja ja"=ja ja`, `"ja ja"=ja ja`}},

		// Hashtags.
		{"hashtag keyword on hashtag", []string{"#cjng"}, "ataque #CJNG hoy", []string{"#cjng=#CJNG"}},
		{"hashtag keyword on word", []string{"#cjng"}, "ataque CJNG hoy", nil},
		{"hashtag keyword glued to word", []string{"#cjng"}, "x#cjng", nil},
		{"hashtag keyword on fullwidth hash", []string{"#cjng"}, "＃cjng", []string{"#cjng=＃cjng"}},
		{"word keyword on hashtag", []string{"cjng"}, "ataque #CJNG hoy", []string{"cjng=CJNG"}},
		{"word keyword on word", []string{"cjng"}, "ataque CJNG hoy", []string{"cjng=CJNG"}},
		{"hashtag keyword needs whole tag", []string{"#cjng"}, "#cjngmx", nil},

		// Several keywords and hits.
		{
			"every occurrence with original offsets",
			[]string{"cártel", "plaza"},
			"Cártel toma la plaza; el CARTEL y la Plaza. ¡cártel!",
			[]string{"cártel=Cártel", "plaza=plaza", "cártel=CARTEL", "plaza=Plaza", "cártel=cártel"},
		},
		{
			"overlapping keywords both hit",
			[]string{`"gente nueva"`, "nueva"},
			"la gente nueva",
			[]string{`"gente nueva"=gente nueva`, "nueva=nueva"},
		},
		{
			"spanish post",
			[]string{"balacera", "jalisco", "halcones", "#cjng", "\"ya llegó\""},
			"¡Balacera en Jalisco! Los halcones avisan: ya llegó la Gente Nueva. #CJNG #JALISCO",
			[]string{"balacera=Balacera", "jalisco=Jalisco", "halcones=halcones", "\"ya llegó\"=ya llegó", "#cjng=#CJNG", "jalisco=JALISCO"},
		},
		{
			"english post",
			[]string{"shooting", "downtown", "police"},
			"Reports of a SHOOTING downtown; Police say stay away. Shootings rare.",
			[]string{"shooting=SHOOTING", "downtown=downtown", "police=Police"},
		},
		{"no keyword hits", []string{"cartel", "plaza"}, "nada que ver", nil},

		// Invalid UTF-8 separates words and never panics.
		{"invalid byte separates", []string{"cartel", "plaza"}, "cartel\xffplaza", []string{"cartel=cartel", "plaza=plaza"}},
		{"invalid byte splits a word", []string{"cartel"}, "car\xfftel", nil},
		{"truncated rune at end", []string{"cartel"}, "cartel\xe2\x80", []string{"cartel=cartel"}},
	}
	m := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &alerts.Watch{Name: "w", Keywords: tt.keywords}
			p := &alerts.Post{Text: tt.text}
			got, ok := m.Match(w, p)
			if ok != (tt.want != nil) {
				t.Fatalf("Match(%q, %q) ok = %v; want %v (hits %v)", tt.keywords, tt.text, ok, tt.want != nil, got.Hits)
			}
			if texts := hitTexts(tt.text, got.Hits); !slices.Equal(texts, tt.want) && tt.want != nil {
				t.Errorf("Match(%q, %q) hits = %q; want %q", tt.keywords, tt.text, texts, tt.want)
			}
		})
	}
}

func TestMatchOffsetsIntoTitleAndText(t *testing.T) {
	p := &alerts.Post{Title: "Aviso: Cártel", Text: "la PLAZA está tomada"}
	w := &alerts.Watch{Name: "w", Keywords: []string{"cartel", "plaza"}}
	got, ok := New().Match(w, p)
	want := []alerts.Hit{{Term: "cartel", Start: 7, End: 14}, {Term: "plaza", Start: 18, End: 23}}
	if !ok || !slices.Equal(got.Hits, want) {
		t.Fatalf("got %v, %v; want %v, true", got.Hits, ok, want)
	}
	if s := p.MatchText()[7:14]; s != "Cártel" {
		t.Errorf("got bolded %q; want %q", s, "Cártel")
	}
}

func TestMatchAccounts(t *testing.T) {
	tests := []struct {
		name     string
		accounts []string
		keywords []string
		post     alerts.Post
		want     bool
	}{
		{"no accounts", nil, nil, alerts.Post{Handle: "anyone"}, true},
		{"fetched for the account", []string{"sspc_mx"}, nil, alerts.Post{Account: "sspc_mx", Handle: "someone_else"}, true},
		{"search post by handle", []string{"sspc_mx"}, nil, alerts.Post{Handle: "SSPC_MX"}, true},
		{"search post by handle with @", []string{"@sspc_mx"}, nil, alerts.Post{Handle: "sspc_mx"}, true},
		{"post handle with @", []string{"sspc_mx"}, nil, alerts.Post{Handle: "@SSPC_mx"}, true},
		{"search post by author id", []string{"did:plc:ABC"}, nil, alerts.Post{AuthorID: "did:plc:abc", Handle: "x"}, true},
		{"search post by someone else", []string{"sspc_mx"}, nil, alerts.Post{AuthorID: "1", Handle: "troll"}, false},
		{"search post without author", []string{"sspc_mx"}, nil, alerts.Post{}, false},
		{"blank account never matches empty author", []string{"", "@"}, nil, alerts.Post{}, false},
		{"account passes but keyword misses", []string{"sspc_mx"}, []string{"cartel"}, alerts.Post{Handle: "sspc_mx", Text: "hola"}, false},
		{"account and keyword", []string{"sspc_mx"}, []string{"cartel"}, alerts.Post{Handle: "sspc_mx", Text: "el cártel"}, true},
		{"keyword hits but wrong author", []string{"sspc_mx"}, []string{"cartel"}, alerts.Post{Handle: "troll", Text: "el cártel"}, false},
	}
	m := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &alerts.Watch{Name: "w", Accounts: tt.accounts, Keywords: tt.keywords}
			if _, got := m.Match(w, &tt.post); got != tt.want {
				t.Errorf("got %v; want %v", got, tt.want)
			}
		})
	}
}

func TestMatchEmptyKeywords(t *testing.T) {
	for _, kws := range [][]string{nil, {}} {
		got, ok := New().Match(&alerts.Watch{Name: "w", Keywords: kws}, &alerts.Post{Text: "cualquier cosa"})
		if !ok || got.Hits != nil {
			t.Errorf("keywords %#v: got %v, %v; want no hits, true", kws, got.Hits, ok)
		}
	}
}

func TestMatchOnlyBadKeywordsNeverMatches(t *testing.T) {
	w := &alerts.Watch{Name: "w", Keywords: []string{"*", "a"}}
	if got, ok := New().Match(w, &alerts.Post{Text: "a b c"}); ok {
		t.Errorf("got %v, true; want no match from invalid keywords", got.Hits)
	}
}

func TestMatchRecompilesChangedKeywords(t *testing.T) {
	m := New()
	w := &alerts.Watch{Name: "w", Keywords: []string{"cartel"}}
	p := &alerts.Post{Text: "la plaza"}
	if _, ok := m.Match(w, p); ok {
		t.Fatal("got match for cartel; want none")
	}
	w.Keywords[0] = "plaza" // edited in place: the cache must notice
	if _, ok := m.Match(w, p); !ok {
		t.Error("got no match after keywords changed to plaza; want a match")
	}
}

func TestMatchConcurrent(t *testing.T) {
	m := New()
	lists := [][]string{{"cartel"}, {"plaza", "#cjng"}, {`"gente nueva"`}}
	texts := []string{"el Cártel", "la PLAZA #cjng", "Gente-Nueva"}
	var wg sync.WaitGroup
	for g := range 64 {
		wg.Go(func() {
			for i := range 200 {
				k := (g + i) % len(lists)
				// Watches "a" and "b" see their lists change under them;
				// each goroutine must still get the answer for its list.
				w := &alerts.Watch{Name: fmt.Sprint("ab"[i%2 : i%2+1]), Keywords: lists[k]}
				for j, text := range texts {
					_, ok := m.Match(w, &alerts.Post{Text: text})
					if want := j == k; ok != want {
						t.Errorf("keywords %q on %q: got %v; want %v", lists[k], text, ok, want)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

func FuzzMatch(f *testing.F) {
	f.Add("cártel", "El CÁRTEL de la plaza")
	f.Add(`"gente nueva"`, "GENTE,\nNUEVA")
	f.Add("#cjng", "#CJNG cjng")
	f.Add("ｃａｒｔｅｌ", "car\u200btel 𝐜𝐚𝐫𝐭𝐞𝐥")
	f.Add("x1", "x½ 1⁄2x ﬁn")
	f.Add("ab", "ab\xff\xc3ab\xe2\x80")
	f.Fuzz(func(t *testing.T, keyword, text string) {
		folded, offs := Fold(text)
		if len(offs) != len(folded)+1 || offs[len(folded)] != len(text) {
			t.Fatalf("Fold(%q): %d offsets for %d bytes, last %d; want len+1 ending in %d", text, len(offs), len(folded), offs[len(offs)-1], len(text))
		}
		boundary := make([]bool, len(text)+1)
		for i := 0; i < len(text); {
			boundary[i] = true
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
		}
		boundary[len(text)] = true

		w := &alerts.Watch{Name: "fuzz", Keywords: []string{keyword, "ab"}}
		got, _ := New().Match(w, &alerts.Post{Text: text})
		for _, h := range got.Hits {
			if h.Start < 0 || h.End > len(text) || h.Start >= h.End {
				t.Fatalf("hit %+v out of bounds for %d bytes", h, len(text))
			}
			if !boundary[h.Start] || !boundary[h.End] {
				t.Fatalf("hit %+v splits a rune of %q", h, text)
			}
			if h.Term != keyword && h.Term != "ab" {
				t.Fatalf("hit term %q; want %q or %q", h.Term, keyword, "ab")
			}
			if h.Term == "ab" && !strings.Contains(mustFold(text[h.Start:h.End]), "ab") {
				t.Fatalf("hit %+v on %q does not fold to ab", h, text[h.Start:h.End])
			}
		}
	})
}

func mustFold(s string) string {
	f, _ := Fold(s)
	return f
}
