package discord

import (
	"net/url"
	"strconv"

	"github.com/bwmarrin/discordgo"
)

// InvitePermissions are the permissions the bot needs in the alert
// channels: see them, post, embed cards, and mention escalation roles
// that are not set "mentionable" (allowed_mentions still limits every
// message to the one role or user it names). See
// https://discord.com/developers/docs/topics/permissions.
const InvitePermissions = discordgo.PermissionViewChannel |
	discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks |
	discordgo.PermissionMentionEveryone

// InviteScopes are the OAuth2 scopes the invitation asks for: the bot
// user and its application commands, nothing else.
var InviteScopes = []string{"bot", "applications.commands"}

// InviteURL is the OAuth2 URL that adds the bot to a server with exactly
// the scopes and permissions Lookout needs. guildID, when set, preselects
// the server.
func InviteURL(appID, guildID string) string {
	q := url.Values{}
	q.Set("client_id", appID)
	q.Set("scope", InviteScopes[0]+" "+InviteScopes[1])
	q.Set("permissions", strconv.FormatInt(InvitePermissions, 10))
	if guildID != "" {
		q.Set("guild_id", guildID)
		q.Set("disable_guild_select", "true")
	}
	return "https://discord.com/oauth2/authorize?" + q.Encode()
}
