package mastodon

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/lookoutbot/lookout/internal/plaintext"
)

// ellipsis marks text that was cut, and links Mastodon shortened.
const ellipsis = "…"

// htmlToText turns a status's content into plain text. Mastodon sanitises
// content to <p>, <br>, <span> and <a> (plus a few formatting tags on 4.x
// and on remote posts), so the rules are few:
//
//   - each <p> is a paragraph, separated from the next by a blank line;
//   - <br> is a line break;
//   - <span class="invisible"> holds the parts of a link Mastodon hides
//     ("https://", the tail of a long URL) and is dropped;
//   - <span class="ellipsis"> is the visible part of a shortened link and
//     is followed by "…", as Mastodon's own UI shows it;
//   - entities are decoded, other tags are dropped with their text kept,
//     and whitespace runs collapse to one space.
//
// See https://docs.joinmastodon.org/spec/microformats/ and
// https://docs.joinmastodon.org/entities/Status/#content.
func htmlToText(s string) string {
	var b strings.Builder
	// spans records, for each open <span>, whether it hides its text
	// (invisible) or ends with an ellipsis.
	var spans []spanKind
	hidden := 0 // open invisible spans
	dropped := 0
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return tidy(b.String())
		case html.TextToken:
			if hidden > 0 || dropped > 0 {
				continue
			}
			b.WriteString(collapseSpace(string(z.Text())))
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch a := atom.Lookup(name); {
			case a == atom.Script || a == atom.Style:
				if tt == html.StartTagToken {
					dropped++
				}
			case a == atom.Br:
				b.WriteByte('\n')
			case a == atom.P || a == atom.Blockquote || a == atom.Li || a == atom.Pre ||
				a == atom.Ul || a == atom.Ol || (len(name) == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6'):
				b.WriteString("\n\n")
			case a == atom.Span && tt == html.StartTagToken:
				k := spanClass(z, hasAttr)
				spans = append(spans, k)
				if k == spanInvisible {
					hidden++
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch a := atom.Lookup(name); {
			case a == atom.Script || a == atom.Style:
				if dropped > 0 {
					dropped--
				}
			case a == atom.P || a == atom.Blockquote || a == atom.Li || a == atom.Pre ||
				a == atom.Ul || a == atom.Ol || (len(name) == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6'):
				b.WriteString("\n\n")
			case a == atom.Span && len(spans) > 0:
				k := spans[len(spans)-1]
				spans = spans[:len(spans)-1]
				switch {
				case k == spanInvisible:
					hidden--
				case k == spanEllipsis && hidden == 0 && dropped == 0:
					b.WriteString(ellipsis)
				}
			}
		}
	}
}

type spanKind int

const (
	spanPlain spanKind = iota
	spanInvisible
	spanEllipsis
)

// spanClass reads the class attribute of the span the tokenizer is on.
func spanClass(z *html.Tokenizer, hasAttr bool) spanKind {
	for hasAttr {
		var key, val []byte
		key, val, hasAttr = z.TagAttr()
		if string(key) != "class" {
			continue
		}
		for _, c := range strings.Fields(string(val)) {
			switch c {
			case "invisible":
				return spanInvisible
			case "ellipsis":
				return spanEllipsis
			}
		}
	}
	return spanPlain
}

// collapseSpace turns every run of HTML whitespace into one space: in
// HTML, a source line break is not a line break.
func collapseSpace(s string) string {
	if !strings.ContainsAny(s, "\t\n\f\r ") {
		return s
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// tidy trims spaces around each line, keeps at most one blank line in a
// row, trims blank lines at both ends and replaces invalid UTF-8.
func tidy(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := false
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string { return plaintext.Truncate(s, n, ellipsis) }
