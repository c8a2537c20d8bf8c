package telegram

import "encoding/json"

// cursor is what a Telegram watch remembers between polls: the highest
// message id seen on each account, stored as JSON,
//
//	{"channels":{"durov":412,"durov?q=ton":398}}
//
// keyed by the account's lower-case channel name and search term. An
// account without an entry has never been polled: its first poll reads one
// page. A cursor that does not parse is treated as empty, which re-reads
// one page per account; deduplication downstream drops what was seen.
type cursor struct {
	Channels map[string]int64 `json:"channels,omitempty"`
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
	b, _ := json.Marshal(c) // a map of strings to ints always marshals
	return string(b)
}
