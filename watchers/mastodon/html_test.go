package mastodon

import "testing"

func TestHTMLToText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"paragraphs", "<p>one</p><p>two</p>", "one\n\ntwo"},
		{"line breaks", "<p>a<br>b<br/><br />c</p>", "a\nb\n\nc"},
		{"entities", "<p>&lt;b&gt; &amp; &quot;x&quot; &#39;y&#39; &eacute; &#x1F600;</p>", "<b> & \"x\" 'y' é 😀"},
		{"invisible link parts dropped", `<p><a href="https://example.org/long/path"><span class="invisible">https://</span><span class="">example.org/long</span><span class="invisible">/path</span></a></p>`, "example.org/long"},
		{"shortened link", `<a><span class="invisible">https://www.</span><span class="ellipsis">example.org/abcdef</span><span class="invisible">ghij</span></a>`, "example.org/abcdef…"},
		{"nested spans in invisible", `x<span class="invisible">a<span>b</span>c</span>y`, "xy"},
		{"mention", `<span class="h-card"><a href="https://m.example/@a" class="u-url mention">@<span>a</span></a></span> hi`, "@a hi"},
		{"source whitespace collapses", "<p>a\n   b\t c</p>\n<p>d</p>", "a b c\n\nd"},
		{"script dropped", "<p>a<script>alert(1)</script>b</p>", "ab"},
		{"plain text", "just text", "just text"},
		{"unclosed tag", "<p>a<span class=\"invisible\">b", "a"},
		{"stray end span", "a</span>b", "ab"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"empty", "", ""},
		{"blockquote and list", "<blockquote><p>q</p></blockquote><ul><li>x</li><li>y</li></ul>", "q\n\nx\n\ny"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlToText(tt.in); got != tt.want {
				t.Errorf("htmlToText(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}
