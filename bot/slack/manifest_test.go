package slack

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestManifest(t *testing.T) {
	for _, tc := range []struct {
		name       string
		o          ManifestOptions
		socketMode bool
		commandURL string
	}{
		{"socket mode", ManifestOptions{}, true, ""},
		{"http", ManifestOptions{RequestURL: "https://lookout.example.org/", Command: "/watch"}, false, "https://lookout.example.org/slack/commands"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := Manifest(tc.o)
			if err != nil {
				t.Fatal(err)
			}
			var m struct {
				Features struct {
					SlashCommands []struct {
						Command      string `json:"command"`
						URL          string `json:"url"`
						ShouldEscape bool   `json:"should_escape"`
					} `json:"slash_commands"`
				} `json:"features"`
				OAuth struct {
					Scopes struct{ Bot []string } `json:"scopes"`
				} `json:"oauth_config"`
				Settings struct {
					Interactivity struct {
						IsEnabled  bool   `json:"is_enabled"`
						RequestURL string `json:"request_url"`
					} `json:"interactivity"`
					SocketMode bool `json:"socket_mode_enabled"`
				} `json:"settings"`
			}
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if m.Settings.SocketMode != tc.socketMode || !m.Settings.Interactivity.IsEnabled {
				t.Errorf("socket mode %v, interactivity %v; want %v, true", m.Settings.SocketMode, m.Settings.Interactivity.IsEnabled, tc.socketMode)
			}
			sc := m.Features.SlashCommands
			if len(sc) != 1 || sc[0].URL != tc.commandURL || !sc[0].ShouldEscape {
				t.Errorf("slash command: %+v; want url %q with escaping on", sc, tc.commandURL)
			}
			if tc.commandURL != "" && m.Settings.Interactivity.RequestURL != strings.Replace(tc.commandURL, "commands", "interactions", 1) {
				t.Errorf("interactivity URL: %q", m.Settings.Interactivity.RequestURL)
			}
			scopes := strings.Join(m.OAuth.Scopes.Bot, " ")
			for _, s := range []string{"chat:write", "commands", "im:write", "usergroups:read", "channels:history"} {
				if !strings.Contains(scopes, s) {
					t.Errorf("scopes %q lack %s", scopes, s)
				}
			}
		})
	}
	for _, bad := range []ManifestOptions{{RequestURL: "http://insecure.example"}, {Command: "lookout"}, {Command: "/two words"}} {
		if _, err := Manifest(bad); err == nil {
			t.Errorf("Manifest(%+v): got nil error", bad)
		}
	}
}
