package match

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/lookoutbot/lookout/alerts"
)

// Rules is a compiled keyword list: what a watch's Keywords look for in a
// post. A Rules is immutable and safe for concurrent use.
type Rules struct {
	terms []term
	// byFirst indexes terms by their first folded word, so a post is read
	// once whatever the number of keywords.
	byFirst map[string][]int
}

// term is one keyword: the words it needs, in order, each separated in the
// text by any run of non-word characters.
type term struct {
	text  string // as written in the watch
	words []word
}

type word struct {
	text string // folded
	tag  bool   // must be written as a hashtag
}

// span is a word of folded text: folded[start:end].
type span struct {
	start, end int
	tag        bool // preceded by a '#' that starts a hashtag
}

// Compile checks a watch's keywords and compiles them. The error lists
// every keyword that cannot be used, each with the reason, and wraps
// alerts.ErrInvalid.
func Compile(keywords []string) (*Rules, error) {
	r, err := compile(keywords)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// compile returns the rules for the usable keywords even when some are not,
// so that one bad keyword does not silence the rest of a watch.
func compile(keywords []string) (*Rules, error) {
	r := &Rules{byFirst: make(map[string][]int, len(keywords))}
	seen := make(map[string]bool, len(keywords))
	var errs []error
	for _, kw := range keywords {
		if seen[kw] {
			continue
		}
		seen[kw] = true
		t, err := compileTerm(kw)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		first := t.words[0].text
		r.byFirst[first] = append(r.byFirst[first], len(r.terms))
		r.terms = append(r.terms, t)
	}
	return r, errors.Join(errs...)
}

// compileTerm parses one keyword: a word, a "quoted phrase", an unquoted
// phrase, or a #hashtag, which matches only when written as a hashtag.
func compileTerm(kw string) (term, error) {
	body := strings.TrimSpace(kw)
	if len(body) >= 2 && body[0] == '"' && body[len(body)-1] == '"' {
		body = strings.TrimSpace(body[1 : len(body)-1])
	}
	switch {
	case body == "":
		return term{}, fmt.Errorf("%w: keyword %q is empty", alerts.ErrInvalid, kw)
	case body == "*":
		return term{}, fmt.Errorf("%w: keyword %q would match every post; leave keywords empty to do that", alerts.ErrInvalid, kw)
	case strings.Contains(body, "*"):
		return term{}, fmt.Errorf("%w: keyword %q has a *, and wildcards are not supported", alerts.ErrInvalid, kw)
	}
	folded, _ := fold(body, nil, nil)
	spans := tokenize(folded, nil)
	if len(spans) == 0 {
		return term{}, fmt.Errorf("%w: keyword %q has no letters or digits", alerts.ErrInvalid, kw)
	}
	if len(spans) == 1 && utf8.RuneCount(folded[spans[0].start:spans[0].end]) == 1 {
		return term{}, fmt.Errorf("%w: keyword %q is a single character, which would match too many posts", alerts.ErrInvalid, kw)
	}
	t := term{text: kw, words: make([]word, len(spans))}
	for i, s := range spans {
		t.words[i] = word{text: string(folded[s.start:s.end]), tag: s.tag}
	}
	return t, nil
}

// Find returns every occurrence of every keyword in text, in order of
// position, with byte offsets into text itself. Occurrences of one keyword
// do not overlap; occurrences of different keywords may.
func (r *Rules) Find(text string) []alerts.Hit {
	if len(r.terms) == 0 {
		return nil
	}
	folded, offs := fold(text, make([]byte, 0, len(text)), make([]int, 0, len(text)+1))
	spans := tokenize(folded, make([]span, 0, len(text)/4))
	var hits []alerts.Hit
	var next []int // per term, the first span where it may hit again
	for i, s := range spans {
		for _, ti := range r.byFirst[string(folded[s.start:s.end])] {
			t := &r.terms[ti]
			if next != nil && i < next[ti] || !t.matchAt(folded, spans[i:]) {
				continue
			}
			start := s.start
			if t.words[0].tag {
				start-- // bold the '#' of a hashtag keyword too
			}
			last := spans[i+len(t.words)-1]
			hits = append(hits, alerts.Hit{
				Term:  t.text,
				Start: offs[start],
				End:   sourceEnd(offs, last.end),
			})
			if len(t.words) > 1 {
				if next == nil {
					next = make([]int, len(r.terms))
				}
				next[ti] = i + len(t.words)
			}
		}
	}
	return hits
}

// matchAt reports whether the term's words are the first words of spans.
func (t *term) matchAt(folded []byte, spans []span) bool {
	if len(spans) < len(t.words) {
		return false
	}
	for i, w := range t.words {
		s := spans[i]
		if string(folded[s.start:s.end]) != w.text || w.tag && !s.tag {
			return false
		}
	}
	return true
}

// sourceEnd maps the end of a folded span back to the original text: the
// end of the character that produced its last byte, taking along any
// diacritics or invisible characters that folding dropped after it.
func sourceEnd(offs []int, end int) int {
	from := offs[end-1]
	for offs[end] == from {
		end++
	}
	return offs[end]
}

// tokenize appends the words of folded text: maximal runs of letters,
// digits, marks and '_'.
func tokenize(folded []byte, spans []span) []span {
	start := -1
	for i := 0; i < len(folded); {
		r, size := rune(folded[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(folded[i:])
		}
		if isWord(r) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			spans = append(spans, newSpan(folded, start, i))
			start = -1
		}
		i += size
	}
	if start >= 0 {
		spans = append(spans, newSpan(folded, start, len(folded)))
	}
	return spans
}

// newSpan records whether the word is a hashtag: right after a '#' that
// does not itself follow a word ("#cjng", not "c#cjng").
func newSpan(folded []byte, start, end int) span {
	tag := false
	if start > 0 && folded[start-1] == '#' {
		before, _ := utf8.DecodeLastRune(folded[:start-1])
		tag = start == 1 || !isWord(before)
	}
	return span{start: start, end: end, tag: tag}
}
