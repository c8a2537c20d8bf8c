package match

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lookoutbot/lookout/alerts"
)

// This file is a slow, obviously correct evaluator of the rule language:
// it folds each character with the golang.org/x/text chain, splits the
// text into a list of tokens, and compares term words token by token. No
// table, no canonical stream, no automaton. The differential test checks
// that the matcher agrees with it on random rules and posts.

// refToken is one word of a text: folded, with the marker before it.
type refToken struct {
	text       string
	mark       byte // '#', '@' or 0
	start, end int  // source span; start is the word's first character
	markStart  int  // source offset of the '#' or '@'
}

// refChar is one source character with its folded form.
type refChar struct {
	out        string
	start, end int
	raw        byte // the ASCII source byte, or 0
}

// refFoldCache memoises the x/text chain per rune; tests run it serially.
var refFoldCache = map[rune]string{}

func refChars(s string) []refChar {
	var cs []refChar
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		c := refChar{start: i, end: i + size}
		switch {
		case r == utf8.RuneError && size == 1:
			c.out = " "
		default:
			out, ok := refFoldCache[r]
			if !ok {
				out = foldChain(string(r))
				refFoldCache[r] = out
			}
			c.out = out
		}
		if r < utf8.RuneSelf {
			c.raw = byte(r)
		}
		cs = append(cs, c)
		i += size
	}
	return cs
}

// refTokenize splits s into tokens under flags f.
func refTokenize(s string, f foldFlags) []refToken {
	cs := refChars(s)
	var toks []refToken
	var cur *refToken
	prevWord := false
	mark, markAt := byte(0), 0
	// nextOut returns the start of the next character after i that
	// produces output, or len(s).
	nextOut := func(i int) int {
		for j := i + 1; j < len(cs); j++ {
			if cs[j].out != "" && cs[j].start != cs[i].start {
				return cs[j].start
			}
		}
		return len(s)
	}
	for i, c := range cs {
		if c.out == "" {
			continue
		}
		for _, r := range c.out {
			word := isWordRune(r)
			letter := r
			if f&flagLeet != 0 && c.raw != 0 && leetLetter[c.raw] != 0 && !word {
				next := byte(0)
				if i+1 < len(cs) {
					next = cs[i+1].raw
				}
				if asciiWord[next] != 0 && (c.raw != '@' || prevWord) {
					word, letter = true, rune(c.raw)
				}
			}
			if f&flagLeet != 0 && letter < utf8.RuneSelf && leetLetter[letter] != 0 {
				letter = rune(leetLetter[letter])
			}
			switch {
			case isEmoji(r):
				toks = append(toks, refToken{text: string(r), mark: mark, start: c.start, end: nextOut(i), markStart: markAt})
				cur, prevWord, mark = nil, false, 0
			case word:
				if cur == nil {
					toks = append(toks, refToken{mark: mark, start: c.start, markStart: markAt})
					cur = &toks[len(toks)-1]
				}
				l := string(letter)
				if !(f&flagStretch != 0 && letter < utf8.RuneSelf && strings.HasSuffix(cur.text, l)) {
					cur.text += l
				}
				cur.end = nextOut(i)
				prevWord = true
			default:
				if (r == '#' || r == '@') && !prevWord {
					mark, markAt = byte(r), c.start
				} else {
					mark = 0
				}
				cur, prevWord = nil, false
			}
			if word || isEmoji(r) {
				mark = 0
			}
		}
	}
	if f&flagSpaced != 0 {
		toks = refJoinSpaced(toks, f&flagStretch != 0)
	}
	return toks
}

func refJoinSpaced(toks []refToken, stretch bool) []refToken {
	single := func(t refToken) bool { return len(t.text) == 1 && t.text[0] < utf8.RuneSelf }
	var out []refToken
	for i := 0; i < len(toks); {
		n := 0
		for i+n < len(toks) && single(toks[i+n]) {
			n++
		}
		if n < 3 {
			out = append(out, toks[i])
			i++
			continue
		}
		j := toks[i]
		for _, t := range toks[i+1 : i+n] {
			if !(stretch && strings.HasSuffix(j.text, t.text)) {
				j.text += t.text
			}
			j.end = t.end
		}
		out = append(out, j)
		i += n
	}
	return out
}

// refEval evaluates a keyword list on a post the slow way.
type refEval struct {
	p      *alerts.Post
	text   string
	plain  []refToken
	tokens map[foldFlags][]refToken
}

func (e *refEval) toks(f foldFlags) []refToken {
	if t, ok := e.tokens[f]; ok {
		return t
	}
	e.tokens[f] = refTokenize(e.text, f)
	return e.tokens[f]
}

type refHit struct {
	hit           alerts.Hit
	first, last   int // token indices in its own stream, for overlap
	wFirst, wLast int // plain word indices, for NEAR
}

func (e *refEval) wordAt(off int) int {
	i := sort.Search(len(e.plain), func(i int) bool { return e.plain[i].start > off })
	return i - 1
}

// termHits finds every non-overlapping occurrence of a text term.
func (e *refEval) termHits(t *term) []refHit {
	words := refTokenize(t.body, t.flags)
	toks := e.toks(t.flags)
	var hits []refHit
	next := 0
	for i := range toks {
		if i < next {
			continue
		}
		n, ok, joined := 0, false, false
		if !t.joined {
			n, ok = len(words), refPhraseAt(toks[i:], words, t.prefix)
		}
		if !ok && (t.joined || t.tagToo && len(words) > 1) && toks[i].mark == '#' {
			var ws []string
			for _, w := range words {
				ws = append(ws, w.text)
			}
			n, ok = 1, toks[i].text == strings.Join(ws, "") || toks[i].text == strings.Join(ws, "_")
			joined = true
		}
		if !ok {
			continue
		}
		first, last := toks[i], toks[i+n-1]
		h := alerts.Hit{Term: t.src, Start: first.start, End: last.end}
		if joined || words[0].mark != 0 {
			h.Start = first.markStart
		}
		if t.caseSens && !sameCase(t, e.text[h.Start:h.End]) {
			continue
		}
		hits = append(hits, refHit{hit: h, first: i, last: i + n - 1, wFirst: e.wordAt(first.start), wLast: e.wordAt(last.end - 1)})
		next = i + n
	}
	return hits
}

func refPhraseAt(toks, words []refToken, prefix bool) bool {
	if len(toks) < len(words) {
		return false
	}
	for j, w := range words {
		tk := toks[j]
		if w.mark != 0 && tk.mark != w.mark {
			return false
		}
		if prefix && j == len(words)-1 {
			if !strings.HasPrefix(tk.text, w.text) {
				return false
			}
		} else if tk.text != w.text {
			return false
		}
	}
	return true
}

func (e *refEval) eval(n *node) (bool, []alerts.Hit) {
	switch n.kind {
	case nodeTerm:
		t := n.term
		switch t.kind {
		case termFrom:
			return fromAccount(t.body, e.p), nil
		case termLang:
			l := strings.ToLower(e.p.Lang)
			return l == t.body || strings.HasPrefix(l, t.body+"-"), nil
		case termRegex:
			panic("regex terms are not generated")
		}
		var out []alerts.Hit
		for _, h := range e.termHits(t) {
			out = append(out, h.hit)
		}
		return len(out) > 0, out
	case nodeNot:
		ok, _ := e.eval(n.kids[0])
		return !ok, nil
	case nodeNear:
		a, b := e.termHits(n.kids[0].term), e.termHits(n.kids[1].term)
		var out []alerts.Hit
		usedB := make([]bool, len(b))
		for _, x := range a {
			near := false
			for j, y := range b {
				gap := 0
				if x.wLast < y.wFirst {
					gap = y.wFirst - x.wLast - 1
				} else if y.wLast < x.wFirst {
					gap = x.wFirst - y.wLast - 1
				}
				if gap <= n.near {
					near, usedB[j] = true, true
				}
			}
			if near {
				out = append(out, x.hit)
			}
		}
		for j, y := range b {
			if usedB[j] {
				out = append(out, y.hit)
			}
		}
		return len(out) > 0, out
	case nodeOr:
		any := false
		var out []alerts.Hit
		for _, k := range n.kids {
			if ok, hs := e.eval(k); ok {
				any = true
				out = append(out, hs...)
			}
		}
		return any, out
	}
	var out []alerts.Hit
	for _, k := range n.kids {
		ok, hs := e.eval(k)
		if !ok {
			return false, nil
		}
		out = append(out, hs...)
	}
	return true, out
}

// refMatch is the reference verdict of a keyword list on a post.
func refMatch(t *testing.T, keywords []string, p *alerts.Post) (bool, []alerts.Hit) {
	e := &refEval{p: p, text: p.MatchText(), tokens: map[foldFlags][]refToken{}}
	e.plain = e.toks(0)
	defaults, entries := watchDefaults(keywords)
	matched := false
	var out []alerts.Hit
	seen := map[string]bool{}
	for _, kw := range entries {
		if seen[kw] {
			continue
		}
		seen[kw] = true
		root, _, err := parseRule(kw)
		if err != nil {
			t.Fatalf("reference: parse %q: %v", kw, err)
		}
		if defaults.kind == tokMods {
			p := &parser{src: kw}
			if err := p.applyMods(root, defaults); err != nil {
				t.Fatalf("reference: %v", err)
			}
		}
		if ok, hs := e.eval(root); ok {
			matched = true
			out = append(out, hs...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return matched, slices.Compact(out)
}

// Random rules and posts.

var diffWords = []string{"cartel", "plaza", "gente", "nueva", "sicario", "cjng", "balacera", "halcon", "ya", "la"}

func randTerm(rng *rand.Rand) string {
	w := diffWords[rng.IntN(len(diffWords))]
	v := diffWords[rng.IntN(len(diffWords))]
	var s string
	switch rng.IntN(8) {
	case 0, 1, 2:
		s = w
	case 3:
		s = `"` + w + " " + v + `"`
	case 4:
		s = "#" + w
	case 5:
		s = w[:min(len(w), 3+rng.IntN(2))] + "*"
	case 6:
		s = `#"` + w + " " + v + `"`
	default:
		s = "@" + w
	}
	switch rng.IntN(10) {
	case 0:
		s += "~leet"
	case 1:
		s += "~stretch"
	case 2:
		s += "~spaced"
	case 3:
		s += "~leet~stretch~spaced"
	case 4:
		if s[0] == '"' {
			s += "~tag"
		}
	case 5:
		if !strings.HasSuffix(s, "*") && !strings.Contains(s, `"`) {
			s = strings.ToUpper(s) + "~case"
		}
	}
	return s
}

func randRule(rng *rand.Rand, depth int) string {
	if depth == 0 {
		return randTerm(rng)
	}
	switch rng.IntN(7) {
	case 0:
		return randRule(rng, depth-1) + " " + randRule(rng, depth-1)
	case 1:
		return "(" + randRule(rng, depth-1) + " OR " + randRule(rng, depth-1) + ")"
	case 2:
		return randRule(rng, depth-1) + " -" + randTerm(rng)
	case 3:
		return fmt.Sprintf("%s NEAR/%d %s", randTerm(rng), rng.IntN(4), randTerm(rng))
	case 4:
		return randRule(rng, depth-1) + " lang:es"
	}
	return randTerm(rng)
}

func randWord(rng *rand.Rand) string {
	w := diffWords[rng.IntN(len(diffWords))]
	switch rng.IntN(12) {
	case 0:
		w = strings.ToUpper(w)
	case 1:
		w = strings.Replace(w, "a", "á", 1)
	case 2:
		w = strings.NewReplacer("a", "4", "e", "3", "i", "1", "o", "0", "l", "1").Replace(w)
	case 3:
		i := rng.IntN(len(w))
		w = w[:i+1] + strings.Repeat(w[i:i+1], 1+rng.IntN(3)) + w[i+1:]
	case 4:
		w = strings.Join(strings.Split(w, ""), []string{" ", ".", "-"}[rng.IntN(3)])
	case 5:
		i := rng.IntN(len(w))
		w = w[:i] + "\u200b" + w[i:]
	case 6:
		w = strings.Replace(w, "a", "а", 1) // Cyrillic
	case 7:
		w = strings.ToUpper(w[:1]) + w[1:]
	case 8:
		w = "ｃ" + w
	}
	switch rng.IntN(8) {
	case 0:
		w = "#" + w
	case 1:
		w = "@" + w
	case 2:
		w = "#" + strings.ToUpper(w[:1]) + w[1:] + diffWords[rng.IntN(len(diffWords))]
	}
	return w
}

func randText(rng *rand.Rand) string {
	var b strings.Builder
	for i := range 3 + rng.IntN(10) {
		if i > 0 {
			b.WriteString([]string{" ", " ", " ", ", ", "\n", " - ", "... ", " 🔫 ", "¡"}[rng.IntN(9)])
		}
		b.WriteString(randWord(rng))
	}
	return b.String()
}

func TestDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rounds := 3000
	if testing.Short() {
		rounds = 300
	}
	m := New()
	for round := range rounds {
		var rules []string
		for range 1 + rng.IntN(4) {
			r := randRule(rng, rng.IntN(3))
			if _, err := Compile([]string{r}); err == nil {
				rules = append(rules, r)
			}
		}
		if len(rules) == 0 {
			continue
		}
		w := &alerts.Watch{Name: fmt.Sprint("w", round%7), Keywords: rules}
		for range 10 {
			p := &alerts.Post{Text: randText(rng), Lang: []string{"es", "en"}[rng.IntN(2)]}
			got, ok := m.Match(w, p)
			wantOK, want := refMatch(t, rules, p)
			if ok != wantOK || !slices.Equal(got.Hits, want) {
				t.Fatalf("rules %q on %q:\n got %v %q\nwant %v %q", rules, p.Text, ok, hitTexts(p.Text, got.Hits), wantOK, hitTexts(p.Text, want))
			}
		}
	}
}
