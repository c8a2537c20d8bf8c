package mastodon

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

func TestNormalise(t *testing.T) {
	body, err := os.ReadFile("testdata/statuses.json")
	if err != nil {
		t.Fatal(err)
	}
	statuses, raws, err := decodeStatuses(body)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	cartel := "https://m.example/users/Cartel"
	tests := []struct {
		name string
		i    int
		want alerts.Post
	}{
		{"post with links, hashtag and media", 0, alerts.Post{
			ID: "113000000000000001", AuthorID: cartel, Handle: "@Cartel@m.example",
			Text: "La plaza es nuestra & de nadie más #cartel\n\nVer example.org/a/very/long/pa…\nsegunda línea",
			Lang: "es", CreatedAt: time.Date(2026, 3, 3, 9, 30, 0, 0, time.UTC),
			URL: "https://m.example/@Cartel/113000000000000001", Kind: alerts.KindPost,
			Media: []alerts.Media{
				{Type: "image", URL: "https://files.m.example/1.jpg", Alt: "a photo"},
				{Type: "gif", URL: "https://other.example/2.mp4"},
				{Type: "document", URL: "https://files.m.example/3.bin"},
			},
		}},
		{"boost: the booster is the author, the boosted status the content", 1, alerts.Post{
			ID: "113000000000000002", AuthorID: cartel, Handle: "@Cartel@m.example",
			Text: "boosted words", Lang: "en", CreatedAt: time.Date(2026, 3, 3, 9, 31, 0, 0, time.UTC),
			URL: "https://far.example/@fan/42", Kind: alerts.KindRepost,
			RefIDs: []string{"113000000000000000", "https://far.example/users/fan"},
			Media:  []alerts.Media{{Type: "video", URL: "https://files.m.example/9.mp4", Alt: "clip"}},
		}},
		{"accepted quote with a content warning", 2, alerts.Post{
			ID: "113000000000000003", AuthorID: cartel, Handle: "@Cartel@m.example",
			Text: "CW: violence\n\nmira esto", Lang: "es", CreatedAt: time.Date(2026, 3, 3, 9, 32, 0, 0, time.UTC),
			URL: "https://m.example/@Cartel/113000000000000003", Kind: alerts.KindQuote,
			RefIDs: []string{"113000000000000099", "https://far.example/users/fan"},
		}},
		{"reply; a pending quote is not a quote", 3, alerts.Post{
			ID: "113000000000000004", AuthorID: cartel, Handle: "@Cartel@m.example",
			Text: "@fan respuesta", Lang: "es", CreatedAt: time.Date(2026, 3, 3, 9, 33, 0, 0, time.UTC),
			URL: "https://m.example/@Cartel/113000000000000004", Kind: alerts.KindReply,
			RefIDs: []string{"113000000000000099"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := normalise(&statuses[tt.i], raws[tt.i], "m.example", "cartel@m.example")
			if string(got.Raw) != string(raws[tt.i]) {
				t.Errorf("got Raw of %d bytes; want the status's own JSON", len(got.Raw))
			}
			got.Raw = nil
			tt.want.Platform = "mastodon"
			tt.want.Account = "cartel@m.example"
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestNormaliseURLFallsBackToURI(t *testing.T) {
	s := status{ID: "1", URI: "https://m.example/users/a/statuses/1", Account: &account{Acct: "a@far.example", URI: "https://far.example/users/a"}}
	got := normalise(&s, nil, "m.example", "")
	if got.URL != s.URI || got.Handle != "@a@far.example" {
		t.Errorf("got URL %q handle %q; want %q and @a@far.example", got.URL, got.Handle, s.URI)
	}
}

func TestNormaliseHugeText(t *testing.T) {
	s := status{ID: "1", Account: &account{Acct: "a"}, Content: "<p>" + strings.Repeat("cartel ", 200_000) + "</p>"}
	got := normalise(&s, nil, "m.example", "")
	if len(got.Text) > maxTextBytes || !strings.HasSuffix(got.Text, ellipsis) {
		t.Errorf("got %d bytes ending %q; want at most %d ending with %q", len(got.Text), got.Text[len(got.Text)-8:], maxTextBytes, ellipsis)
	}
}

func TestDecodeStatusesMalformed(t *testing.T) {
	for _, body := range []string{
		``, `{`, `{"id":"1"}`, `[{"id":1}]`, `[{"id":"1"}]`, `[null]`, `[{"id":"1","account":{"id":"2"},"reblog":{"id":"3"}}]`, "<html>",
	} {
		if _, _, err := decodeStatuses([]byte(body)); err == nil {
			t.Errorf("decodeStatuses(%q): got no error; want one", body)
		}
	}
	for _, body := range []string{`[]`, `null`} {
		if got, _, err := decodeStatuses([]byte(body)); err != nil || len(got) != 0 {
			t.Errorf("decodeStatuses(%q): got %d statuses, %v; want none, no error", body, len(got), err)
		}
	}
}
