package x

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/lookoutbot/lookout/watchers/match"
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

// plainToken is a word X can take unquoted.
var plainToken = regexp.MustCompile(`^[\p{L}\p{N}_]+$`)

// searchLang is a language X's lang: operator accepts (no regions).
var searchLang = regexp.MustCompile(`^[a-z]{2,3}$`)

// queryTerm writes one term of a search cover in X's query syntax. The
// query only narrows what X returns; Lookout's matcher still decides.
func queryTerm(t match.SearchTerm) (string, error) {
	switch t.Kind {
	case match.SearchWord:
		if plainToken.MatchString(t.Text) && !isOperatorWord(t.Text) {
			return t.Text, nil
		}
		return quoted(t.Text), nil
	case match.SearchPhrase:
		return quoted(t.Text), nil
	case match.SearchFrom:
		if !usernamePattern.MatchString(t.Text) && !validID(t.Text) {
			return "", fmt.Errorf("from:%s is not an X account (a username or a user id)", t.Text)
		}
	}
	return t.String(), nil
}

// quoted is an exact-phrase term. X has no escape for a quote inside a
// phrase; the matcher still checks the keyword as written.
func quoted(s string) string {
	return `"` + strings.Join(strings.Fields(strings.ReplaceAll(s, `"`, " ")), " ") + `"`
}

// isOperatorWord reports words X would read as query syntax.
func isOperatorWord(s string) bool {
	switch strings.ToUpper(s) {
	case "OR", "AND":
		return true
	}
	return false
}

// coverTerms derives the search cover of a watch's keywords
// (match.SearchCover): query terms such that every post any rule matches
// holds one of them, and " lang:xx" when every rule requires a language.
func coverTerms(keywords []string) ([]string, string, error) {
	cv, err := match.SearchCover(keywords, match.SearchAll)
	if err != nil {
		return nil, "", fmt.Errorf("x search: %w; or add accounts to the watch so its keywords only filter their posts", err)
	}
	terms := make([]string, 0, len(cv.Terms))
	for _, t := range cv.Terms {
		q, err := queryTerm(t)
		if err != nil {
			return nil, "", fmt.Errorf("x search: %w", err)
		}
		terms = append(terms, q)
	}
	suffix := ""
	if searchLang.MatchString(cv.Lang) {
		suffix = " lang:" + cv.Lang
	}
	return terms, suffix, nil
}

// keywordQueries packs the search cover of a watch's keywords into
// "t1 OR \"t 2\" OR #t3" queries of at most maxQueryLen characters,
// parenthesised when a lang: filter follows. It fails, naming each
// keyword and why, when a rule has no literal X could search for (prefix*,
// /regex/, ~leet…): such a query could miss posts the rule matches.
func keywordQueries(keywords []string) ([]string, error) {
	terms, suffix, err := coverTerms(keywords)
	if err != nil {
		return nil, err
	}
	room := maxQueryLen - len(suffix)
	if suffix != "" {
		room -= len("()")
	}
	var groups [][]string
	var cur []string
	n := 0
	for _, t := range terms {
		if len(t) > room {
			return nil, fmt.Errorf("x search: term %s is longer than X's %d-character query limit", t, maxQueryLen)
		}
		if len(cur) > 0 && n+len(orSep)+len(t) > room {
			groups = append(groups, cur)
			cur, n = nil, 0
		}
		if len(cur) > 0 {
			n += len(orSep)
		}
		cur = append(cur, t)
		n += len(t)
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = orGroup(g, suffix)
	}
	return out, nil
}

// orGroup joins terms with OR, followed by suffix; X applies AND before
// OR, so several terms take parentheses when a suffix follows.
func orGroup(terms []string, suffix string) string {
	q := strings.Join(terms, orSep)
	if len(terms) > 1 && suffix != "" {
		q = "(" + q + ")"
	}
	return q + suffix
}

// keywordClause is the " (k1 OR k2)" narrowing added to account batches:
// the search cover of the keywords, or "" when they have none or it is too
// long to share a query with accounts (the matcher then filters alone).
func keywordClause(keywords []string) string {
	terms, suffix, err := coverTerms(keywords)
	if err != nil || len(strings.Join(terms, orSep)) > maxKeywordClause {
		return ""
	}
	if len(terms) > 1 {
		return " (" + strings.Join(terms, orSep) + ")" + suffix
	}
	return " " + terms[0] + suffix
}
