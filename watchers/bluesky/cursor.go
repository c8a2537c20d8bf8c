package bluesky

import (
	"encoding/json"
	"maps"
	"time"
)

// cursor is a watch's position, stored as JSON in its WatchState:
//
//	{"accounts":{"alice.bsky.social":{"did":"did:plc:…","handle":"alice.bsky.social",
//	  "last":"at://…","last_at":"2026-…"}},"time_us":1731000000000000}
//
// Accounts serve getAuthorFeed polling: the DID resolved once, the handle
// last seen (to notice a rename) and the newest feed item seen with its
// time. TimeUS is the Jetstream position up to which every event was
// processed for this watch; polling sets it too (to the poll's start,
// less a margin), so a switch to the stream resumes without a gap. Both
// modes write the same shape, and post ids (at-URIs) are the same in
// both, so deduplication holds across a switch.
type cursor struct {
	Accounts map[string]*accountCursor `json:"accounts,omitempty"`
	TimeUS   int64                     `json:"time_us,omitempty"`
}

type accountCursor struct {
	DID    string    `json:"did,omitempty"`
	Handle string    `json:"handle,omitempty"`
	Last   string    `json:"last,omitempty"`
	LastAt time.Time `json:"last_at,omitzero"`
}

// parseCursor reads a stored cursor. One that does not parse is treated
// as empty: every account is read afresh and deduplication drops what was
// already seen.
func parseCursor(raw string) *cursor {
	c := &cursor{}
	if raw != "" {
		_ = json.Unmarshal([]byte(raw), c)
	}
	if c.Accounts == nil {
		c.Accounts = make(map[string]*accountCursor)
	}
	return c
}

func (c *cursor) String() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// clone copies c deeply.
func (c *cursor) clone() *cursor {
	out := &cursor{TimeUS: c.TimeUS, Accounts: make(map[string]*accountCursor, len(c.Accounts))}
	for k, v := range maps.All(c.Accounts) {
		a := *v
		out.Accounts[k] = &a
	}
	return out
}

// account returns the entry of a watch's account, creating it.
func (c *cursor) account(a string) *accountCursor {
	k := normAccount(a)
	ac, ok := c.Accounts[k]
	if !ok {
		ac = &accountCursor{}
		c.Accounts[k] = ac
	}
	return ac
}
