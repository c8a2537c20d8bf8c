package clock_test

import (
	"sync"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/internal/clock"
)

var start = time.Date(2026, 11, 3, 14, 0, 0, 0, time.UTC)

func TestFake(t *testing.T) {
	tests := []struct {
		name string
		move func(*clock.Fake)
		want time.Time
	}{
		{"reads its start", func(*clock.Fake) {}, start},
		{"advances", func(c *clock.Fake) { c.Advance(90 * time.Second) }, start.Add(90 * time.Second)},
		{"advances twice", func(c *clock.Fake) { c.Advance(time.Hour); c.Advance(time.Minute) }, start.Add(time.Hour + time.Minute)},
		{"goes back", func(c *clock.Fake) { c.Advance(-time.Hour) }, start.Add(-time.Hour)},
		{"is set", func(c *clock.Fake) { c.Advance(time.Hour); c.Set(start.Add(-time.Minute)) }, start.Add(-time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clock.NewFake(start)
			tt.move(c)
			if got := c.Now(); !got.Equal(tt.want) {
				t.Errorf("Now: got %v; want %v", got, tt.want)
			}
		})
	}
}

func TestFakeZeroValue(t *testing.T) {
	var c clock.Fake
	if got := c.Now(); !got.IsZero() {
		t.Errorf("Now: got %v; want the zero time", got)
	}
	c.Advance(time.Second)
	if got, want := c.Now(), (time.Time{}).Add(time.Second); !got.Equal(want) {
		t.Errorf("Now after Advance: got %v; want %v", got, want)
	}
}

// TestFakeConcurrent is for the race detector: readers and writers at once.
func TestFakeConcurrent(t *testing.T) {
	c := clock.NewFake(start)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				c.Advance(time.Second)
			}
		})
		wg.Go(func() {
			for range 100 {
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	if got, want := c.Now(), start.Add(800*time.Second); !got.Equal(want) {
		t.Errorf("Now: got %v; want %v", got, want)
	}
}
