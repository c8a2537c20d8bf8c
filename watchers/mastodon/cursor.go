package mastodon

import (
	"encoding/json"
	"time"
)

// cursor is what a Mastodon watch remembers between polls, stored as JSON
// and opaque to the core:
//
//	{"accounts":{"alice@m.example":{"id":"1093","uri":"https://m.example/users/alice",
//	  "acct":"alice@m.example","min_id":"11030"}},"tags":{"cartel":{"min_id":"11031"}}}
//
// Accounts are keyed by the account as written in the watch (normalised),
// tags by their lower-case name. An account's entry caches its resolved
// id, stable URI and current handle, so a restart needs no lookups and a
// handle change is noticed. min_id is the newest status id seen; the next
// poll asks for what comes after it. A cursor that does not parse is
// treated as empty: every account is baselined again and deduplication
// downstream drops what was already seen.
type cursor struct {
	Accounts map[string]*accountState `json:"accounts,omitempty"`
	Tags     map[string]*tagState     `json:"tags,omitempty"`
}

// accountState is one watched account's entry.
type accountState struct {
	// ID is the account's id on the instance that serves its statuses.
	ID string `json:"id,omitempty"`
	// URI is the ActivityPub actor URI, the stable AuthorID.
	URI string `json:"uri,omitempty"`
	// Acct is the current handle, always "user@domain".
	Acct string `json:"acct,omitempty"`
	// Local is set when the account is read through the configured
	// instance because its home instance refused anonymous reads.
	Local bool `json:"local,omitempty"`
	// MinID is the newest status id seen; "0" for an account that had no
	// statuses when it was first polled.
	MinID string `json:"min_id,omitempty"`
	// GoneAt is when the account was last not found; it is skipped until
	// goneRecheck has passed.
	GoneAt time.Time `json:"gone_at,omitzero"`
}

// tagState is one hashtag timeline's entry.
type tagState struct {
	MinID string `json:"min_id,omitempty"`
}

func parseCursor(s string) *cursor {
	c := &cursor{}
	if s != "" && json.Unmarshal([]byte(s), c) != nil {
		c = &cursor{}
	}
	if c.Accounts == nil {
		c.Accounts = map[string]*accountState{}
	}
	if c.Tags == nil {
		c.Tags = map[string]*tagState{}
	}
	for k, v := range c.Accounts {
		if v == nil {
			delete(c.Accounts, k)
		}
	}
	for k, v := range c.Tags {
		if v == nil {
			delete(c.Tags, k)
		}
	}
	return c
}

func (c *cursor) String() string {
	b, _ := json.Marshal(c) // maps of plain structs always marshal
	return string(b)
}
