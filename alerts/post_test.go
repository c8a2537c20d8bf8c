package alerts_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

func TestPostChainID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		post alerts.Post
		want string
	}{
		{"an original post", alerts.Post{ID: "100"}, "100"},
		{"an edit with a new id", alerts.Post{ID: "105", FirstID: "100"}, "100"},
		{"an edit of an edit", alerts.Post{ID: "109", FirstID: "100"}, "100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.post.ChainID(); got != tt.want {
				t.Errorf("ChainID() = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestPostMatchText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		title, text string
		want        string
	}{
		{"body only", "", "body", "body"},
		{"title only", "Title", "", "Title"},
		{"title and body", "Title", "body", "Title\nbody"},
		{"neither", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := alerts.Post{Title: tt.title, Text: tt.text}
			if got := p.MatchText(); got != tt.want {
				t.Errorf("MatchText() = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestNewEvidence(t *testing.T) {
	t.Parallel()
	raw := []byte(`{"id":"1"}`)
	sum := sha256.Sum256(raw)
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	ev := alerts.NewEvidence(raw, at)
	if want := hex.EncodeToString(sum[:]); ev.SHA256 != want {
		t.Errorf("SHA256 = %s; want %s", ev.SHA256, want)
	}
	if !ev.FetchedAt.Equal(at) || ev.FetchedAt.Location() != time.UTC {
		t.Errorf("FetchedAt = %s; want %s in UTC", ev.FetchedAt, at.UTC())
	}
	const emptySHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got := alerts.NewEvidence(nil, at).SHA256; got != emptySHA {
		t.Errorf("SHA256 of nothing = %s; want %s", got, emptySHA)
	}
}
