package bot

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "30s", want: 30 * time.Second},
		{in: "90m", want: 90 * time.Minute},
		{in: "24h", want: 24 * time.Hour},
		{in: "7d", want: 7 * day},
		{in: "2w", want: 14 * day},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "1H30M", want: 90 * time.Minute},
		{in: "365d", want: 365 * day},
		{in: "", wantErr: "is not a duration"},
		{in: "5", wantErr: `"5" is not a duration`},
		{in: "minutes", wantErr: "is not a duration"},
		{in: "5min", wantErr: "is not a duration"},
		{in: "1.5h", wantErr: "is not a duration"},
		{in: "-5m", wantErr: "is not a duration"},
		{in: "0h", wantErr: "is zero"},
		{in: "366d", wantErr: "is longer than 365d"},
		{in: "53w", wantErr: "is longer than 365d"},
		{in: "364d2d", wantErr: "is longer than 365d"},
		{in: "99999999999999999999h", wantErr: "is longer than 365d"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseDuration(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{45 * time.Second, "45s"},
		{90 * time.Minute, "1h30m"},
		{24 * time.Hour, "1d"},
		{36 * time.Hour, "1d12h"},
		{14 * day, "14d"},
		{time.Hour + 1500*time.Millisecond, "1h2s"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.in); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q; want %q", tt.in, got, tt.want)
		}
		if tt.in >= time.Second && tt.in%time.Second == 0 {
			if back, err := ParseDuration(FormatDuration(tt.in)); err != nil || back != tt.in {
				t.Errorf("ParseDuration(FormatDuration(%v)) = %v, %v; want the same duration", tt.in, back, err)
			}
		}
	}
}
