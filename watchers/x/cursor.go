package x

import (
	"encoding/json"
	"fmt"
)

// cursorVersion is bumped when the cursor's meaning changes.
const cursorVersion = 1

// cursor is what a watch remembers between polls, stored as JSON with the
// posts of the poll that produced it (so it is opaque to the core).
//
// Account watches keep one stream per user id, so a watch whose accounts
// are edited keeps every remaining account's position even though the
// search batches are regrouped. Keyword watches keep one stream per query
// string.
type cursor struct {
	V int `json:"v"`
	// Names maps each watched account as written (lower-cased, without
	// "@") to its user id, resolved once. A renamed account keeps being
	// followed by id, and nobody who later takes the old name is.
	Names map[string]string `json:"names,omitempty"`
	// Users holds each followed user's last known username and stream.
	Users map[string]*account `json:"users,omitempty"`
	// Missing lists accounts the API said do not exist, already reported.
	Missing []string `json:"missing,omitempty"`
	// Queries holds the stream of each keyword search query.
	Queries map[string]*stream `json:"queries,omitempty"`
}

// account is one followed user.
type account struct {
	Handle string `json:"handle"`
	stream
}

// stream is the position in one sequence of posts, newest-first on the
// wire. Since is the newest id fully caught up to. When a poll stops at
// Options.MaxPages with older posts still unread, Until is the oldest id
// read and Newest the newest: the next polls read (Since, Until) first,
// then move Since to Newest. Nothing is skipped, only delayed.
type stream struct {
	Since  string `json:"since,omitempty"`
	Until  string `json:"until,omitempty"`
	Newest string `json:"newest,omitempty"`
}

// pending reports whether the stream has a backlog to finish.
func (s *stream) pending() bool { return s.Until != "" }

func newCursor() *cursor {
	return &cursor{V: cursorVersion, Names: map[string]string{}, Users: map[string]*account{}, Queries: map[string]*stream{}}
}

// decodeCursor reads a stored cursor; "" is a watch's first poll.
func decodeCursor(s string) (*cursor, error) {
	c := newCursor()
	if s == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(s), c); err != nil {
		return nil, fmt.Errorf("decode cursor: %w", err)
	}
	if c.V != cursorVersion {
		return nil, fmt.Errorf("decode cursor: version %d, want %d", c.V, cursorVersion)
	}
	if c.Names == nil {
		c.Names = map[string]string{}
	}
	if c.Users == nil {
		c.Users = map[string]*account{}
	}
	if c.Queries == nil {
		c.Queries = map[string]*stream{}
	}
	for id, a := range c.Users {
		if a == nil || !validID(id) || !a.valid() {
			return nil, fmt.Errorf("decode cursor: bad user %q", id)
		}
	}
	for q, st := range c.Queries {
		if st == nil || !st.valid() {
			return nil, fmt.Errorf("decode cursor: bad query %q", q)
		}
	}
	return c, nil
}

func (s *stream) valid() bool {
	ok := func(id string) bool { return id == "" || validID(id) }
	return ok(s.Since) && ok(s.Until) && ok(s.Newest)
}

func (c *cursor) encode() string {
	b, err := json.Marshal(c)
	if err != nil {
		// Only maps of strings and structs of strings: cannot fail.
		panic(fmt.Sprintf("x: encode cursor: %v", err))
	}
	return string(b)
}
