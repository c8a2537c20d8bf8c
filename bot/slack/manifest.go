package slack

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// ManifestOptions describe the Slack app a workspace admin creates.
type ManifestOptions struct {
	// Name is the app's and bot's display name; default "Lookout".
	Name string
	// Command is the slash command; default "/lookout".
	Command string
	// RequestURL, when set, is the public base URL of Lookout's [http]
	// listener (https://lookout.example.org): the app then uses HTTP
	// endpoints instead of Socket Mode.
	RequestURL string
}

// BotScopes are the OAuth scopes Lookout's bot token needs, and why.
var BotScopes = []struct{ Scope, Why string }{
	{"chat:write", "post and edit alert cards in channels the bot was invited to"},
	{"commands", "the slash command"},
	{"im:write", "open direct messages for escalations to a user (slack:@U123)"},
	{"channels:history", "read a card when someone pastes its link into a command (public channels)"},
	{"groups:history", "the same in private channels"},
	{"usergroups:read", "grant roles by user group (slack:role:S123)"},
}

// Manifest returns a Slack app manifest (JSON, which Slack accepts as
// well as YAML) for Lookout: bot scopes, the slash command with escaped
// arguments, interactivity, and Socket Mode on, or off with request URLs
// when RequestURL is set.
func Manifest(o ManifestOptions) ([]byte, error) {
	if o.Name == "" {
		o.Name = "Lookout"
	}
	if o.Command == "" {
		o.Command = "/lookout"
	}
	if !strings.HasPrefix(o.Command, "/") || strings.ContainsAny(o.Command, " \t") {
		return nil, fmt.Errorf("slack manifest: command %q must look like /lookout", o.Command)
	}
	base := strings.TrimRight(o.RequestURL, "/")
	if base != "" {
		u, err := url.Parse(base)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, fmt.Errorf("slack manifest: request URL %q must be an https:// URL (Slack only calls https endpoints)", o.RequestURL)
		}
	}
	scopes := make([]string, len(BotScopes))
	for i, s := range BotScopes {
		scopes[i] = s.Scope
	}
	command := map[string]any{
		"command":       o.Command,
		"description":   "Triage Lookout alerts: ack, escalate, mute, resolve, list",
		"usage_hint":    "ack A-42 | mute @handle for 24h | list | help",
		"should_escape": true,
	}
	interactivity := map[string]any{"is_enabled": true}
	if base != "" {
		command["url"] = base + PathCommands
		interactivity["request_url"] = base + PathInteractions
	}
	m := map[string]any{
		"_metadata": map[string]any{"major_version": 1, "minor_version": 1},
		"display_information": map[string]any{
			"name":             o.Name,
			"description":      "Alerts on watched social accounts and keywords, triaged in Slack",
			"background_color": "#1d2b36",
		},
		"features": map[string]any{
			"bot_user":       map[string]any{"display_name": o.Name, "always_online": true},
			"slash_commands": []any{command},
		},
		"oauth_config": map[string]any{"scopes": map[string]any{"bot": scopes}},
		"settings": map[string]any{
			"interactivity":          interactivity,
			"org_deploy_enabled":     false,
			"socket_mode_enabled":    base == "",
			"token_rotation_enabled": false,
		},
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("slack manifest: %w", err)
	}
	return append(out, '\n'), nil
}
