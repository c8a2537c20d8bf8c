package alerts

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Callers test them with errors.Is.
var (
	// ErrNotFound reports that an alert, mute, watch or delivery does not exist.
	ErrNotFound = errors.New("not found")
	// ErrStale reports a transition that does not apply to the alert's
	// current state, such as acknowledging a resolved alert.
	ErrStale = errors.New("stale action")
	// ErrForbidden reports that the actor's role does not allow the action.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalid reports a request that is malformed: a bad id, a missing
	// argument, a duration out of range.
	ErrInvalid = errors.New("invalid request")
	// ErrConflict reports a write that lost a race with another writer, such
	// as two replicas recording the same action id at once. The caller may
	// retry the whole operation.
	ErrConflict = errors.New("conflict")
	// ErrPermanent marks a delivery failure that retrying cannot fix: an
	// unknown channel, a revoked token, a message the platform refuses.
	ErrPermanent = errors.New("permanent failure")
)

// StaleError explains why a transition was refused, for the person who
// asked: "A-42 is already resolved (by cli:maria 3m ago)".
type StaleError struct {
	Alert  string
	Action Action
	State  State
	By     string
}

// Error implements error.
func (e *StaleError) Error() string {
	msg := fmt.Sprintf("cannot %s %s: it is %s", e.Action, e.Alert, e.State)
	if e.By != "" {
		msg += " (by " + e.By + ")"
	}
	return msg
}

// Is makes errors.Is(err, ErrStale) true.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

// RetryAfterError reports a temporary refusal by a platform, with the time
// it asked us to wait. Jobs turn it into a snooze rather than a failure.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

// Error implements error.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}

// Unwrap returns the underlying error.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter returns the wait an error asks for, if it carries one.
func RetryAfter(err error) (time.Duration, bool) {
	var ra *RetryAfterError
	if errors.As(err, &ra) {
		return ra.After, true
	}
	return 0, false
}
