package alerts_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

func TestStaleError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  *alerts.StaleError
		want string
	}{
		{"with who", &alerts.StaleError{Alert: "A-42", Action: alerts.ActionAck, State: alerts.StateResolved, By: "cli:maria"},
			"cannot ack A-42: it is resolved (by cli:maria)"},
		{"without who", &alerts.StaleError{Alert: "A-42", Action: alerts.ActionReopen, State: alerts.StateOpen},
			"cannot reopen A-42: it is open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q; want %q", got, tt.want)
			}
			wrapped := fmt.Errorf("ack A-42: %w", tt.err)
			if !errors.Is(wrapped, alerts.ErrStale) || errors.Is(wrapped, alerts.ErrNotFound) {
				t.Errorf("errors.Is: got stale %t, not found %t; want true, false",
					errors.Is(wrapped, alerts.ErrStale), errors.Is(wrapped, alerts.ErrNotFound))
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	base := errors.New("429 Too Many Requests")
	tests := []struct {
		name string
		err  error
		want time.Duration
		ok   bool
	}{
		{"direct", &alerts.RetryAfterError{After: 30 * time.Second, Err: base}, 30 * time.Second, true},
		{"wrapped", fmt.Errorf("post card: %w", &alerts.RetryAfterError{After: time.Minute, Err: base}), time.Minute, true},
		{"plain", base, 0, false},
		{"nil", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := alerts.RetryAfter(tt.err)
			if got != tt.want || ok != tt.ok {
				t.Errorf("RetryAfter(%v) = %s, %t; want %s, %t", tt.err, got, ok, tt.want, tt.ok)
			}
		})
	}
	ra := &alerts.RetryAfterError{After: time.Second, Err: base}
	if !errors.Is(ra, base) {
		t.Errorf("errors.Is(RetryAfterError, its cause) = false; want true")
	}
}
