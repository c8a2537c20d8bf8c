package feed

import (
	"strings"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text keeps its lines", "line one\n  line   two\n\n\n\nthree", "line one\nline two\n\nthree"},
		{"plain text entities", "AT&amp;T &lt;3 caf&eacute;", "AT&T <3 café"},
		{"lone less-than is text", "1 < 2 and 3 > 2", "1 < 2 and 3 > 2"},
		{"entities in html, nbsp collapsed", "<p>Fish &amp; chips &#8212; &eacute;t&eacute;&nbsp;!</p>", "Fish & chips — été !"},
		{"br", "one<br>two<br/>three<br><br>four", "one\ntwo\nthree\n\nfour"},
		{"paragraphs", "<p>first</p>\n\n<p>second\nline</p>", "first\nsecond line"},
		{"inline elements join", "<p>a <b>bold</b> <a href='x'>link</a>.</p>", "a bold link."},
		{"script and style dropped", "<style>p{color:red}</style><p>keep</p><script>alert('<p>x</p>')</script><noscript>js off</noscript>", "keep"},
		{"self-closed script", "a<script/>b", "ab"},
		{"nested lists", "<ul><li>one<ul><li>one.a</li><li>one.b</li></ul></li><li>two</li></ul><ol><li>x</li></ol>", "one\none.a\none.b\ntwo\nx"},
		{"headings and divs", "<h1>Title</h1><div>body <span>text</span></div>", "Title\nbody text"},
		{"table cells spaced", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"pre keeps lines", "<pre>x  = 1\ny = 2</pre>", "x = 1\ny = 2"},
		{"unclosed tag at end", "text <b", "text"},
		{"comments dropped", "a<!-- hidden -->b", "ab"},
		{"empty", "", ""},
		{"only whitespace", " <p> </p>\n ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlToText(tt.in); got != tt.want {
				t.Errorf("htmlToText(%q)\ngot  %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"short", "abc", 10, "abc"},
		{"exact", "abcde", 5, "abcde"},
		{"cut ascii", "abcdefgh", 6, "abc…"},
		{"cut at rune boundary", "ññññ", 6, "ñ…"}, // 3 bytes left: one ñ fits, not two
		{"tiny limit", "abcdef", 2, "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := truncate(tt.in, tt.n)
			if got != tt.want {
				t.Errorf("truncate(%q, %d) = %q; want %q", tt.in, tt.n, got, tt.want)
			}
			if len(got) > max(tt.n, len("…")) {
				t.Errorf("truncate(%q, %d) is %d bytes", tt.in, tt.n, len(got))
			}
			if !strings.HasPrefix(tt.in, strings.TrimSuffix(got, "…")) {
				t.Errorf("truncate(%q, %d) = %q is not a prefix", tt.in, tt.n, got)
			}
		})
	}
}
