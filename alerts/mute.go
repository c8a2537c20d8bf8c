package alerts

import (
	"fmt"
	"strings"
	"time"
)

// MuteScope says what a mute suppresses.
type MuteScope string

// The mute scopes.
const (
	// ScopeAlert silences one alert: its escalations stop.
	ScopeAlert MuteScope = "alert"
	// ScopeAccount suppresses new matches from one author, in every watch.
	ScopeAccount MuteScope = "account"
	// ScopeKeyword suppresses new matches whose hits include a term.
	ScopeKeyword MuteScope = "keyword"
	// ScopeWatch suppresses every new match of a watch.
	ScopeWatch MuteScope = "watch"
	// ScopeAccountKeyword suppresses one author's matches on one term.
	ScopeAccountKeyword MuteScope = "account_keyword"
)

// Mute is a suppression. Muted matches are stored as muted, never posted.
type Mute struct {
	ID        int64     `json:"id"`
	Scope     MuteScope `json:"scope"`
	AlertID   int64     `json:"alert_id,omitempty"`
	Account   string    `json:"account,omitempty"`
	Keyword   string    `json:"keyword,omitempty"`
	Watch     string    `json:"watch,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// Notify is where notices about the mute (expiring, expired) go: the
	// channel it was created from, or the routes it affects.
	Notify []Destination `json:"notify,omitempty"`
	// Ended is set when the mute was lifted early or expired.
	Ended   bool      `json:"ended"`
	EndedAt time.Time `json:"ended_at,omitempty"`
}

// Ref is the short id people type: "M-7".
func (m *Mute) Ref() string { return fmt.Sprintf("M-%d", m.ID) }

// Active reports whether the mute is in force at t.
func (m *Mute) Active(t time.Time) bool {
	return !m.Ended && t.Before(m.ExpiresAt)
}

// Covers reports whether the mute suppresses a match of post p on watch w
// with hits. Accounts compare by stable id or by handle, case-insensitively,
// with or without a leading @; keywords compare by the term that fired.
func (m *Mute) Covers(w string, p *Post, hits []Hit) bool {
	switch m.Scope {
	case ScopeWatch:
		return m.Watch == w
	case ScopeAccount:
		return sameAccount(m.Account, p)
	case ScopeKeyword:
		return hitTerm(m.Keyword, hits)
	case ScopeAccountKeyword:
		return sameAccount(m.Account, p) && hitTerm(m.Keyword, hits)
	}
	// An alert mute applies to an existing alert, never to a new match.
	return false
}

// Describe says what the mute covers, for cards and replies.
func (m *Mute) Describe() string {
	switch m.Scope {
	case ScopeAlert:
		return FormatRef(m.AlertID)
	case ScopeAccount:
		return "@" + strings.TrimPrefix(m.Account, "@")
	case ScopeKeyword:
		return fmt.Sprintf("%q", m.Keyword)
	case ScopeWatch:
		return "watch " + m.Watch
	case ScopeAccountKeyword:
		return fmt.Sprintf("@%s on %q", strings.TrimPrefix(m.Account, "@"), m.Keyword)
	}
	return string(m.Scope)
}

// Validate checks that the mute names what its scope needs.
func (m *Mute) Validate() error {
	var missing string
	switch m.Scope {
	case ScopeAlert:
		if m.AlertID == 0 {
			missing = "an alert"
		}
	case ScopeAccount:
		if m.Account == "" {
			missing = "an account"
		}
	case ScopeKeyword:
		if m.Keyword == "" {
			missing = "a keyword"
		}
	case ScopeWatch:
		if m.Watch == "" {
			missing = "a watch"
		}
	case ScopeAccountKeyword:
		if m.Account == "" || m.Keyword == "" {
			missing = "an account and a keyword"
		}
	default:
		return fmt.Errorf("%w: unknown mute scope %q", ErrInvalid, m.Scope)
	}
	if missing != "" {
		return fmt.Errorf("%w: %s mute needs %s", ErrInvalid, strings.ReplaceAll(string(m.Scope), "_", "+"), missing)
	}
	if !m.ExpiresAt.After(m.CreatedAt) {
		return fmt.Errorf("%w: a mute needs a duration greater than zero", ErrInvalid)
	}
	return nil
}

func sameAccount(account string, p *Post) bool {
	a := strings.TrimPrefix(strings.ToLower(account), "@")
	if a == "" {
		return false
	}
	return a == strings.ToLower(p.AuthorID) || a == strings.TrimPrefix(strings.ToLower(p.Handle), "@")
}

func hitTerm(term string, hits []Hit) bool {
	t := strings.ToLower(strings.Trim(term, `"`))
	for _, h := range hits {
		if strings.ToLower(strings.Trim(h.Term, `"`)) == t {
			return true
		}
	}
	return false
}
