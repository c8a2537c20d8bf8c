package alerts

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Alert is a match the team must see: one per (watch, post chain).
type Alert struct {
	ID       int64    `json:"-"`
	Watch    string   `json:"watch"`
	Severity Severity `json:"severity"`
	Route    string   `json:"route"`
	State    State    `json:"state"`
	// Muted alerts are stored but not delivered; MuteID names the mute.
	Muted  bool  `json:"muted"`
	MuteID int64 `json:"mute_id,omitempty"`
	Post   Post  `json:"post"`
	// Latest is the newest version of the post when it was edited after
	// the alert was raised (loaded by the single-alert lookup; nil
	// otherwise). Post and Evidence stay the version that alerted.
	Latest *Post `json:"latest,omitempty"`
	// PostKey is the store's key of the post version that raised the alert.
	PostKey  int64    `json:"-"`
	Evidence Evidence `json:"evidence"`
	Hits     []Hit    `json:"hits,omitempty"`
	Assignee string   `json:"assignee,omitempty"`
	// Last* describe the latest state change, for the card's state line.
	LastActor   string `json:"last_actor,omitempty"`
	LastAction  Action `json:"last_action,omitempty"`
	LastReason  string `json:"last_reason,omitempty"`
	EscalatedTo string `json:"escalated_to,omitempty"`
	// EscalationStep counts the policy steps already fired.
	EscalationStep int       `json:"escalation_step"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Ref is the short id people type: "A-42".
func (a *Alert) Ref() string { return FormatRef(a.ID) }

// FormatRef renders an alert id as "A-<n>".
func FormatRef(id int64) string { return "A-" + strconv.FormatInt(id, 10) }

// ParseRef reads "A-42", "a-42" or "42" into an alert id.
func ParseRef(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if len(t) > 2 && (t[0] == 'A' || t[0] == 'a') && t[1] == '-' {
		t = t[2:]
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || strings.IndexFunc(t, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, fmt.Errorf("%w: %q is not an alert id (expected A-42)", ErrInvalid, s)
	}
	return n, nil
}

// AlertFilter selects alerts for listing and export. Zero fields match all.
type AlertFilter struct {
	States []State
	Watch  string
	Since  time.Time
	Until  time.Time
	// IncludeMuted lists muted alerts too.
	IncludeMuted bool
	Limit        int
}
