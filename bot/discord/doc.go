// Package discord is Lookout's Discord adapter: it posts alert cards as
// embeds with buttons and a mute menu, edits them as alerts change, pings
// escalation roles and users, and answers the /lookout application command,
// its autocomplete and the cards' components, over the gateway or the HTTP
// interactions endpoint.
//
// It uses github.com/bwmarrin/discordgo for the wire types, the gateway and
// the REST calls, with the library's traps closed (see
// https://discord.com/developers/docs): every REST call goes through a
// transport that sends it to the configured API URL and turns any 429 into
// an *alerts.RetryAfterError instead of discordgo's unbounded sleep; every
// message, edit, interaction response and follow-up carries an explicit
// empty allowed_mentions list; a nil Member (a DM) is handled; HTTP
// interactions are verified with a freshness window and replay refusal.
package discord
