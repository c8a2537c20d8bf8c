package x

import (
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lookoutbot/lookout/alerts"
)

func TestDecodeFixture(t *testing.T) {
	body, err := os.ReadFile("testdata/search_page.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := decodePage(body)
	if err != nil {
		t.Fatal(err)
	}
	if d.meta.NewestID != "1860000000000000002" || d.meta.NextToken != "b26v89c19zqg8o3fo7gesq314yb9l2l4ptqy" || len(d.tweets) != 2 {
		t.Fatalf("decoded meta %+v with %d posts; want newest 1860000000000000002, a next_token and 2 posts", d.meta, len(d.tweets))
	}
	p := normalise(&d.tweets[0], d, "", "")
	want := alerts.Post{Platform: "x", ID: "1860000000000000002", FirstID: "1860000000000000001", AuthorID: "2244994945",
		Handle: "XDevelopers", Text: "Edited: see https://example.org/a & more", Lang: "en",
		URL: "https://x.com/XDevelopers/status/1860000000000000002", Kind: alerts.KindQuote,
		CreatedAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	if p.ID != want.ID || p.FirstID != want.FirstID || p.AuthorID != want.AuthorID || p.Handle != want.Handle ||
		p.Text != want.Text || p.Lang != want.Lang || p.URL != want.URL || p.Kind != want.Kind || !p.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("post = %+v; want %+v", p, want)
	}
	if strings.Join(p.RefIDs, ",") != "1850000000000000000,783214" {
		t.Errorf("RefIDs = %v; want the quoted post and its author", p.RefIDs)
	}
}

func TestQueriesFitTheLimit(t *testing.T) {
	var ids []string
	for i := range 500 {
		ids = append(ids, strings.Repeat("9", 1+i%19))
	}
	for _, suffix := range []string{"", keywordClause([]string{"plaza", "convoy", `"ruta 5"`})} {
		total := 0
		for _, b := range batchAccounts(ids, suffix) {
			q := accountQuery(b, suffix)
			if len(q) > maxQueryLen {
				t.Errorf("query of %d chars > %d: %q", len(q), maxQueryLen, q)
			}
			total += len(b)
		}
		if total != len(ids) {
			t.Errorf("batches hold %d ids; want %d", total, len(ids))
		}
	}
	var kws []string
	for i := range 300 {
		kws = append(kws, "word"+strings.Repeat("x", i%30))
	}
	qs, err := keywordQueries(kws)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if len(q) > maxQueryLen {
			t.Errorf("keyword query of %d chars", len(q))
		}
	}
	if _, err := keywordQueries([]string{strings.Repeat("a", 600)}); err == nil {
		t.Error("a 600-character keyword was accepted")
	}
	// Rules whose cover holds a term that cannot be searched are refused,
	// and never narrow an account batch.
	for _, rule := range []string{"cart*", "/halc[o0]nes/", "lang:es plaza~leet", "(a OR b)", "plaza OR norte~stretch"} {
		if _, err := keywordQueries([]string{"ok", rule}); err == nil {
			t.Errorf("rule %q became a search query", rule)
		}
		if c := keywordClause([]string{rule}); c != "" {
			t.Errorf("rule %q became the keyword clause %q", rule, c)
		}
	}
}

func TestSearchTerm(t *testing.T) {
	for kw, want := range map[string]string{
		"plaza":              "plaza",
		"#Halcones":          "#Halcones",
		`"cartel del norte"`: `"cartel del norte"`,
		"ruta 5":             `"ruta 5"`,
		"coca-cola":          `"coca-cola"`,
		`say "hi" now`:       `say`,
		"café":               "café",
		`"OR"`:               `"OR"`,
		"@sspc_mx":           "@sspc_mx",
		"from:sspc_mx":       "from:sspc_mx",
		"🔫":                  `"🔫"`,
	} {
		if got, err := keywordQueries([]string{kw}); err != nil || len(got) != 1 || got[0] != want {
			t.Errorf("keywordQueries(%q) = %q, %v; want %s", kw, got, err, want)
		}
	}
}

func TestIDTime(t *testing.T) {
	at := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	got, ok := idTime(idAt(at))
	if !ok || !got.Equal(at) {
		t.Errorf("idTime(idAt(%v)) = %v, %v", at, got, ok)
	}
	// A documented id: 1212092628029698048 was posted 2019-12-31T19:26:16.000Z.
	got, _ = idTime("1212092628029698048")
	if want := time.Date(2019, 12, 31, 19, 26, 16, 0, time.UTC); got.Truncate(time.Second) != want {
		t.Errorf("idTime = %v; want %v", got, want)
	}
}

func FuzzDecodePage(f *testing.F) {
	if b, err := os.ReadFile("testdata/search_page.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"meta":{"result_count":0}}`))
	f.Add([]byte(`{"data":[{"id":"1","text":"a","edit_history_tweet_ids":["1"]}],"meta":{"newest_id":"1"}}`))
	f.Add([]byte(`{"data":[{"id":"01"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := decodePage(body)
		if err != nil {
			return
		}
		for i := range d.tweets {
			tw := &d.tweets[i]
			if !validID(tw.ID) {
				t.Fatalf("accepted post id %q", tw.ID)
			}
			p := normalise(tw, d, "", "")
			if p.ID != tw.ID || p.Platform != Platform || (p.FirstID != "" && !validID(p.FirstID)) {
				t.Fatalf("bad post %+v", p)
			}
			if utf8.ValidString(tw.Text) && !utf8.ValidString(p.Text) {
				t.Fatalf("valid text became invalid: %q", p.Text)
			}
		}
		if len(d.tweets) > 0 && !validID(d.meta.NewestID) {
			t.Fatalf("posts without a valid newest_id")
		}
	})
}

func FuzzCursor(f *testing.F) {
	f.Add(`{"v":1,"names":{"a":"1"},"users":{"1":{"handle":"a","since":"5"}},"queries":{"q":{"since":"9","until":"3","newest":"12"}}}`)
	f.Add(`{"v":2}`)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s)
		if err != nil {
			return
		}
		again, err := decodeCursor(c.encode())
		if err != nil {
			t.Fatalf("re-decoding an encoded cursor: %v", err)
		}
		if again.encode() != c.encode() {
			t.Fatalf("cursor does not round-trip")
		}
	})
}
