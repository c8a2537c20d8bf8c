package config

import (
	"testing"
	"time"
)

func TestRecheckSettings(t *testing.T) {
	tests := []struct {
		name          string
		doc           string
		every, window time.Duration
	}{
		{name: "defaults", doc: minimal, every: time.Hour, window: 7 * 24 * time.Hour},
		{name: "disabled", doc: minimal + "\n[scheduler]\nrecheck_every = \"0s\"\nrecheck_window = \"0s\"\n", every: 0, window: 0},
		{name: "set", doc: minimal + "\n[scheduler]\nrecheck_every = \"30m\"\nrecheck_window = \"2d\"\n", every: 30 * time.Minute, window: 48 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, tt.doc, env{})
			if got := c.Scheduler.RecheckEvery.Duration; got != tt.every {
				t.Errorf("recheck_every: got %v; want %v", got, tt.every)
			}
			if got := c.Scheduler.RecheckWindow.Duration; got != tt.window {
				t.Errorf("recheck_window: got %v; want %v", got, tt.window)
			}
		})
	}
}
