package feed

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/lookoutbot/lookout/internal/plaintext"
)

// maxTextBytes caps Post.Text. Feeds that put whole articles in
// <content:encoded> would otherwise fill the store and the matcher with
// megabytes per item; 64 KiB is far more than any alert shows.
const maxTextBytes = 64 << 10

// ellipsis marks text that was cut.
const ellipsis = "…"

// blockElements end a line before and after them. <br> is handled apart:
// it always adds a line break, so "a<br><br>b" keeps its blank line.
var blockElements = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Dd: true, atom.Details: true, atom.Div: true, atom.Dl: true, atom.Dt: true,
	atom.Fieldset: true, atom.Figcaption: true, atom.Figure: true, atom.Footer: true,
	atom.Form: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true, atom.Header: true, atom.Hr: true, atom.Li: true,
	atom.Main: true, atom.Nav: true, atom.Ol: true, atom.P: true, atom.Pre: true,
	atom.Section: true, atom.Summary: true, atom.Table: true, atom.Tr: true,
	atom.Ul: true,
}

// droppedElements are removed with everything inside them.
var droppedElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true, atom.Noscript: true,
	atom.Iframe: true, atom.Object: true, atom.Svg: true, atom.Head: true,
}

// looksLikeHTML reports whether s has anything that could be a tag. Plain
// text (YouTube descriptions, JSON Feed content_text, many RSS
// descriptions) keeps its line breaks; in HTML a source line break is
// just a space.
func looksLikeHTML(s string) bool {
	for i := strings.IndexByte(s, '<'); i >= 0 && i+1 < len(s); {
		c := s[i+1]
		if c == '/' || c == '!' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
			return true
		}
		j := strings.IndexByte(s[i+1:], '<')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// htmlToText reduces an HTML fragment to plain text: script and style
// dropped, block elements and <br> turned into line breaks, entities
// decoded, runs of spaces collapsed within each line, at most one blank
// line in a row, and the result trimmed.
func htmlToText(s string) string {
	if !looksLikeHTML(s) {
		return plaintext.TidyLines(html.UnescapeString(s))
	}
	var b strings.Builder
	atLineStart := true
	newline := func() {
		b.WriteByte('\n')
		atLineStart = true
	}
	skip := 0 // depth inside dropped elements
	pre := 0  // depth inside <pre>, where line breaks are content
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// io.EOF, or the input ended mid-tag: either way keep what we have.
			return plaintext.TidyLines(b.String())
		case html.TextToken:
			if skip > 0 {
				continue
			}
			text := string(z.Text())
			if pre == 0 {
				text = strings.Map(func(r rune) rune {
					if r == '\n' || r == '\r' || r == '\t' || r == '\f' {
						return ' '
					}
					return r
				}, text)
			}
			if strings.TrimSpace(text) == "" {
				if !atLineStart {
					b.WriteByte(' ')
				}
				continue
			}
			b.WriteString(text)
			atLineStart = strings.HasSuffix(strings.TrimRight(text, " \t"), "\n")
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch {
			case droppedElements[a]:
				// A self-closed <script/> has no end tag to wait for.
				if tt == html.StartTagToken {
					skip++
				}
			case skip > 0:
			case a == atom.Br:
				newline()
			case blockElements[a]:
				if a == atom.Pre && tt == html.StartTagToken {
					pre++
				}
				if !atLineStart {
					newline()
				}
			case a == atom.Td || a == atom.Th:
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch {
			case droppedElements[a]:
				if skip > 0 {
					skip--
				}
			case skip > 0:
			case blockElements[a]:
				if a == atom.Pre && pre > 0 {
					pre--
				}
				if !atLineStart {
					newline()
				}
			}
		}
	}
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string { return plaintext.Truncate(s, n, ellipsis) }
