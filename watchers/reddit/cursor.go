package reddit

import "encoding/json"

// cursor is what a Reddit watch remembers between polls: the newest
// submission seen in each listing, stored as JSON,
//
//	{"listings":{"r/example":{"name":"t3_abc","created":1767225600}}}
//
// keyed by the listing ("r/sub", "u/name" or "search"). The next poll pages
// back until it meets that fullname or anything older than its time, so a
// newest post deleted in the meantime does not make it read every page. A
// cursor that does not parse is treated as empty: one page is read and
// deduplication on fullnames drops what was already seen.
type cursor struct {
	Listings map[string]mark `json:"listings,omitempty"`
}

type mark struct {
	Name    string  `json:"name"`
	Created float64 `json:"created"`
}

func parseCursor(s string) cursor {
	var c cursor
	if s == "" || json.Unmarshal([]byte(s), &c) != nil {
		return cursor{}
	}
	return c
}

// String encodes the cursor.
func (c cursor) String() string {
	b, _ := json.Marshal(c) // strings and floats from JSON always marshal
	return string(b)
}
