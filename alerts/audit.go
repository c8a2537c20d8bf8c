package alerts

import "time"

// Source says where an action came from.
type Source string

// The sources of actions.
const (
	SourceSlack   Source = "slack"
	SourceDiscord Source = "discord"
	SourceCLI     Source = "cli"
	SourceTimer   Source = "timer"
	SourceSystem  Source = "system"
)

// AuditEvent is an immutable record of one change: who, when, from where,
// why. ActionID is unique: recording the same action twice is refused,
// which is what makes every action apply at most once.
type AuditEvent struct {
	ID       int64     `json:"id"`
	ActionID string    `json:"action_id"`
	AlertID  int64     `json:"alert_id,omitempty"`
	MuteID   int64     `json:"mute_id,omitempty"`
	Action   Action    `json:"action"`
	Actor    string    `json:"actor"`
	Source   Source    `json:"source"`
	From     State     `json:"from,omitempty"`
	To       State     `json:"to,omitempty"`
	Detail   string    `json:"detail,omitempty"`
	At       time.Time `json:"at"`
}
