package telegram

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParsePage(t *testing.T) {
	pg, err := parsePage(readFixture(t, "channel.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !pg.readable {
		t.Fatal("readable = false; want true")
	}
	if pg.skipped != 1 {
		t.Errorf("skipped = %d; want 1 (the message without a post id)", pg.skipped)
	}
	var ids []int64
	for _, m := range pg.messages {
		ids = append(ids, m.id)
	}
	if want := []int64{100, 101, 102, 103, 104}; !slices.Equal(ids, want) {
		t.Fatalf("ids = %v; want %v", ids, want)
	}
	byID := map[int64]message{}
	for _, m := range pg.messages {
		byID[m.id] = m
	}

	m := byID[100]
	if want := "First line bold\nSecond line with a link 🔥\n\n#plaza"; m.text != want {
		t.Errorf("text of 100 = %q; want %q", m.text, want)
	}
	if want := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC); !m.time.Equal(want) {
		t.Errorf("time of 100 = %v; want %v", m.time, want)
	}
	if len(m.media) != 1 || m.media[0] != (alerts.Media{Type: "link", URL: "https://example.org/report?id=1"}) {
		t.Errorf("media of 100 = %+v; want the link", m.media)
	}
	if m.edited || m.author != "" || m.forwardedFrom != "" || m.replyTo != "" {
		t.Errorf("100 = %+v; want a plain post", m)
	}

	m = byID[101]
	if m.forwardedFrom != "Other Chan" || m.forwardedRef != "otherchan/55" {
		t.Errorf("forward of 101 = %q %q; want Other Chan otherchan/55", m.forwardedFrom, m.forwardedRef)
	}
	if m.author != "Juan P." {
		t.Errorf("author of 101 = %q; want Juan P.", m.author)
	}
	if len(m.media) != 1 || m.media[0].Type != "image" || m.media[0].URL != "https://cdn4.telesco.pe/file/photo101.jpg" {
		t.Errorf("media of 101 = %+v; want the photo", m.media)
	}

	m = byID[102]
	if m.replyTo != "examplechan/100" {
		t.Errorf("reply of 102 = %q; want examplechan/100", m.replyTo)
	}
	if m.text != "A reply with video" {
		t.Errorf("text of 102 = %q; want its own text, not the quoted one", m.text)
	}
	if !m.edited {
		t.Error("102 not seen as edited")
	}
	if len(m.media) != 1 || m.media[0].Type != "video" || m.media[0].URL != "https://cdn4.telesco.pe/file/video102.mp4" {
		t.Errorf("media of 102 = %+v; want the video", m.media)
	}

	m = byID[103]
	if len(m.media) != 1 || m.media[0] != (alerts.Media{Type: "document", URL: "https://t.me/examplechan/103", Alt: "manifesto.pdf"}) {
		t.Errorf("media of 103 = %+v; want only the document (javascript: dropped)", m.media)
	}
	if !byID[104].service {
		t.Error("104 not seen as a service message")
	}
	if !strings.Contains(string(byID[100].raw), `data-post="examplechan/100"`) {
		t.Error("raw evidence does not hold the message HTML")
	}
}

func TestParseRestricted(t *testing.T) {
	pg, err := parsePage(readFixture(t, "restricted.html"))
	if err != nil {
		t.Fatal(err)
	}
	if pg.readable || len(pg.messages) != 0 {
		t.Fatalf("restricted page: readable %v with %d messages; want unreadable and none", pg.readable, len(pg.messages))
	}
	if want := "This channel can't be displayed because it violated Telegram's Terms of Service."; pg.reason != want {
		t.Errorf("reason = %q; want %q", pg.reason, want)
	}
}

func TestHTMLTextKeepsLineBreaks(t *testing.T) {
	tests := []struct{ name, html, want string }{
		{"br", `<div class="tgme_widget_message_text">a<br>b<br/><br/>c</div>`, "a\nb\n\nc"},
		{"spaces", `<div class="tgme_widget_message_text">  a   b&nbsp;c  </div>`, "a b c"},
		{"blocks", `<div class="tgme_widget_message_text"><p>one</p><p>two</p></div>`, "one\ntwo"},
		{"script dropped", `<div class="tgme_widget_message_text">x<script>alert(1)</script></div>`, "x"},
		{"entities", `<div class="tgme_widget_message_text">&lt;b&gt; &amp;</div>`, "<b> &"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := `<section class="tgme_channel_history"><div class="tgme_widget_message" data-post="abcd/1">` + tt.html +
				`<a class="tgme_widget_message_date"><time datetime="2026-01-01T00:00:00Z"></time></a></div></section>`
			pg, err := parsePage([]byte(page))
			if err != nil || len(pg.messages) != 1 {
				t.Fatalf("parsePage = %+v, %v; want one message", pg, err)
			}
			if got := pg.messages[0].text; got != tt.want {
				t.Errorf("text = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestParseAccount(t *testing.T) {
	tests := []struct {
		raw, channel, query string
		ok                  bool
	}{
		{"durov", "durov", "", true},
		{"@durov", "durov", "", true},
		{"t.me/durov", "durov", "", true},
		{"https://t.me/s/durov", "durov", "", true},
		{"https://t.me/durov/", "durov", "", true},
		{"durov?q=gente+nueva", "durov", "gente nueva", true},
		{"https://t.me/s/durov?q=%23plaza", "durov", "#plaza", true},
		{"", "", "", false},
		{"a", "", "", false},
		{"https://example.org/feed", "", "", false},
		{"../../etc", "", "", false},
		{"durov/123", "", "", false},
		{"1durov", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			a, err := parseAccount(tt.raw)
			if (err == nil) != tt.ok {
				t.Fatalf("parseAccount(%q) error = %v; want ok %v", tt.raw, err, tt.ok)
			}
			if tt.ok && (a.channel != tt.channel || a.query != tt.query) {
				t.Errorf("parseAccount(%q) = %q %q; want %q %q", tt.raw, a.channel, a.query, tt.channel, tt.query)
			}
		})
	}
}

func FuzzParsePage(f *testing.F) {
	f.Add(readFixture(f, "channel.html"))
	f.Add(readFixture(f, "restricted.html"))
	f.Add([]byte(`<div class="tgme_widget_message" data-post="abcd/9"><time datetime="2026-01-01T00:00:00Z"></time><div class="tgme_widget_message_text">x<br>y</div></div>`))
	f.Add([]byte(`<div class="tgme_widget_message" data-post="abcd/99999999999999999999">`))
	f.Fuzz(func(t *testing.T, body []byte) {
		pg, err := parsePage(body)
		if err != nil {
			return
		}
		if len(pg.messages) > maxMessagesPerPage {
			t.Fatalf("%d messages; limit %d", len(pg.messages), maxMessagesPerPage)
		}
		for _, m := range pg.messages {
			if m.id <= 0 || m.time.IsZero() || len(m.text) > maxTextBytes || len(m.media) > maxMediaPerMessage {
				t.Fatalf("bad message %+v", m)
			}
			for _, md := range m.media {
				if !strings.HasPrefix(md.URL, "http://") && !strings.HasPrefix(md.URL, "https://") {
					t.Fatalf("media URL %q is not http(s)", md.URL)
				}
			}
			p := m.post(account{raw: "abcd", channel: "abcd"})
			if p.ID == "" || p.AuthorID == "" {
				t.Fatalf("post without id or author: %+v", p)
			}
		}
	})
}
