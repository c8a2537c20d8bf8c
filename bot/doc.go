// Package bot is Lookout's platform-neutral command layer. The CLI, Slack
// and Discord front ends all hand it the same text ("ack A-42 on it"); it
// parses the text, checks the actor's role, calls the alerts service and
// answers with a structured Reply that each front end renders in its own
// way.
//
// The package knows no chat platform: mentions in the text are read in
// their escaped wire forms (<@U123|maria>, <@&456>) and identities are
// plain strings ("slack:U123", "discord:role:456", "cli:maria").
package bot
