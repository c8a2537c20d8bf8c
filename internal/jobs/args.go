package jobs

// PollArgs polls one watch. The job is perpetual: each run ends by
// snoozing until the watch is due again.
type PollArgs struct {
	Watch string `json:"watch" river:"unique"`
}

// Kind implements river.JobArgs.
func (PollArgs) Kind() string { return "poll" }

// DeliverArgs sends one outbox row.
type DeliverArgs struct {
	Delivery int64 `json:"delivery" river:"unique"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "deliver" }

// TimerArgs fires one timer (an escalation step, a mute expiry).
type TimerArgs struct {
	Timer int64 `json:"timer" river:"unique"`
}

// Kind implements river.JobArgs.
func (TimerArgs) Kind() string { return "timer" }

// ReconcileArgs re-inserts any missing poll, delivery or timer job.
type ReconcileArgs struct{}

// Kind implements river.JobArgs.
func (ReconcileArgs) Kind() string { return "reconcile" }

// RecheckArgs looks recently alerted posts up again for deletion.
type RecheckArgs struct{}

// Kind implements river.JobArgs.
func (RecheckArgs) Kind() string { return "recheck" }
