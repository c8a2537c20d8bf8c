package match

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/lookoutbot/lookout/alerts"
)

// termHit is one occurrence of a term: its source span (what a card
// bolds), its span in the canonical stream, and the words it covers in
// the post's plain canonical stream (for NEAR).
type termHit struct {
	start, end    int
	cStart, cEnd  int
	wFirst, wLast int
}

// scratch is the per-call working memory of a match, pooled.
type scratch struct {
	fast   canonText
	canon  [flagCombos]canonText
	done   [flagCombos]bool
	hits   map[int][]termHit
	starts []int // source offsets of the words of the plain stream
	folded string
	fOffs  []int
}

var scratchPool = sync.Pool{New: func() any { return &scratch{hits: map[int][]termHit{}} }}

// maxFastText is the longest text kept in a pooled buffer; a longer one
// (a 1 MB post) is matched with buffers of its own.
const maxFastText = 64 << 10

// match evaluates group gi on p: the fast path folds and scans the text,
// and only when a literal of the group occurs (or the group has rules that
// need no literal) does the slow path find offsets and evaluate rules.
func (r *Rules) match(gi int, p *alerts.Post) (alerts.Match, bool) {
	g := &r.groups[gi]
	text := p.MatchText()
	sc := scratchPool.Get().(*scratch)
	defer func() {
		if len(text) <= maxFastText {
			scratchPool.Put(sc)
		}
	}()
	if len(g.always) == 0 && !r.anyLiteral(g, text, sc) {
		return alerts.Match{}, false
	}
	hits, ok := r.evaluate(g, p, text, sc, nil)
	return alerts.Match{Hits: hits}, ok
}

// anyLiteral reports whether any literal of a term of g occurs in text.
func (r *Rules) anyLiteral(g *group, text string, sc *scratch) bool {
	found := false
	for _, f := range g.masks {
		sc.fast.reset()
		if f == 0 {
			sc.fast.buf = canonPlain(sc.fast.buf, text)
		} else {
			canonicalize(&sc.fast, text, f, false)
		}
		r.streams[f].scan(sc.fast.buf, func(_ int, id int32) bool {
			for _, ti := range r.lits[r.streamLits[f][id]].terms {
				if g.tlo <= ti && ti < g.thi {
					found = true
					return false
				}
			}
			return true
		})
		if found {
			return true
		}
	}
	return false
}

// ruleVerdict is one rule's outcome, for explanations.
type ruleVerdict struct {
	rule    int
	matched bool
}

// evaluate finds every term hit of g in text and evaluates the rules that
// may match; it returns the hits of the rules that matched, in source
// order, and whether any matched. verdicts, when not nil, receives each evaluated rule.
func (r *Rules) evaluate(g *group, p *alerts.Post, text string, sc *scratch, verdicts *[]ruleVerdict) ([]alerts.Hit, bool) {
	clear(sc.hits)
	sc.done = [flagCombos]bool{}
	sc.folded, sc.fOffs = "", nil
	for _, f := range g.masks {
		c := r.canonFor(sc, text, f)
		r.streams[f].scan(c.buf, func(end int, id int32) bool {
			l := &r.lits[r.streamLits[f][id]]
			for _, ti := range l.terms {
				if ti < g.tlo || ti >= g.thi {
					continue
				}
				if h, ok := r.verify(r.terms[ti], l, c, text, end); ok {
					sc.hits[int(ti)] = append(sc.hits[int(ti)], h)
				}
			}
			return true
		})
	}
	var near bool
	candidates := slices.Clone(g.always)
	for ti, hs := range sc.hits {
		sc.hits[ti] = nonOverlapping(hs)
		candidates = append(candidates, g.rules[ruleOfTerm(r, g, ti)])
	}
	slices.Sort(candidates)
	candidates = slices.Compact(candidates)
	for _, ri := range candidates {
		near = near || r.rules[ri].near
	}
	if near {
		r.wordPositions(sc, text)
	}
	var out []alerts.Hit
	matched := false
	ev := evaluator{r: r, sc: sc, p: p, text: text}
	for _, ri := range candidates {
		ru := r.rules[ri]
		ok := ev.eval(ru.root)
		if verdicts != nil {
			*verdicts = append(*verdicts, ruleVerdict{rule: ri, matched: ok})
		}
		if ok {
			matched = true
			out = ev.collect(ru.root, out)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return slices.Compact(out), matched
}

// ruleOfTerm returns the position in g.rules of the rule owning term ti.
func ruleOfTerm(r *Rules, g *group, ti int) int {
	i := sort.Search(len(g.rules), func(i int) bool {
		ts := r.rules[g.rules[i]].terms
		return ts[len(ts)-1] >= ti
	})
	return i
}

// canonFor returns text's canonical stream under f, with offsets,
// building it on first use.
func (r *Rules) canonFor(sc *scratch, text string, f foldFlags) *canonText {
	c := &sc.canon[f]
	if !sc.done[f] {
		c.reset()
		canonicalize(c, text, f, true)
		sc.done[f] = true
	}
	return c
}

// verify checks an occurrence of literal l ending at end of stream c
// against term t (hashtag and mention markers, case) and returns the hit.
func (r *Rules) verify(t *term, l *literal, c *canonText, text string, end int) (termHit, bool) {
	start := end - len(l.pat)
	for i, b := range l.pat {
		if (b == sepHashtag || b == sepMention) && c.buf[start+i] != b {
			return termHit{}, false
		}
	}
	wordEnd := end - 1 // the closing separator
	if l.prefix {
		wordEnd = end
		for wordEnd < len(c.buf) && !isSep(c.buf[wordEnd]) {
			wordEnd++
		}
	}
	h := termHit{
		start:  c.offs[start+1],
		end:    sourceEnd(c.offs, wordEnd),
		cStart: start,
		cEnd:   wordEnd,
	}
	if l.pat[0] != sepPlain {
		if i, ok := slices.BinarySearch(c.markPos, start); ok {
			h.start = c.markOff[i]
		}
	}
	if t.caseSens && !sameCase(t, text[h.start:h.end]) {
		return termHit{}, false
	}
	return h, true
}

// sourceEnd maps the end of a canonical span back to the source: the end
// of the character that produced its last byte, taking along any
// diacritics or invisible characters that folding dropped after it.
func sourceEnd(offs []int, end int) int {
	from := offs[end-1]
	for end < len(offs)-1 && offs[end] == from {
		end++
	}
	return offs[end]
}

// nonOverlapping keeps, in order, the hits of one term that do not
// overlap an earlier kept hit ("ja ja" twice in "ja ja ja ja"). Adjacent
// hits share a separator.
func nonOverlapping(hs []termHit) []termHit {
	slices.SortFunc(hs, func(a, b termHit) int { return a.cStart - b.cStart })
	out := hs[:0]
	for _, h := range hs {
		if len(out) == 0 || h.cStart >= out[len(out)-1].cEnd {
			out = append(out, h)
		}
	}
	return out
}

// wordPositions records where each word of the plain stream starts and
// numbers the words of every hit.
func (r *Rules) wordPositions(sc *scratch, text string) {
	c := r.canonFor(sc, text, 0)
	sc.starts = sc.starts[:0]
	for i := 0; i+1 < len(c.buf); i++ {
		if isSep(c.buf[i]) && !isSep(c.buf[i+1]) {
			sc.starts = append(sc.starts, c.offs[i+1])
		}
	}
	for ti, hs := range sc.hits {
		t := r.terms[ti]
		c := &sc.canon[t.flags]
		for i := range hs {
			h := &hs[i]
			h.wFirst = wordAt(sc.starts, c.offs[h.cStart+1])
			h.wLast = wordAt(sc.starts, c.offs[h.cEnd-1])
		}
	}
}

// wordAt returns the index of the word holding source offset off.
func wordAt(starts []int, off int) int {
	i, _ := slices.BinarySearch(starts, off+1)
	return i - 1
}

// sameCase reports whether the letters of the source span s have the
// case of the letters of the term as written.
func sameCase(t *term, s string) bool {
	want := caseShape(t.body)
	got := caseShape(s)
	if t.prefix {
		return strings.HasPrefix(got, want)
	}
	return got == want
}

// caseShape folds s but keeps each letter's case and drops everything
// that is not a word character: "Gente-Nueva" becomes "GenteNueva".
func caseShape(s string) string {
	var b strings.Builder
	for _, r := range s {
		var c canonText
		canonicalize(&c, string(r), 0, false)
		w := strings.Trim(string(c.buf), " #@")
		if unicode.IsUpper(r) || unicode.IsTitle(r) {
			w = strings.ToUpper(w)
		}
		b.WriteString(w)
	}
	return b.String()
}

// evaluator evaluates rule trees over the hits of one post.
type evaluator struct {
	r    *Rules
	sc   *scratch
	p    *alerts.Post
	text string
}

func (e *evaluator) eval(n *node) bool {
	switch n.kind {
	case nodeTerm:
		return e.term(n.term)
	case nodeNot:
		return !e.eval(n.kids[0])
	case nodeOr:
		return slices.ContainsFunc(n.kids, e.eval)
	case nodeNear:
		return len(e.nearHits(n)) > 0
	}
	for _, k := range n.kids {
		if !e.eval(k) {
			return false
		}
	}
	return true
}

func (e *evaluator) term(t *term) bool {
	switch t.kind {
	case termText:
		return len(e.sc.hits[t.id]) > 0
	case termFrom:
		return fromAccount(t.body, e.p)
	case termLang:
		lang := strings.ToLower(e.p.Lang)
		return lang == t.body || strings.HasPrefix(lang, t.body+"-")
	}
	return len(e.regexHits(t, 1)) > 0
}

// nearHits returns the hits of both terms of a NEAR that lie within its
// distance of a hit of the other term. Hits of one term are sorted and do
// not overlap, so the partners of each hit form a window found by binary
// search: linear time even for a megabyte of repeated terms.
func (e *evaluator) nearHits(n *node) []alerts.Hit {
	a, b := n.kids[0].term, n.kids[1].term
	ha, hb := e.sc.hits[a.id], e.sc.hits[b.id]
	var out []alerts.Hit
	mark := make([]int, len(hb)+1) // +1 at a window's start, -1 past its end
	for _, x := range ha {
		lo := sort.Search(len(hb), func(j int) bool { return hb[j].wLast >= x.wFirst-n.near-1 })
		hi := sort.Search(len(hb), func(j int) bool { return hb[j].wFirst > x.wLast+n.near+1 })
		ok := false
		for j := lo; j < hi; j++ {
			if wordGap(x, hb[j]) <= n.near {
				ok = true
				break
			}
		}
		if !ok {
			continue
		}
		out = append(out, alerts.Hit{Term: a.src, Start: x.start, End: x.end})
		for lo < hi && wordGap(x, hb[lo]) > n.near {
			lo++
		}
		for hi > lo && wordGap(x, hb[hi-1]) > n.near {
			hi--
		}
		mark[lo]++
		mark[hi]--
	}
	used := 0
	for j, y := range hb {
		used += mark[j]
		if used > 0 {
			out = append(out, alerts.Hit{Term: b.src, Start: y.start, End: y.end})
		}
	}
	return out
}

// wordGap is the number of words strictly between two hits, 0 when they
// touch or overlap.
func wordGap(x, y termHit) int {
	switch {
	case x.wLast < y.wFirst:
		return y.wFirst - x.wLast - 1
	case y.wLast < x.wFirst:
		return x.wFirst - y.wLast - 1
	}
	return 0
}

// maxRegexHits bounds the hits one regex reports in one post.
const maxRegexHits = 100

// regexHits runs a regex over the folded text (or the original text with
// ~case) and maps its matches to source offsets.
func (e *evaluator) regexHits(t *term, limit int) []alerts.Hit {
	if t.caseSens {
		var out []alerts.Hit
		for _, m := range t.re.FindAllStringIndex(e.text, limit) {
			out = append(out, alerts.Hit{Term: t.src, Start: m[0], End: m[1]})
		}
		return out
	}
	if e.sc.fOffs == nil {
		e.sc.folded, e.sc.fOffs = Fold(e.text)
	}
	var out []alerts.Hit
	for _, m := range t.re.FindAllStringIndex(e.sc.folded, limit) {
		if m[1] == m[0] {
			continue
		}
		out = append(out, alerts.Hit{Term: t.src, Start: e.sc.fOffs[m[0]], End: sourceEnd(e.sc.fOffs, m[1])})
	}
	return out
}

// collect appends the hits that made n true: terms under NOT and
// branches that were false contribute nothing.
func (e *evaluator) collect(n *node, out []alerts.Hit) []alerts.Hit {
	switch n.kind {
	case nodeTerm:
		t := n.term
		switch t.kind {
		case termText:
			for _, h := range e.sc.hits[t.id] {
				out = append(out, alerts.Hit{Term: t.src, Start: h.start, End: h.end})
			}
		case termRegex:
			out = append(out, e.regexHits(t, maxRegexHits)...)
		}
		return out
	case nodeNot:
		return out
	case nodeNear:
		return append(out, e.nearHits(n)...)
	}
	for _, k := range n.kids {
		if e.eval(k) {
			out = e.collect(k, out)
		}
	}
	return out
}

// fromAccount reports whether p was written by account a (an id or a
// handle, with or without @).
func fromAccount(a string, p *alerts.Post) bool {
	a = strings.TrimPrefix(a, "@")
	for _, s := range []string{p.AuthorID, p.Handle, p.Account} {
		if s = strings.TrimPrefix(s, "@"); s != "" && strings.EqualFold(a, s) {
			return true
		}
	}
	return false
}
