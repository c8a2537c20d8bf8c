package mastodon

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzHTMLToText checks that any content yields tidy, valid UTF-8 text.
func FuzzHTMLToText(f *testing.F) {
	for _, s := range []string{
		"<p>a<br>b</p><p>c</p>",
		`<a href="x"><span class="invisible">https://</span><span class="ellipsis">example.org/ab</span><span class="invisible">cd</span></a>`,
		"<p>&amp;&lt;&#x1F600;&bogus;</p>", "<span class=\"invisible\"><span>", "</span></p><br/>", "a\xffb", "<script>x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := htmlToText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("htmlToText(%q) = %q: invalid UTF-8", s, got)
		}
		if got != strings.TrimSpace(got) || strings.Contains(got, "\n\n\n") {
			t.Fatalf("htmlToText(%q) = %q: not tidy", s, got)
		}
	})
}

// FuzzDecodeStatuses checks that any body either fails to decode or
// yields posts with an id, an author and bounded, valid text.
func FuzzDecodeStatuses(f *testing.F) {
	fixture, err := os.ReadFile("testdata/statuses.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"id":"1","account":{"id":"2","acct":"a"},"reblog":{"id":"3","account":{"id":"4"},"reblog":{"id":"5"}}}]`))
	f.Add([]byte(`[{"id":"1","account":{},"quote":{"state":"accepted","quoted_status":{"id":"2"}},"in_reply_to_id":"9","media_attachments":[{"type":"image","url":null,"remote_url":"x"}]}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		statuses, raws, err := decodeStatuses(body)
		if err != nil {
			return
		}
		for i := range statuses {
			p := normalise(&statuses[i], raws[i], "m.example", "")
			if p.ID == "" || len(p.Text) > maxTextBytes || !utf8.ValidString(p.Text) {
				t.Fatalf("got post %+v from %q", p, raws[i])
			}
		}
	})
}

// FuzzLinkMinID checks that no Link header makes the parser panic.
func FuzzLinkMinID(f *testing.F) {
	f.Add(`<https://m.example/x?max_id=7>; rel="next", <https://m.example/x?min_id=9>; rel="prev"`)
	f.Add(`<<,>>;rel=prev`)
	f.Fuzz(func(t *testing.T, h string) {
		_ = linkMinID(h)
	})
}
