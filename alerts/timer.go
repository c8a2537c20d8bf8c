package alerts

import "time"

// TimerKind says what a timer does when it fires.
type TimerKind string

// The timer kinds.
const (
	TimerEscalate     TimerKind = "escalate"
	TimerMuteExpiring TimerKind = "mute_expiring"
	TimerMuteExpired  TimerKind = "mute_expired"
)

// TimerState is where a timer stands.
type TimerState string

// The timer states.
const (
	TimerPending   TimerState = "pending"
	TimerDone      TimerState = "done"
	TimerCancelled TimerState = "cancelled"
)

// Timer is a piece of work due at a time: an escalation step, a mute
// notice. Timers live in the store, so they survive restarts.
type Timer struct {
	ID      int64      `json:"id"`
	Kind    TimerKind  `json:"kind"`
	AlertID int64      `json:"alert_id,omitempty"`
	MuteID  int64      `json:"mute_id,omitempty"`
	Step    int        `json:"step"`
	DueAt   time.Time  `json:"due_at"`
	State   TimerState `json:"state"`
	// JobID is the work engine's job that fires the timer, so cancelling
	// the timer can cancel the job in the same transaction.
	JobID int64 `json:"job_id,omitempty"`
}
