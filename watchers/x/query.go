package x

import (
	"fmt"
	"regexp"
	"strings"
)

// Search queries (https://docs.x.com/x-api/posts/search/integrate/build-a-query).
// Accounts are followed by user id, which from: accepts as well as a
// username: a renamed account stays in its query, and whoever takes its
// old name does not enter it.

// orSep joins alternatives in a query.
const orSep = " OR "

// batchAccounts packs user ids into from: queries of at most maxQueryLen
// characters, each followed by suffix (a keyword clause, or ""). ids keep
// their order.
func batchAccounts(ids []string, suffix string) [][]string {
	room := maxQueryLen - len(suffix)
	var out [][]string
	var cur []string
	n := 0
	for _, id := range ids {
		term := len("from:") + len(id)
		if len(cur) > 0 && n+len(orSep)+term+len("()") > room {
			out = append(out, cur)
			cur, n = nil, 0
		}
		if len(cur) > 0 {
			n += len(orSep)
		}
		cur = append(cur, id)
		n += term
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// accountQuery is the search query of one batch.
func accountQuery(ids []string, suffix string) string {
	var b strings.Builder
	if len(ids) > 1 && suffix != "" {
		b.WriteByte('(')
	}
	for i, id := range ids {
		if i > 0 {
			b.WriteString(orSep)
		}
		b.WriteString("from:")
		b.WriteString(id)
	}
	if len(ids) > 1 && suffix != "" {
		b.WriteByte(')')
	}
	b.WriteString(suffix)
	return b.String()
}

// plainToken is a keyword X can take unquoted: one word or one hashtag.
var plainToken = regexp.MustCompile(`^#?[\p{L}\p{N}_]+$`)

// searchTerm renders one watch keyword (a word, a phrase with or without
// quotes, or a #hashtag) as a query term. The query only narrows what X
// returns; Lookout's matcher still decides.
func searchTerm(kw string) string {
	s := strings.TrimSpace(kw)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	if plainToken.MatchString(s) && !isOperatorWord(s) {
		return s
	}
	// X has no escape for a quote inside a phrase; the matcher still
	// checks the keyword as written.
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, `"`, " ")), " ")
	return `"` + s + `"`
}

// isOperatorWord reports words X would read as query syntax.
func isOperatorWord(s string) bool {
	switch strings.ToUpper(s) {
	case "OR", "AND":
		return true
	}
	return false
}

// literalPhrase is a keyword that is plain words (or one #hashtag), with or
// without quotes, and no rule syntax.
var literalPhrase = regexp.MustCompile(`^"?#?[\p{L}\p{N}_]+(?:[ '.,-]+[\p{L}\p{N}_]+)*"?$`)

// ruleWords are the matcher's operators; a keyword holding one is a rule.
var ruleWords = regexp.MustCompile(`(^|[\s"(])(AND|OR|NOT|NEAR(/\d+)?)([\s")]|$)`)

// literal reports whether a keyword is a word, a phrase or a hashtag, which
// X search can look for as is. Rules (AND/OR/NOT/NEAR, prefix*, /regex/,
// lang:, from:, options) are left to the matcher: a search query built
// from them might miss posts the rule matches.
func literal(kw string) bool {
	s := strings.TrimSpace(kw)
	return literalPhrase.MatchString(s) && !ruleWords.MatchString(s)
}

// keywordQueries packs a watch's keywords into OR queries of at most
// maxQueryLen characters. It refuses keywords that are rules rather than
// literal terms, since the query must find every post the matcher would
// accept.
func keywordQueries(keywords []string) ([]string, error) {
	var out []string
	var b strings.Builder
	seen := map[string]bool{}
	for _, kw := range keywords {
		if !literal(kw) {
			return nil, fmt.Errorf("keyword %q is a rule X search cannot express as is; use words, phrases and #hashtags in an X keyword watch, or add accounts to the watch so the rule only filters their posts", kw)
		}
		t := searchTerm(kw)
		if t == `""` || seen[t] {
			continue
		}
		seen[t] = true
		if len(t) > maxQueryLen {
			return nil, fmt.Errorf("keyword %q is longer than X's %d-character query limit", kw, maxQueryLen)
		}
		if b.Len() > 0 && b.Len()+len(orSep)+len(t) > maxQueryLen {
			out = append(out, b.String())
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteString(orSep)
		}
		b.WriteString(t)
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out, nil
}

// keywordClause is the " (k1 OR k2)" narrowing added to account batches,
// or "" when the keywords are too long to share a query with accounts.
func keywordClause(keywords []string) string {
	qs, err := keywordQueries(keywords)
	if err != nil || len(qs) != 1 || len(qs[0]) > maxKeywordClause {
		return ""
	}
	if strings.Contains(qs[0], orSep) {
		return " (" + qs[0] + ")"
	}
	return " " + qs[0]
}
