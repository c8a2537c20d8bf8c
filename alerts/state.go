package alerts

// State is where an alert stands in its lifecycle.
type State string

// The alert states.
const (
	StateOpen      State = "open"
	StateAcked     State = "acked"
	StateEscalated State = "escalated"
	StateResolved  State = "resolved"
)

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	switch s {
	case StateOpen, StateAcked, StateEscalated, StateResolved:
		return true
	}
	return false
}

// Action names a change a person or a timer asks for.
type Action string

// The actions. Transitions change the state; assign, note, mute and unmute
// leave it as it is but are audited like the others.
const (
	ActionAck      Action = "ack"
	ActionUnack    Action = "unack"
	ActionEscalate Action = "escalate"
	ActionResolve  Action = "resolve"
	ActionReopen   Action = "reopen"
	ActionAssign   Action = "assign"
	ActionNote     Action = "note"
	ActionMute     Action = "mute"
	ActionUnmute   Action = "unmute"
	// ActionCreate is recorded when an alert is first raised.
	ActionCreate Action = "create"
	// ActionWatchAdd and ActionWatchRemove record watches changed at run time.
	ActionWatchAdd    Action = "watch_add"
	ActionWatchRemove Action = "watch_remove"
	// ActionPostDeleted records that the platform reported the post
	// deleted or removed; the evidence is kept.
	ActionPostDeleted Action = "post_deleted"
	// ActionPostEdited records a new version of the post on the platform.
	ActionPostEdited Action = "post_edited"
	// ActionRefused records a request the actor's role does not allow.
	ActionRefused Action = "refused"
)

// transitions lists, for each state-changing action, the states it applies
// to and where it leads. Anything else is stale.
var transitions = map[Action]map[State]State{
	ActionAck:      {StateOpen: StateAcked, StateEscalated: StateAcked},
	ActionUnack:    {StateAcked: StateOpen},
	ActionEscalate: {StateOpen: StateEscalated, StateAcked: StateEscalated, StateEscalated: StateEscalated},
	ActionResolve:  {StateOpen: StateResolved, StateAcked: StateResolved, StateEscalated: StateResolved},
	ActionReopen:   {StateResolved: StateOpen},
	// Assigning and noting are allowed until the alert is resolved; a note
	// on a resolved alert is allowed too, since post-mortems need it.
	ActionAssign: {StateOpen: StateOpen, StateAcked: StateAcked, StateEscalated: StateEscalated},
	ActionNote:   {StateOpen: StateOpen, StateAcked: StateAcked, StateEscalated: StateEscalated, StateResolved: StateResolved},
	ActionMute:   {StateOpen: StateOpen, StateAcked: StateAcked, StateEscalated: StateEscalated, StateResolved: StateResolved},
	ActionUnmute: {StateOpen: StateOpen, StateAcked: StateAcked, StateEscalated: StateEscalated, StateResolved: StateResolved},
}

// Next returns the state an action leads to from s, or false when the
// action does not apply (a stale action).
func Next(s State, a Action) (State, bool) {
	to, ok := transitions[a][s]
	return to, ok
}

// Actions lists the state-changing actions that apply in state s, in the
// order buttons show them.
func Actions(s State) []Action {
	var out []Action
	for _, a := range []Action{ActionAck, ActionUnack, ActionEscalate, ActionResolve, ActionReopen} {
		if _, ok := Next(s, a); ok {
			out = append(out, a)
		}
	}
	return out
}

// ValidAction reports whether a is a known action.
func ValidAction(a Action) bool {
	_, ok := transitions[a]
	return ok
}
