package alerts_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

func TestPolicyStepAt(t *testing.T) {
	t.Parallel()
	c2 := []alerts.Destination{"slack:C2"}
	r9 := []alerts.Destination{"discord:role:9"}
	oncall := alerts.Policy{Name: "oncall", Repeat: 1, Steps: []alerts.Step{
		{After: 15 * time.Minute, Notify: c2},
		{After: time.Hour, Notify: r9},
	}}
	once := oncall
	once.Repeat = 0
	single := alerts.Policy{Name: "single", Repeat: 2, Steps: []alerts.Step{{After: 10 * time.Minute, Notify: c2}}}
	tests := []struct {
		name   string
		policy alerts.Policy
		n      int
		ok     bool
		after  time.Duration
		notify []alerts.Destination
	}{
		{"first step", oncall, 0, true, 15 * time.Minute, c2},
		{"second step", oncall, 1, true, time.Hour, r9},
		{"repeat of the first step", oncall, 2, true, time.Hour + 15*time.Minute, c2},
		{"repeat of the second step", oncall, 3, true, 2 * time.Hour, r9},
		{"past the repeat", oncall, 4, false, 0, nil},
		{"no repeat: second step", once, 1, true, time.Hour, r9},
		{"no repeat: exhausted", once, 2, false, 0, nil},
		{"one step repeated: second run", single, 1, true, 20 * time.Minute, c2},
		{"one step repeated: third run", single, 2, true, 30 * time.Minute, c2},
		{"one step repeated: exhausted", single, 3, false, 0, nil},
		{"negative", oncall, -1, false, 0, nil},
		{"no steps", alerts.Policy{Name: "empty", Repeat: 3}, 0, false, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, after, ok := tt.policy.StepAt(tt.n)
			if ok != tt.ok || after != tt.after || !slices.Equal(step.Notify, tt.notify) {
				t.Errorf("StepAt(%d) = %v, %s, %t; want %v, %s, %t", tt.n, step.Notify, after, ok, tt.notify, tt.after, tt.ok)
			}
		})
	}
}

func TestParseDestination(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		want     alerts.Destination
		platform string
		target   string
	}{
		{"console", "console", "console", ""},
		{"slack:C123", "slack:C123", "slack", "C123"},
		{"slack:@U123", "slack:@U123", "slack", "@U123"},
		{"discord:123456", "discord:123456", "discord", "123456"},
		{"discord:role:42", "discord:role:42", "discord", "role:42"},
		{"discord:user:7", "discord:user:7", "discord", "user:7"},
		{"  slack:C1 ", "slack:C1", "slack", "C1"},
		{"", "", "", ""},
		{"slack", "", "", ""},
		{"slack:", "", "", ""},
		{"discord:", "", "", ""},
		{"console:C1", "", "", ""},
		{"teams:general", "", "", ""},
		{"@maria", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := alerts.ParseDestination(tt.in)
			if tt.want == "" {
				if !errors.Is(err, alerts.ErrInvalid) {
					t.Errorf("ParseDestination(%q) = %q, %v; want ErrInvalid", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseDestination(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if got.Platform() != tt.platform || got.Target() != tt.target {
				t.Errorf("%q: got platform %q, target %q; want %q, %q", got, got.Platform(), got.Target(), tt.platform, tt.target)
			}
		})
	}
}
