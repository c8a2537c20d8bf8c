package match

import (
	"fmt"
	"strings"

	"github.com/lookoutbot/lookout/alerts"
)

// Explanation says how a keyword list treats one post, for `lookout rule
// test`: the text as the matcher reads it, each rule's reading and
// verdict, and the hits a card would bold.
type Explanation struct {
	// Folded is the post's canonical text: folded words between single
	// separators, '#' and '@' marking hashtags and mentions.
	Folded string
	// Streams are the canonical texts of the opt-in folds the rules use,
	// by name ("leet+stretch").
	Streams []Stream
	Rules   []RuleResult
	Hits    []alerts.Hit
	Matched bool
}

// Stream is the canonical text under one combination of opt-in folds.
type Stream struct {
	Folds string
	Text  string
}

// RuleResult is one rule's reading and verdict.
type RuleResult struct {
	Rule    string
	Parsed  string // the rule as the parser read it, fully parenthesised
	Matched bool
	// Slow is set when the rule has a regex, which runs on every post
	// the rule is evaluated for instead of in the automaton.
	Slow bool
}

// Explain evaluates the first keyword list of r on p and says why it
// matches or not.
func (r *Rules) Explain(p *alerts.Post) Explanation {
	var ex Explanation
	text := p.MatchText()
	var c canonText
	canonicalize(&c, text, 0, false)
	ex.Folded = string(c.buf)
	if len(r.groups) == 0 {
		return ex
	}
	g := &r.groups[0]
	for _, f := range g.masks {
		if f == 0 {
			continue
		}
		var fc canonText
		canonicalize(&fc, text, f, false)
		ex.Streams = append(ex.Streams, Stream{Folds: f.String(), Text: string(fc.buf)})
	}
	sc := &scratch{hits: map[int][]termHit{}}
	var verdicts []ruleVerdict
	ex.Hits, ex.Matched = r.evaluate(g, p, text, sc, &verdicts)
	matched := map[int]bool{}
	for _, v := range verdicts {
		matched[v.rule] = v.matched
	}
	for _, ri := range g.rules {
		ru := r.rules[ri]
		slow := false
		walkTerms(ru.root, func(t *term) { slow = slow || t.kind == termRegex })
		ex.Rules = append(ex.Rules, RuleResult{Rule: ru.src, Parsed: render(ru.root), Matched: matched[ri], Slow: slow})
	}
	return ex
}

// String names the folds in f, "plain" for none.
func (f foldFlags) String() string {
	var names []string
	for _, x := range []struct {
		f    foldFlags
		name string
	}{{flagLeet, "leet"}, {flagStretch, "stretch"}, {flagSpaced, "spaced"}} {
		if f&x.f != 0 {
			names = append(names, x.name)
		}
	}
	if len(names) == 0 {
		return "plain"
	}
	return strings.Join(names, "+")
}

// render writes a parsed rule back, fully parenthesised, with each term's
// kind spelled out.
func render(n *node) string {
	switch n.kind {
	case nodeTerm:
		return renderTerm(n.term)
	case nodeNot:
		return "NOT " + render(n.kids[0])
	case nodeNear:
		return fmt.Sprintf("(%s NEAR/%d %s)", render(n.kids[0]), n.near, render(n.kids[1]))
	}
	op := " AND "
	if n.kind == nodeOr {
		op = " OR "
	}
	parts := make([]string, len(n.kids))
	for i, k := range n.kids {
		parts[i] = render(k)
	}
	return "(" + strings.Join(parts, op) + ")"
}

func renderTerm(t *term) string {
	var s string
	switch t.kind {
	case termFrom:
		return "from:" + t.body
	case termLang:
		return "lang:" + t.body
	case termRegex:
		s = "regex" + "/" + t.body + "/"
	default:
		var c canonText
		canonicalize(&c, t.body, t.flags, false)
		words := strings.TrimSpace(string(c.buf))
		switch {
		case t.joined:
			s = fmt.Sprintf("hashtag[#%s]", strings.ReplaceAll(words, " ", ""))
		case t.prefix:
			s = fmt.Sprintf("prefix[%s*]", words)
		case strings.HasPrefix(words, "#"):
			s = fmt.Sprintf("hashtag[%s]", words)
		case strings.HasPrefix(words, "@"):
			s = fmt.Sprintf("mention[%s]", words)
		case strings.ContainsAny(words, " #@"):
			s = fmt.Sprintf("phrase[%s]", words)
		default:
			s = fmt.Sprintf("word[%s]", words)
		}
	}
	if t.flags != 0 {
		s += "~" + strings.ReplaceAll(t.flags.String(), "+", "~")
	}
	if t.tagToo {
		s += "~tag"
	}
	if t.caseSens {
		s += "~case"
	}
	return s
}
