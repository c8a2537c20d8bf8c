package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/lookoutbot/lookout/bot/discord"
)

const discordUsage = `usage: lookout discord invite [--guild ID]

invite  print the URL that adds the bot to a Discord server with exactly the
        scopes (bot, applications.commands) and permissions Lookout needs;
        --guild preselects the server`

func cmdDiscord(_ context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "invite" {
		return fmt.Errorf("%s: %w", discordUsage, errUsage)
	}
	fs := flag.NewFlagSet("discord invite", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	guild := fs.String("guild", "", "preselect this server (guild ID)")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return fmt.Errorf("%s: %w", discordUsage, errUsage)
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	appID := cfg.Discord.ApplicationID
	if appID == "" {
		return fmt.Errorf("set [discord] application_id first (Developer Portal → your application → General Information → Application ID)")
	}
	g := strings.TrimSpace(*guild)
	if g == "" && len(cfg.Discord.GuildIDs) == 1 {
		g = cfg.Discord.GuildIDs[0]
	}
	fmt.Fprintln(e.stdout, discord.InviteURL(appID, g))
	return nil
}
