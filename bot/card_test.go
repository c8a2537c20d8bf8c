package bot

import (
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

func TestEditedAt(t *testing.T) {
	first := time.Date(2026, 11, 3, 14, 0, 0, 0, time.UTC)
	later := first.Add(time.Hour)
	tests := []struct {
		name   string
		latest *alerts.Post
		want   time.Time
	}{
		{"not edited", nil, time.Time{}},
		{"edit with its own time (X)", &alerts.Post{CreatedAt: later}, later},
		{"edit keeping the first time (Telegram)", &alerts.Post{CreatedAt: first}, time.Time{}},
		{"edit without a time", &alerts.Post{}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &alerts.Alert{Post: alerts.Post{CreatedAt: first}, Latest: tt.latest}
			if got := EditedAt(a); !got.Equal(tt.want) {
				t.Errorf("EditedAt: got %v; want %v", got, tt.want)
			}
		})
	}
}
