package mastodon

import (
	"net/url"
	"strings"
)

// linkMinID returns the min_id of the rel="prev" link of a Link header
// (RFC 8288): the cursor Mastodon itself offers for the page after the one
// just read, paging forward. It returns "" when there is none.
//
//	Link: <https://m.example/api/v1/accounts/1/statuses?max_id=7>; rel="next",
//	      <https://m.example/api/v1/accounts/1/statuses?min_id=9>; rel="prev"
//
// Only the query parameter is taken: the link's host and path are never
// followed, so a hostile header cannot send the next request elsewhere.
// https://docs.joinmastodon.org/api/guidelines/#pagination
func linkMinID(header string) string {
	for _, part := range splitLinks(header) {
		target, params, ok := strings.Cut(part, ";")
		target = strings.TrimSpace(target)
		if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
			continue
		}
		if !hasRel(params, "prev") {
			continue
		}
		u, err := url.Parse(target[1 : len(target)-1])
		if err != nil {
			continue
		}
		return u.Query().Get("min_id")
	}
	return ""
}

// splitLinks splits a Link header at the commas between link values; a
// comma inside <…> belongs to the URL.
func splitLinks(h string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(h); i++ {
		switch h[i] {
		case '<':
			depth++
		case '>':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 {
				out = append(out, h[start:i])
				start = i + 1
			}
		}
	}
	return append(out, h[start:])
}

// hasRel reports whether link parameters (`; rel="prev"; type=…`) include
// the relation rel. rel may list several space-separated relations.
func hasRel(params, rel string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
			continue
		}
		for _, r := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
			if strings.EqualFold(r, rel) {
				return true
			}
		}
	}
	return false
}
