package config

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "0", want: 0},
		{in: "0s", want: 0},
		{in: "30s", want: 30 * time.Second},
		{in: "5m", want: 5 * time.Minute},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "7d", want: 7 * day},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "0.5d", want: 12 * time.Hour},
		{in: "1.5s", want: 1500 * time.Millisecond},
		{in: "-1h", want: -time.Hour},
		{in: "", wantErr: true},
		{in: "5", wantErr: true},
		{in: "5 minutes", wantErr: true},
		{in: "d", wantErr: true},
		{in: "1w", wantErr: true},
		{in: "..d", wantErr: true},
		{in: "999999999d", wantErr: true},
		{in: "106751d106751d", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDuration(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Errorf("ParseDuration(%q): got %v, nil; want an error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseDuration(%q): got %v, %v; want %v, nil", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestDurationErrorMessage(t *testing.T) {
	_, err := ParseDuration("5 minutes")
	want := `invalid duration "5 minutes": use forms like 30s, 5m, 2h, 7d`
	if err == nil || err.Error() != want {
		t.Errorf("got %v; want %s", err, want)
	}
}

func TestDurationText(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{30 * time.Second, "30s"},
		{5 * time.Minute, "5m"},
		{90 * time.Minute, "1h30m"},
		{7 * day, "7d"},
		{36 * time.Hour, "1d12h"},
		{1500 * time.Millisecond, "1.5s"},
		{-time.Hour, "-1h"},
		{day + time.Second + 500*time.Millisecond, "1d1.5s"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			text, err := Duration{tc.d}.MarshalText()
			if err != nil || string(text) != tc.want {
				t.Fatalf("MarshalText(%v): got %q, %v; want %q, nil", tc.d, text, err, tc.want)
			}
			var back Duration
			if err := back.UnmarshalText(text); err != nil || back.Duration != tc.d {
				t.Errorf("UnmarshalText(%q): got %v, %v; want %v, nil", text, back.Duration, err, tc.d)
			}
		})
	}
}
