package alerts_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

func TestMuteCovers(t *testing.T) {
	t.Parallel()
	post := &alerts.Post{Platform: "x", ID: "1", AuthorID: "1234", Handle: "CartelWatch"}
	atPost := &alerts.Post{Platform: "mastodon", ID: "2", AuthorID: "https://m.example/users/Cartel", Handle: "@Cartel@m.example"}
	shipment := []alerts.Hit{{Term: "shipment"}}
	phrase := []alerts.Hit{{Term: `"big shipment"`}}
	port := []alerts.Hit{{Term: "port"}}
	tests := []struct {
		name  string
		mute  alerts.Mute
		watch string
		post  *alerts.Post
		hits  []alerts.Hit
		want  bool
	}{
		{"watch: same watch", alerts.Mute{Scope: alerts.ScopeWatch, Watch: "border"}, "border", post, port, true},
		{"watch: other watch", alerts.Mute{Scope: alerts.ScopeWatch, Watch: "border"}, "ports", post, port, false},
		{"account: handle", alerts.Mute{Scope: alerts.ScopeAccount, Account: "CartelWatch"}, "border", post, port, true},
		{"account: @handle", alerts.Mute{Scope: alerts.ScopeAccount, Account: "@CartelWatch"}, "border", post, port, true},
		{"account: handle in another case", alerts.Mute{Scope: alerts.ScopeAccount, Account: "@cartelwatch"}, "ports", post, nil, true},
		{"account: stable id", alerts.Mute{Scope: alerts.ScopeAccount, Account: "1234"}, "border", post, port, true},
		{"account: @id", alerts.Mute{Scope: alerts.ScopeAccount, Account: "@1234"}, "border", post, port, true},
		{"account: handle stored with @", alerts.Mute{Scope: alerts.ScopeAccount, Account: "cartel@m.example"}, "border", atPost, nil, true},
		{"account: id in another case", alerts.Mute{Scope: alerts.ScopeAccount, Account: "https://m.example/users/cartel"}, "border", atPost, nil, true},
		{"account: someone else", alerts.Mute{Scope: alerts.ScopeAccount, Account: "@journalist"}, "border", post, port, false},
		{"account: prefix is not enough", alerts.Mute{Scope: alerts.ScopeAccount, Account: "Cartel"}, "border", post, port, false},
		{"account: empty", alerts.Mute{Scope: alerts.ScopeAccount, Account: "@"}, "border", &alerts.Post{}, nil, false},
		{"keyword: hit", alerts.Mute{Scope: alerts.ScopeKeyword, Keyword: "shipment"}, "border", post, shipment, true},
		{"keyword: hit in another case", alerts.Mute{Scope: alerts.ScopeKeyword, Keyword: "Shipment"}, "border", post, shipment, true},
		{"keyword: quoted phrase", alerts.Mute{Scope: alerts.ScopeKeyword, Keyword: "big shipment"}, "border", post, phrase, true},
		{"keyword: other term", alerts.Mute{Scope: alerts.ScopeKeyword, Keyword: "shipment"}, "border", post, port, false},
		{"keyword: no hits", alerts.Mute{Scope: alerts.ScopeKeyword, Keyword: "shipment"}, "border", post, nil, false},
		{"account and keyword: both", alerts.Mute{Scope: alerts.ScopeAccountKeyword, Account: "@CartelWatch", Keyword: "shipment"}, "border", post, shipment, true},
		{"account and keyword: account only", alerts.Mute{Scope: alerts.ScopeAccountKeyword, Account: "@CartelWatch", Keyword: "shipment"}, "border", post, port, false},
		{"account and keyword: keyword only", alerts.Mute{Scope: alerts.ScopeAccountKeyword, Account: "@journalist", Keyword: "shipment"}, "border", post, shipment, false},
		{"alert: never a new match", alerts.Mute{Scope: alerts.ScopeAlert, AlertID: 1}, "border", post, shipment, false},
		{"unknown scope", alerts.Mute{Scope: "everything"}, "border", post, shipment, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.mute.Covers(tt.watch, tt.post, tt.hits); got != tt.want {
				t.Errorf("Covers(%s, %s/%s, %v) = %t; want %t", tt.watch, tt.post.AuthorID, tt.post.Handle, tt.hits, got, tt.want)
			}
		})
	}
}

func TestMuteValidate(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	valid := func(m alerts.Mute) alerts.Mute {
		m.CreatedAt, m.ExpiresAt = now, now.Add(time.Hour)
		return m
	}
	tests := []struct {
		name string
		mute alerts.Mute
		want string // "" when valid; else a part of the message
	}{
		{"alert", valid(alerts.Mute{Scope: alerts.ScopeAlert, AlertID: 1}), ""},
		{"account", valid(alerts.Mute{Scope: alerts.ScopeAccount, Account: "@x"}), ""},
		{"keyword", valid(alerts.Mute{Scope: alerts.ScopeKeyword, Keyword: "k"}), ""},
		{"watch", valid(alerts.Mute{Scope: alerts.ScopeWatch, Watch: "w"}), ""},
		{"account and keyword", valid(alerts.Mute{Scope: alerts.ScopeAccountKeyword, Account: "@x", Keyword: "k"}), ""},
		{"alert missing", valid(alerts.Mute{Scope: alerts.ScopeAlert}), "needs an alert"},
		{"account missing", valid(alerts.Mute{Scope: alerts.ScopeAccount}), "needs an account"},
		{"keyword missing", valid(alerts.Mute{Scope: alerts.ScopeKeyword}), "needs a keyword"},
		{"watch missing", valid(alerts.Mute{Scope: alerts.ScopeWatch}), "needs a watch"},
		{"account and keyword without keyword", valid(alerts.Mute{Scope: alerts.ScopeAccountKeyword, Account: "@x"}), "needs an account and a keyword"},
		{"account and keyword without account", valid(alerts.Mute{Scope: alerts.ScopeAccountKeyword, Keyword: "k"}), "needs an account and a keyword"},
		{"unknown scope", valid(alerts.Mute{Scope: "everything"}), `unknown mute scope "everything"`},
		{"no scope", valid(alerts.Mute{}), "unknown mute scope"},
		{"zero duration", alerts.Mute{Scope: alerts.ScopeWatch, Watch: "w", CreatedAt: now, ExpiresAt: now}, "duration greater than zero"},
		{"expires before it starts", alerts.Mute{Scope: alerts.ScopeWatch, Watch: "w", CreatedAt: now, ExpiresAt: now.Add(-time.Minute)}, "duration greater than zero"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.mute.Validate()
			if tt.want == "" {
				if err != nil {
					t.Errorf("Validate() = %v; want nil", err)
				}
				return
			}
			if !errors.Is(err, alerts.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v; want ErrInvalid saying %q", err, tt.want)
			}
		})
	}
}

func TestMuteActive(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	m := alerts.Mute{Scope: alerts.ScopeWatch, Watch: "w", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	ended := m
	ended.Ended = true
	tests := []struct {
		name string
		mute alerts.Mute
		at   time.Time
		want bool
	}{
		{"just created", m, now, true},
		{"a second before expiry", m, now.Add(time.Hour - time.Second), true},
		{"at expiry", m, now.Add(time.Hour), false},
		{"after expiry", m, now.Add(2 * time.Hour), false},
		{"lifted early", ended, now.Add(time.Minute), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.mute.Active(tt.at); got != tt.want {
				t.Errorf("Active(%s) = %t; want %t", tt.at, got, tt.want)
			}
		})
	}
}

func TestMuteDescribe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mute alerts.Mute
		want string
	}{
		{alerts.Mute{Scope: alerts.ScopeAlert, AlertID: 42}, "A-42"},
		{alerts.Mute{Scope: alerts.ScopeAccount, Account: "@CartelWatch"}, "@CartelWatch"},
		{alerts.Mute{Scope: alerts.ScopeAccount, Account: "CartelWatch"}, "@CartelWatch"},
		{alerts.Mute{Scope: alerts.ScopeKeyword, Keyword: "shipment"}, `"shipment"`},
		{alerts.Mute{Scope: alerts.ScopeWatch, Watch: "border"}, "watch border"},
		{alerts.Mute{Scope: alerts.ScopeAccountKeyword, Account: "@CartelWatch", Keyword: "port"}, `@CartelWatch on "port"`},
	}
	for _, tt := range tests {
		t.Run(string(tt.mute.Scope), func(t *testing.T) {
			if got := tt.mute.Describe(); got != tt.want {
				t.Errorf("Describe() = %q; want %q", got, tt.want)
			}
		})
	}
	if got := (&alerts.Mute{ID: 7}).Ref(); got != "M-7" {
		t.Errorf("Ref() = %q; want M-7", got)
	}
}
