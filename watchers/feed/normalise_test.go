package feed

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lookoutbot/lookout/alerts"
)

func parseFixture(t *testing.T, feedURL, fixture string) []alerts.Post {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", fixture))
	if err != nil {
		t.Fatal(err)
	}
	posts, err := parseItems(feedURL, body, DefaultMaxItems)
	if err != nil {
		t.Fatalf("parseItems(%s): %v", fixture, err)
	}
	return posts
}

func TestNormaliseYouTube(t *testing.T) {
	const u = "https://www.youtube.com/feeds/videos.xml?channel_id=UCxyz123"
	posts := parseFixture(t, u, "youtube.xml")
	want := []alerts.Post{
		{
			Platform: "youtube", ID: "dQw4w9WgXcQ", AuthorID: "UCxyz123", Handle: "Harbour TV", Account: u,
			Title:     "Port tour & safety briefing",
			Text:      "A walk around the container terminal.\nSafety first & always.",
			CreatedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
			URL:       "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
			Media:     []alerts.Media{{Type: "image", URL: "https://i1.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"}},
			Kind:      alerts.KindPost,
		},
		{
			Platform: "youtube", ID: "SHORT000001", AuthorID: "UCxyz123", Handle: "Harbour TV", Account: u,
			Title:     "Crane lift in 30 seconds",
			Text:      "#shorts crane",
			CreatedAt: time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC),
			URL:       "https://www.youtube.com/shorts/SHORT000001",
			Media:     []alerts.Media{{Type: "image", URL: "https://i2.ytimg.com/vi/SHORT000001/hqdefault.jpg"}},
			Kind:      alerts.KindPost,
		},
	}
	comparePosts(t, posts, want)
}

func TestNormaliseAtom(t *testing.T) {
	const u = "https://blog.example.com/atom.xml"
	posts := parseFixture(t, u, "atom.xml")
	want := []alerts.Post{
		{
			Platform: "feed", ID: u + "#tag:blog.example.com,2026:q1", AuthorID: u, Handle: "Ada Harbour", Account: u,
			Title: "Quarterly report", Text: "Numbers for Q1.",
			// No <published>: the update time stands in.
			CreatedAt: time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC),
			URL:       "https://blog.example.com/2026/q1", Kind: alerts.KindPost, Lang: "en",
		},
		{
			Platform: "feed", ID: u + "#tag:blog.example.com,2026:phishing", AuthorID: u, Handle: "Ada Harbour", Account: u,
			Title: "Phishing wave targets port agents", Text: "A new phishing wave.\nCheck senders\nReport",
			CreatedAt: time.Date(2026, 3, 5, 11, 0, 0, 0, time.UTC),
			URL:       "https://blog.example.com/2026/phishing", Kind: alerts.KindPost, Lang: "en",
		},
	}
	comparePosts(t, posts, want)
}

func TestNormaliseJSONFeed(t *testing.T) {
	const u = "https://cams.example.com/feed.json"
	posts := parseFixture(t, u, "jsonfeed.json")
	want := []alerts.Post{
		{
			Platform: "feed", ID: u + "#0", AuthorID: u, Handle: "Camille", Account: u,
			Text:      "Plain text post.",
			CreatedAt: time.Date(2026, 3, 1, 15, 0, 0, 0, time.UTC),
			URL:       "https://cams.example.com/posts/0", Kind: alerts.KindPost, Lang: "fr",
		},
		{
			Platform: "feed", ID: u + "#1", AuthorID: u, Handle: "Camille", Account: u,
			Title: "Nouvelle caméra", Text: "Une nouvelle caméra au quai 7.",
			CreatedAt: time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC),
			URL:       "https://cams.example.com/posts/1", Kind: alerts.KindPost, Lang: "fr",
			Media: []alerts.Media{
				{Type: "video", URL: "https://cams.example.com/v/1.mp4"},
				{Type: "image", URL: "https://cams.example.com/img/1.jpg"},
			},
		},
	}
	comparePosts(t, posts, want)
}

// comparePosts compares every field but Raw, which it only checks is set.
func comparePosts(t *testing.T, got, want []alerts.Post) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d posts %v; want %d", len(got), ids(got), len(want))
	}
	for i := range want {
		g := got[i]
		if len(g.Raw) == 0 {
			t.Errorf("post %d has no Raw", i)
		}
		g.Raw = nil
		w := want[i]
		if !g.CreatedAt.Equal(w.CreatedAt) || g.CreatedAt.Location() != time.UTC {
			t.Errorf("post %d CreatedAt = %v; want %v UTC", i, g.CreatedAt, w.CreatedAt)
		}
		g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
		if !postEqual(g, w) {
			t.Errorf("post %d:\ngot  %+v\nwant %+v", i, g, w)
		}
	}
}

func postEqual(a, b alerts.Post) bool {
	return a.Platform == b.Platform && a.ID == b.ID && a.FirstID == b.FirstID && a.AuthorID == b.AuthorID &&
		a.Handle == b.Handle && a.Account == b.Account && a.Title == b.Title && a.Text == b.Text &&
		a.Lang == b.Lang && a.URL == b.URL && slices.Equal(a.Media, b.Media) && a.Kind == b.Kind &&
		slices.Equal(a.RefIDs, b.RefIDs)
}

func TestOrderWithoutDates(t *testing.T) {
	// One undated item: document order reversed, since feeds list newest first.
	body := `<rss version="2.0"><channel><title>T</title>
<item><guid>c</guid><pubDate>Fri, 06 Mar 2026 07:15:00 +0000</pubDate></item>
<item><guid>b</guid></item>
<item><guid>a</guid><pubDate>Sat, 07 Mar 2026 07:15:00 +0000</pubDate></item>
</channel></rss>`
	posts, err := parseItems("f", []byte(body), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(posts), []string{"f#a", "f#b", "f#c"}; !slices.Equal(got, want) {
		t.Errorf("IDs = %v; want %v", got, want)
	}
}

func TestNormaliseLimits(t *testing.T) {
	long := strings.Repeat("ñ", maxTextBytes) // 2 bytes a rune
	body := `<rss version="2.0"><channel><title>T</title><item><guid>x</guid><description>` + long + `</description></item></channel></rss>`
	posts, err := parseItems("f", []byte(body), 0)
	if err != nil {
		t.Fatal(err)
	}
	text := posts[0].Text
	if len(text) > maxTextBytes || !utf8.ValidString(text) || !strings.HasSuffix(text, "…") {
		t.Errorf("text of %d bytes (valid UTF-8 %v, ends %q); want ≤ %d, valid, ending in …",
			len(text), utf8.ValidString(text), text[len(text)-6:], maxTextBytes)
	}
}

func TestFeedLang(t *testing.T) {
	tests := []struct{ in, want string }{
		{"es-ES", "es"}, {"EN", "en"}, {" fr_CA ", "fr"}, {"en-us", "en"},
		{"", ""}, {"e", ""}, {"deu", ""}, {"1x", ""},
	}
	for _, tt := range tests {
		if got := feedLang(tt.in); got != tt.want {
			t.Errorf("feedLang(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestDisplayURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://user:pw@example.org/rss?key=secret#frag", "https://example.org/rss"},
		{"file://examples/x.xml", "file://examples/x.xml"},
		{"https://example.org/feed?", "https://example.org/feed"},
	}
	for _, tt := range tests {
		if got := displayURL(tt.in); got != tt.want {
			t.Errorf("displayURL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseItems(f *testing.F) {
	for _, name := range []string{"rss.xml", "rss_noguid.xml", "atom.xml", "jsonfeed.json", "youtube.xml", "malformed.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[null,{}]}`))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="::"/></entry></feed>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		posts, err := parseItems("https://example.org/feed.xml", body, 3)
		if err != nil {
			return
		}
		if len(posts) > 3 {
			t.Errorf("got %d posts; want at most 3", len(posts))
		}
		for _, p := range posts {
			if p.ID == "" || len(p.Text) > maxTextBytes {
				t.Errorf("post with ID %q and %d bytes of text", p.ID, len(p.Text))
			}
		}
	})
}

func TestParseItemsErrors(t *testing.T) {
	tests := []struct{ name, body string }{
		{"empty", ""},
		{"not a feed", "<html><body>hello</body></html>"},
		{"malformed xml", "<rss version=\"2.0\"><channel><item></channel>"},
		// gofeed v1.4.2 dereferences a null first item; parse recovers.
		{"json feed with null item", `{"version":"https://jsonfeed.org/version/1.1","items":[null]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			posts, err := parseItems("https://example.org/f.xml?k=v", []byte(tt.body), 0)
			if err == nil {
				t.Fatalf("parseItems = %d posts, nil; want an error", len(posts))
			}
			if !strings.HasPrefix(err.Error(), "feed https://example.org/f.xml: parse: ") {
				t.Errorf("err = %q; want it to start with the feed and parse", err)
			}
		})
	}
}
