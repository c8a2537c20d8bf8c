package alerts_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

func TestParseRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64 // 0: invalid
	}{
		{"A-42", 42},
		{"a-42", 42},
		{"42", 42},
		{" A-7 ", 7},
		{"A-9223372036854775807", 9223372036854775807},
		{"", 0},
		{"A-", 0},
		{"A-0", 0},
		{"0", 0},
		{"-5", 0},
		{"A--5", 0},
		{"B-42", 0},
		{"A42", 0},
		{"A-4x", 0},
		{"M-3", 0},
		{"A-99999999999999999999", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := alerts.ParseRef(tt.in)
			if tt.want == 0 {
				if !errors.Is(err, alerts.ErrInvalid) {
					t.Errorf("ParseRef(%q) = %d, %v; want ErrInvalid", tt.in, got, err)
				} else if !strings.Contains(err.Error(), "A-42") {
					t.Errorf("ParseRef(%q): got %q; want the message to show the expected form A-42", tt.in, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseRef(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFormatRef(t *testing.T) {
	t.Parallel()
	for _, id := range []int64{1, 42, 100000} {
		ref := alerts.FormatRef(id)
		if back, err := alerts.ParseRef(ref); err != nil || back != id {
			t.Errorf("ParseRef(FormatRef(%d) = %q) = %d, %v; want %d", id, ref, back, err, id)
		}
	}
	if got := (&alerts.Alert{ID: 42}).Ref(); got != "A-42" {
		t.Errorf("Ref() = %q; want A-42", got)
	}
}
