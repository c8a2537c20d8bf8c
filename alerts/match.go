package alerts

// Hit is one term that fired, with its byte offsets in the post's
// MatchText, so a card can bold exactly the words that matched.
type Hit struct {
	Term  string `json:"term"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// Match is the outcome of a watch's rules on a post.
type Match struct {
	Hits []Hit `json:"hits,omitempty"`
}

// Terms returns the distinct terms that fired, in order of first hit.
func (m Match) Terms() []string {
	seen := make(map[string]bool, len(m.Hits))
	var out []string
	for _, h := range m.Hits {
		if !seen[h.Term] {
			seen[h.Term] = true
			out = append(out, h.Term)
		}
	}
	return out
}

// Matcher decides whether a post satisfies a watch. Implementations must be
// safe for concurrent use.
type Matcher interface {
	Match(w *Watch, p *Post) (Match, bool)
}
