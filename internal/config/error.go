package config

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a configuration.
type Problem struct {
	// Key is the TOML key path, as in "watch[1].interval" or
	// "policy[0].step[1].after"; empty for syntax errors.
	Key string
	// Line is the 1-based line in the file; 0 when unknown.
	Line int
	// Msg says what is wrong and how to fix it. It never holds a secret.
	Msg string
}

// Error lists every problem found in one configuration.
type Error struct {
	File     string
	Problems []Problem
}

// Error returns one problem per line, as in
// `lookout.toml:12: watch[1].interval: must be at least 10s (got "1s")`.
func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		switch {
		case e.File != "" && p.Line > 0:
			b.WriteString(e.File + ":" + strconv.Itoa(p.Line) + ": ")
		case e.File != "":
			b.WriteString(e.File + ": ")
		case p.Line > 0:
			b.WriteString("line " + strconv.Itoa(p.Line) + ": ")
		}
		if p.Key != "" {
			b.WriteString(p.Key + ": ")
		}
		b.WriteString(p.Msg)
	}
	return b.String()
}

// sortProblems orders problems by line, keeping problems without a line at
// the end and the order of problems on the same line.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if (a.Line == 0) != (b.Line == 0) {
			if a.Line == 0 {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.Line, b.Line)
	})
}

// suggest returns ` (did you mean "x"?)` when a candidate is within edit
// distance 2 of word, and "" otherwise.
func suggest(word string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := editDistance(word, c); d < bestDist && d < len(word) {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return ` (did you mean "` + best + `"?)`
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
