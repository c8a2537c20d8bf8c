package alerts

import (
	"fmt"
	"strings"
	"time"
)

// Destination is one place a message can go, written "slack:C123",
// "discord:123456" (a channel), "discord:role:42", "discord:user:7",
// "slack:@U123" or "console".
type Destination string

// Platform is the chat platform of a destination: slack, discord, console.
func (d Destination) Platform() string {
	p, _, _ := strings.Cut(string(d), ":")
	return p
}

// Target is the destination without its platform prefix.
func (d Destination) Target() string {
	_, t, _ := strings.Cut(string(d), ":")
	return t
}

// ParseDestination checks a destination's form.
func ParseDestination(s string) (Destination, error) {
	d := Destination(strings.TrimSpace(s))
	switch d.Platform() {
	case "console":
		if d == "console" {
			return d, nil
		}
	case "slack", "discord":
		if d.Target() != "" {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w: destination %q is not slack:<channel>, discord:<channel> or console", ErrInvalid, s)
}

// Route says where a watch's alerts go and which policy escalates them.
type Route struct {
	Name         string
	Destinations []Destination
	Policy       string
	// GroupWindow batches alerts of one watch arriving within the window
	// into one card update instead of one card each. Zero posts each alert.
	GroupWindow time.Duration
}

// Policy is an escalation policy: ordered steps that fire while an alert
// stays unacknowledged.
type Policy struct {
	Name  string
	Steps []Step
	// Repeat is how many more times the whole sequence runs after the
	// last step.
	Repeat int
}

// Step is one escalation step: after After without an ack, notify.
type Step struct {
	After  time.Duration
	Notify []Destination
}

// StepAt returns the step to fire as the n-th escalation (0-based), counting
// repeats, with the delay from the alert's creation; false when the policy
// is exhausted.
func (p *Policy) StepAt(n int) (Step, time.Duration, bool) {
	if len(p.Steps) == 0 || n < 0 {
		return Step{}, 0, false
	}
	round, i := n/len(p.Steps), n%len(p.Steps)
	if round > p.Repeat {
		return Step{}, 0, false
	}
	last := p.Steps[len(p.Steps)-1].After
	s := p.Steps[i]
	return s, time.Duration(round)*last + s.After, true
}
