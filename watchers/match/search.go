package match

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/lookoutbot/lookout/alerts"
)

// Search-based sources (X recent search, Reddit search, Mastodon hashtag
// timelines) cannot run a rule; they can only look for literal terms. A
// search cover is a set of such terms that every post matching any of a
// watch's rules contains at least one of, under the matcher's folding: a
// query ORing them is a superset of the watch, and the matcher still
// checks every post it returns.

// SearchKind is the kind of a literal a search looks for. Kinds combine
// into a set (SearchWord|SearchHashtag) naming what a platform can search.
type SearchKind uint8

const (
	// SearchWord is a whole word (cartel); the matcher also counts it as
	// a hashtag or a mention.
	SearchWord SearchKind = 1 << iota
	// SearchPhrase is several words in order ("gente nueva").
	SearchPhrase
	// SearchHashtag is a hashtag (#cjng).
	SearchHashtag
	// SearchMention is a mention (@sspc_mx).
	SearchMention
	// SearchFrom is every post written by an account (from:sspc_mx).
	SearchFrom

	// SearchAll is every kind: a search with full query syntax, like X's.
	SearchAll = SearchWord | SearchPhrase | SearchHashtag | SearchMention | SearchFrom
)

// SearchTerm is one literal of a cover. Text has no marker and no quotes:
// "cartel", "gente nueva", "cjng" for #cjng, "sspc_mx" for @sspc_mx or
// from:sspc_mx. It is written as in the rule when that folds to the same
// thing, so a platform that does not fold sees the user's spelling.
type SearchTerm struct {
	Kind SearchKind
	Text string
}

// String writes t in the common query syntax: cartel, "gente nueva",
// #cjng, @sspc_mx, from:sspc_mx.
func (t SearchTerm) String() string {
	switch t.Kind {
	case SearchPhrase:
		return `"` + t.Text + `"`
	case SearchHashtag:
		return "#" + t.Text
	case SearchMention:
		return "@" + t.Text
	case SearchFrom:
		return "from:" + t.Text
	}
	return t.Text
}

// Cover is a search cover of a watch's keywords: every post that matches
// any of the rules contains at least one of Terms (or, for a SearchFrom
// term, was written by that account).
type Cover struct {
	Terms []SearchTerm
	// Lang is a language every matching post has (every rule requires
	// lang:Lang), or "". It is a hint for a platform filter, not a term.
	Lang string
}

// Hashtags returns the hashtags of the cover, without '#', and whether the
// cover is made only of hashtags: then every matching post carries one of
// them, and reading those hashtags' timelines misses none.
func (c *Cover) Hashtags() ([]string, bool) {
	tags := make([]string, 0, len(c.Terms))
	only := true
	for _, t := range c.Terms {
		if t.Kind == SearchHashtag {
			tags = append(tags, t.Text)
		} else {
			only = false
		}
	}
	return tags, only && len(tags) > 0
}

// SearchCover derives a search cover of keywords using only the kinds of
// term the platform can search for:
//
//   - a term covers itself: cartel → cartel, "gente nueva" → "gente nueva",
//     #"gente nueva" → #gentenueva OR #gente_nueva, "gente nueva"~tag → all
//     three, from:sspc_mx → from:sspc_mx;
//   - OR needs every alternative covered: (halcones OR punteros) plaza →
//     plaza, or halcones OR punteros if plaza were not searchable;
//   - AND, implicit AND and NEAR need one part covered, the most selective
//     (an account, then phrases, hashtags and long words before short
//     or common ones): balacera NEAR/3 escuela -simulacro → balacera;
//   - NOT x covers nothing; lang:es covers nothing but sets Cover.Lang
//     when every rule requires it;
//   - prefix*, /regex/ and terms with ~leet, ~stretch or ~spaced cover
//     nothing: a literal search would miss what they match.
//
// With kinds = SearchHashtag, #cjng AND plaza → #cjng, while plaza alone
// has no cover. Entries made only of modifiers apply to the others, as in
// matching. Keywords that do not compile return Compile's error; entries
// with no cover return a *CoverError naming each and why.
func SearchCover(keywords []string, kinds SearchKind) (*Cover, error) {
	r, err := compile(keywords)
	if err != nil {
		return nil, err
	}
	g := r.groups[0]
	if len(g.rules) == 0 {
		return nil, &CoverError{Kinds: kinds}
	}
	cv := &Cover{}
	var missing []Uncovered
	seen := map[string]bool{}
	langs := map[string]bool{}
	for _, ri := range g.rules {
		ru := r.rules[ri]
		res := cover(ru.root, kinds)
		langs[res.lang] = true
		if !res.ok {
			why := res.hard
			if len(why) == 0 {
				why = res.soft
			}
			missing = append(missing, Uncovered{Keyword: ru.src, Reasons: uniq(why)})
			continue
		}
		for _, t := range res.terms {
			if k := termKey(t); !seen[k] {
				seen[k] = true
				cv.Terms = append(cv.Terms, t)
			}
		}
	}
	if len(missing) > 0 {
		return nil, &CoverError{Entries: missing, Kinds: kinds}
	}
	if len(langs) == 1 {
		for l := range langs {
			cv.Lang = l
		}
	}
	cv.Terms = dropSubsumed(cv.Terms)
	return cv, nil
}

// Uncovered is a keyword entry with no search cover and why: each reason
// names a term that could not be searched for.
type Uncovered struct {
	Keyword string
	Reasons []string
}

// CoverError reports the entries of a watch that no search can serve. It
// wraps alerts.ErrInvalid: the watch cannot work on that source as
// written. With no entries, the watch had no rule to search for at all.
type CoverError struct {
	Entries []Uncovered
	Kinds   SearchKind // what the search could look for
}

// Error names every entry without a cover, why, and what a rule needs.
func (e *CoverError) Error() string {
	if len(e.Entries) == 0 {
		return "the watch has no keyword to search for; " + e.Needs()
	}
	var names, why []string
	for _, u := range e.Entries {
		names = append(names, fmt.Sprintf("%q", u.Keyword))
		why = append(why, u.Reasons...)
	}
	noun := "keyword"
	if len(names) > 1 {
		noun = "keywords"
	}
	return fmt.Sprintf("%s %s cannot be searched for: %s; %s", noun, strings.Join(names, ", "), strings.Join(why, "; "), e.Needs())
}

// Unwrap makes a CoverError an alerts.ErrInvalid.
func (e *CoverError) Unwrap() error { return alerts.ErrInvalid }

// Needs says what a rule must hold to be searchable with e.Kinds.
func (e *CoverError) Needs() string {
	var names []string
	for _, k := range []SearchKind{SearchWord, SearchPhrase, SearchHashtag, SearchMention, SearchFrom} {
		if e.Kinds&k != 0 {
			names = append(names, k.noun())
		}
	}
	what := "nothing"
	switch len(names) {
	case 0:
	case 1:
		what = names[0]
	default:
		what = strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	}
	return "each rule needs a literal " + what + " that every post it matches contains " +
		"(one in each OR alternative, one part of an AND is enough); " +
		"/regex/, prefix* and terms with ~leet, ~stretch or ~spaced cannot be searched for"
}

// noun names a kind for messages.
func (k SearchKind) noun() string {
	switch k {
	case SearchWord:
		return "word"
	case SearchPhrase:
		return "\"phrase\""
	case SearchHashtag:
		return "#hashtag"
	case SearchMention:
		return "@mention"
	case SearchFrom:
		return "from:account"
	}
	return "term"
}

// coverage is the cover of one node of a rule.
type coverage struct {
	ok    bool
	terms []SearchTerm
	cost  int
	lang  string // a language the node requires, or ""
	// hard reasons name terms that cannot be searched; soft ones, terms
	// that never could (NOT, lang:), reported only when nothing else is.
	hard, soft []string
}

// cover derives the cover of n.
func cover(n *node, kinds SearchKind) coverage {
	switch n.kind {
	case nodeTerm:
		return termCover(n.term, kinds)
	case nodeNot:
		if k := n.kids[0]; k.kind == nodeNot {
			return cover(k.kids[0], kinds)
		}
		return coverage{soft: []string{fmt.Sprintf("%s is excluded with NOT", quoteRule(n.kids[0]))}}
	case nodeOr:
		out := coverage{ok: true}
		for i, k := range n.kids {
			c := cover(k, kinds)
			// The OR requires a language only if every alternative does.
			if i == 0 {
				out.lang = c.lang
			} else if c.lang != out.lang {
				out.lang = ""
			}
			out.hard, out.soft = append(out.hard, c.hard...), append(out.soft, c.soft...)
			if !c.ok {
				out.ok = false
				continue
			}
			out.terms = append(out.terms, c.terms...)
			out.cost += c.cost
		}
		if !out.ok {
			out.terms, out.cost = nil, 0
		}
		return out
	}
	// AND and NEAR: any one part will do; take the cheapest, and of
	// equally cheap ones the shortest query.
	var out coverage
	var hard, soft []string
	var lang string
	for _, k := range n.kids {
		c := cover(k, kinds)
		if lang == "" {
			lang = c.lang
		}
		if c.ok {
			if !out.ok || c.cost < out.cost || c.cost == out.cost && len(c.terms) < len(out.terms) {
				out = c
			}
			continue
		}
		hard, soft = append(hard, c.hard...), append(soft, c.soft...)
	}
	if !out.ok {
		out = coverage{hard: hard, soft: soft}
	}
	out.lang = lang
	return out
}

// termCover is the cover of one term.
func termCover(t *term, kinds SearchKind) coverage {
	q := fmt.Sprintf("%q", t.src)
	switch t.kind {
	case termLang:
		return coverage{lang: t.body, soft: []string{q + " only filters by language"}}
	case termRegex:
		return coverage{hard: []string{q + " is a regular expression"}}
	case termFrom:
		return allowed(kinds, q, []SearchTerm{{Kind: SearchFrom, Text: t.body}})
	}
	var why []string
	if t.prefix {
		why = append(why, "is a prefix*")
	}
	if t.flags != 0 {
		why = append(why, "uses ~"+strings.ReplaceAll(t.flags.String(), "+", " ~"))
	}
	if len(why) > 0 {
		return coverage{hard: []string{q + " " + strings.Join(why, " and ")}}
	}
	return allowed(kinds, q, textTerms(t))
}

// allowed is the coverage of a term whose alternatives are terms, if the
// search can look for every one of them.
func allowed(kinds SearchKind, q string, terms []SearchTerm) coverage {
	out := coverage{ok: true, terms: terms}
	for _, st := range terms {
		if kinds&st.Kind == 0 {
			return coverage{hard: []string{fmt.Sprintf("%s is a %s, which this search cannot look for", q, st.Kind.noun())}}
		}
		out.cost += termCost(st)
	}
	return out
}

// textTerms returns the literals a text term with no opt-in folds matches:
// its words, and the hashtags it spells with #"…" or ~tag.
func textTerms(t *term) []SearchTerm {
	var c canonText
	canonicalize(&c, t.body, 0, false)
	words := canonWords(c.buf)
	var out []SearchTerm
	if !t.joined {
		kind := SearchPhrase
		if len(words) == 1 {
			switch c.buf[0] {
			case sepHashtag:
				kind = SearchHashtag
			case sepMention:
				kind = SearchMention
			default:
				kind = SearchWord
			}
		}
		out = append(out, SearchTerm{Kind: kind, Text: literalText(t.body, kind, c.buf)})
	}
	if t.joined || t.tagToo && len(words) > 1 {
		raw := strings.FieldsFunc(t.body, func(r rune) bool { return !isWordRune(r) })
		for _, sep := range []string{"", "_"} {
			tag := strings.Join(words, sep)
			if rt := strings.Join(raw, sep); canonOf("#"+rt) == "#"+tag+" " {
				tag = rt
			}
			out = append(out, SearchTerm{Kind: SearchHashtag, Text: tag})
		}
		out = slices.CompactFunc(out, func(a, b SearchTerm) bool { return termKey(a) == termKey(b) })
	}
	return out
}

// literalText returns the term's text for a search as the user wrote it,
// trimmed of punctuation around it, when that folds to the same canonical
// form; otherwise the canonical form itself.
func literalText(body string, kind SearchKind, canon []byte) string {
	s := strings.TrimFunc(body, func(r rune) bool {
		return r != '#' && r != '@' && !isWordRune(r) && !isEmoji(r)
	})
	s = strings.Join(strings.Fields(s), " ")
	marker := ""
	switch kind {
	case SearchHashtag:
		marker = "#"
	case SearchMention:
		marker = "@"
	}
	if rest, ok := strings.CutPrefix(s, marker); ok && canonOf(marker+rest) == string(canon) {
		return rest
	}
	return strings.TrimLeft(strings.TrimSpace(string(canon)), marker)
}

// canonOf is s in canonical form with no opt-in folds.
func canonOf(s string) string {
	var c canonText
	canonicalize(&c, s, 0, false)
	return string(c.buf)
}

// canonWords splits a canonical stream into its words, without markers.
func canonWords(buf []byte) []string {
	return strings.FieldsFunc(string(buf), func(r rune) bool { return r < utf8.RuneSelf && isSep(byte(r)) })
}

// termCost estimates how many posts a term finds: lower is more
// selective. An account is narrowest; phrases, hashtags and mentions come
// next; a word costs more the shorter it is, and most if it is a common
// function word.
func termCost(t SearchTerm) int {
	words := canonWords([]byte(canonOf(t.Text)))
	switch t.Kind {
	case SearchFrom:
		return 1
	case SearchPhrase:
		if allFunctionWords(words) {
			return 12
		}
		return 2
	case SearchHashtag, SearchMention:
		return 3
	}
	if allFunctionWords(words) {
		return 20
	}
	return 3 + max(0, 8-utf8.RuneCountInString(t.Text))
}

// termKey identifies a search term up to folding.
func termKey(t SearchTerm) string {
	if t.Kind == SearchFrom {
		return "f" + strings.ToLower(strings.TrimPrefix(t.Text, "@"))
	}
	return string(rune('0'+t.Kind)) + canonOf(SearchTerm{Kind: t.Kind, Text: t.Text}.marked())
}

// marked is the term's text with its marker, as the matcher reads it.
func (t SearchTerm) marked() string {
	switch t.Kind {
	case SearchHashtag:
		return "#" + t.Text
	case SearchMention:
		return "@" + t.Text
	}
	return t.Text
}

// dropSubsumed removes phrases that contain a plain word of the cover:
// every post holding the phrase holds the word, so the phrase finds
// nothing more.
func dropSubsumed(terms []SearchTerm) []SearchTerm {
	var words []string
	for _, t := range terms {
		if t.Kind == SearchWord {
			words = append(words, canonOf(t.Text))
		}
	}
	return slices.DeleteFunc(terms, func(t SearchTerm) bool {
		if t.Kind != SearchPhrase {
			return false
		}
		p := canonOf(t.Text)
		return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(p, w) })
	})
}

// quoteRule writes a node back for a message.
func quoteRule(n *node) string {
	if n.kind == nodeTerm {
		return fmt.Sprintf("%q", n.term.src)
	}
	return render(n)
}

// uniq returns ss without repeats, in first-seen order.
func uniq(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
