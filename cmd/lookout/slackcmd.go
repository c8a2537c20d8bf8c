package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/lookoutbot/lookout/bot/slack"
)

// cmdSlack runs the Slack helpers: `lookout slack manifest` prints the
// app manifest a workspace admin pastes into "Create an app → From a
// manifest".
func cmdSlack(_ context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "manifest" {
		return fmt.Errorf("usage: lookout slack manifest [-url https://lookout.example.org] [-command /lookout] [-name Lookout]: %w", errUsage)
	}
	fs := flag.NewFlagSet("slack manifest", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	reqURL := fs.String("url", "", "public https base URL of the [http] listener; omit for Socket Mode")
	command := fs.String("command", "", "slash command (default: slack.command from the config, else /lookout)")
	name := fs.String("name", "Lookout", "app and bot display name")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w", errUsage)
	}
	if *command == "" {
		*command = "/lookout"
		// The config is optional here: an admin may create the app first.
		if cfg, err := loadConfig(e); err == nil && cfg.Slack.Command != "" {
			*command = cfg.Slack.Command
		}
	}
	out, err := slack.Manifest(slack.ManifestOptions{Name: *name, Command: *command, RequestURL: strings.TrimSpace(*reqURL)})
	if err != nil {
		return fmt.Errorf("%v: %w", err, errUsage)
	}
	_, err = e.stdout.Write(out)
	return err
}
