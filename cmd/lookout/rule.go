package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/watchers/match"
)

const ruleUsage = `usage:
  lookout rule test [--lang es] [--from HANDLE] 'RULE' 'TEXT'
      show the text as the matcher reads it, each rule's reading, the hits and the verdict
  lookout rule test --watch NAME [--since 7d] [--limit 10000] [--samples 5]
  lookout rule test --since 7d [--limit 10000] [--samples 5] 'RULE' ['RULE'...]
      replay stored posts against a watch's keywords, or against rules not yet in any watch,
      and report how many would have matched, by term, with samples
rules are documented in docs/rules.md`

func cmdRule(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "test" {
		return fmt.Errorf("%s: %w", ruleUsage, errUsage)
	}
	fs := flag.NewFlagSet("rule test", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	watch := fs.String("watch", "", "replay stored posts against this watch's keywords")
	since := fs.String("since", "", "replay posts fetched in this window: 7d, 36h, 90m")
	limit := fs.Int("limit", 10000, "replay at most this many posts, newest first")
	samples := fs.Int("samples", 5, "show this many matching posts")
	lang := fs.String("lang", "", "language of the test text, for lang: terms")
	from := fs.String("from", "", "author handle of the test text, for from: terms")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return fmt.Errorf("%s: %w", ruleUsage, errUsage)
	}
	switch {
	case *watch != "" || *since != "":
		if *watch != "" && len(pos) > 0 || *watch == "" && len(pos) == 0 {
			return fmt.Errorf("replay takes --watch NAME or rules, not both: %s: %w", ruleUsage, errUsage)
		}
		window := 7 * 24 * time.Hour
		if *since != "" {
			if window, err = parseWindow(*since); err != nil {
				return fmt.Errorf("--since %q: %v: %w", *since, err, errUsage)
			}
		}
		return ruleReplay(ctx, e, replayOptions{watch: *watch, rules: pos, window: window, limit: *limit, samples: *samples})
	case len(pos) != 2:
		return fmt.Errorf("rule test takes a rule and a text: %s: %w", ruleUsage, errUsage)
	}
	return ruleTestText(e.stdout, pos[0], &alerts.Post{Text: pos[1], Lang: *lang, Handle: *from})
}

// ruleTestText explains one rule on one text.
func ruleTestText(w io.Writer, rule string, p *alerts.Post) error {
	r, err := match.Compile([]string{rule})
	if err != nil {
		showRuleError(w, rule, err)
		return err
	}
	ex := r.Explain(p)
	fmt.Fprintf(w, "folded:  %s\n", strconv.Quote(ex.Folded))
	for _, s := range ex.Streams {
		fmt.Fprintf(w, "%-8s %s\n", s.Folds+":", strconv.Quote(s.Text))
	}
	for _, rr := range ex.Rules {
		fmt.Fprintf(w, "rule:    %s\nreads:   %s\n", rr.Rule, rr.Parsed)
		if rr.Slow {
			fmt.Fprintln(w, "slow:    this rule has a /regex/: it runs on the text of every post the rule is evaluated for, not in the automaton")
		}
	}
	for _, warn := range r.Warnings() {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	if len(ex.Hits) == 0 {
		fmt.Fprintln(w, "hits:    none")
	}
	for i, h := range ex.Hits {
		label := "hits:"
		if i > 0 {
			label = ""
		}
		fmt.Fprintf(w, "%-8s %s at %d-%d: %s\n", label, h.Term, h.Start, h.End, strconv.Quote(p.Text[h.Start:h.End]))
	}
	verdict := "no match"
	if ex.Matched {
		verdict = "MATCH"
	}
	fmt.Fprintf(w, "verdict: %s\n", verdict)
	return nil
}

// showRuleError prints the rule with a caret under the column at fault.
func showRuleError(w io.Writer, rule string, err error) {
	var re *match.RuleError
	if !errors.As(err, &re) {
		return
	}
	fmt.Fprintf(w, "  %s\n  %s^\n", rule, strings.Repeat(" ", re.Column-1))
}

// parseWindow reads a duration that may be given in days: 7d, 36h, 90m.
func parseWindow(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("want a positive number of days")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("want a positive duration such as 7d or 36h")
	}
	return d, nil
}

type replayOptions struct {
	watch          string
	rules          []string
	window         time.Duration
	limit, samples int
}

// ruleReplay matches stored posts against a watch or a set of rules and
// reports what would have fired.
func ruleReplay(ctx context.Context, e *env, o replayOptions) error {
	a, err := openCLI(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	w := &alerts.Watch{Name: "rule-test", Keywords: o.rules}
	if o.watch != "" {
		if w, err = a.registry.Get(ctx, o.watch); err != nil {
			return err
		}
	}
	if _, err := match.Compile(w.Keywords); err != nil {
		for _, kw := range w.Keywords {
			if _, kerr := match.Compile([]string{kw}); kerr != nil {
				showRuleError(e.stdout, kw, kerr)
			}
		}
		return err
	}
	since := a.now().Add(-o.window)
	var posts []*alerts.Post
	err = a.store.View(ctx, func(tx alerts.Tx) error {
		var err error
		posts, err = tx.Posts(ctx, since, o.limit)
		return err
	})
	if err != nil {
		return fmt.Errorf("replay posts: %w", err)
	}
	m := match.New()
	byTerm := map[string]int{}
	var matched []*alerts.Post
	var hits [][]alerts.Hit
	start := time.Now()
	for _, p := range posts {
		got, ok := m.Match(w, p)
		if !ok {
			continue
		}
		matched = append(matched, p)
		hits = append(hits, got.Hits)
		for _, t := range got.Terms() {
			byTerm[t]++
		}
	}
	elapsed := time.Since(start)
	what := "watch " + w.Name
	if o.watch == "" {
		what = fmt.Sprintf("%d rule(s)", len(o.rules))
	}
	fmt.Fprintf(e.stdout, "%s: %d of %d posts since %s would have matched (%.1f%%), matched in %s\n",
		what, len(matched), len(posts), since.Format(time.RFC3339), percent(len(matched), len(posts)), elapsed.Round(time.Millisecond))
	if len(posts) == o.limit {
		fmt.Fprintf(e.stdout, "(stopped at --limit %d posts)\n", o.limit)
	}
	terms := make([]string, 0, len(byTerm))
	for t := range byTerm {
		terms = append(terms, t)
	}
	sort.Slice(terms, func(i, j int) bool {
		if byTerm[terms[i]] != byTerm[terms[j]] {
			return byTerm[terms[i]] > byTerm[terms[j]]
		}
		return terms[i] < terms[j]
	})
	for _, t := range terms {
		fmt.Fprintf(e.stdout, "  %6d  %s\n", byTerm[t], t)
	}
	for i, p := range matched[:min(o.samples, len(matched))] {
		fmt.Fprintf(e.stdout, "\n[%d] %s @%s %s %s\n    %s\n", i+1, p.Platform, p.Handle, p.CreatedAt.Format(time.DateTime), p.URL, highlight(p.MatchText(), hits[i]))
	}
	return nil
}

func percent(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// maxSample bounds how much of a sample post is printed.
const maxSample = 400

// highlight marks hits with »…« in one line of text.
func highlight(text string, hits []alerts.Hit) string {
	var b strings.Builder
	at := 0
	for _, h := range hits {
		if h.Start < at {
			continue // overlapping hits: the first one is marked
		}
		b.WriteString(text[at:h.Start])
		b.WriteString("»" + text[h.Start:h.End] + "«")
		at = h.End
	}
	b.WriteString(text[at:])
	s := strings.Join(strings.Fields(b.String()), " ")
	if len(s) > maxSample {
		cut := maxSample
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
