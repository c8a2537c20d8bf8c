package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// Actor is the person behind a command, as the front end identified them.
type Actor struct {
	// ID is the actor's identity: "slack:U123", "discord:user:789",
	// "cli:maria". It is what the audit trail records.
	ID string
	// Name is the display name replies use, e.g. "maria".
	Name string
	// Roles are the platform role ids the actor holds, e.g. the Discord
	// role id "456", matched against "discord:role:456" in [roles].
	Roles  []string
	Source alerts.Source
	// Channel is where the command came from ("" for the CLI); mutes
	// created here send their expiry notices here.
	Channel alerts.Destination
}

// display is how replies name the actor.
func (a Actor) display() string {
	if a.Name != "" {
		return a.Name
	}
	return a.ID
}

// identities lists every [roles] entry that can name the actor: the id,
// each platform role as "<platform>:role:<id>", and the platform wildcard
// "<platform>:*" ("cli:*" is anyone at the terminal).
func (a Actor) identities() []string {
	if a.ID == "" {
		return nil
	}
	ids := []string{a.ID}
	platform, _, ok := strings.Cut(a.ID, ":")
	if !ok || platform == "" {
		return ids
	}
	prefix := platform + ":role:"
	for _, r := range a.Roles {
		switch {
		case r == "":
		case strings.HasPrefix(r, prefix):
			ids = append(ids, r)
		default:
			ids = append(ids, prefix+r)
		}
	}
	return append(ids, platform+":*")
}

// Role is what an actor may do. Each role includes the ones below it.
type Role int

// The roles, weakest first.
const (
	RoleNone Role = iota
	RoleResponder
	RoleModerator
	RoleAdmin
)

// String returns the role's name as [roles] spells it.
func (r Role) String() string {
	switch r {
	case RoleNone:
		return "none"
	case RoleResponder:
		return "responder"
	case RoleModerator:
		return "moderator"
	case RoleAdmin:
		return "admin"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// article is "a" or "an" before the role's name.
func (r Role) article() string {
	if r == RoleAdmin {
		return "an"
	}
	return "a"
}

// Roles are the identities config grants each role: "slack:U123",
// "discord:role:456", "discord:user:789", "cli:maria" or a platform
// wildcard such as "cli:*". Identities compare case-insensitively.
type Roles struct {
	Responder []string
	Moderator []string
	Admin     []string
}

// Of returns the highest role any of the actor's identities holds.
func (r Roles) Of(a Actor) Role {
	ids := a.identities()
	switch {
	case grants(r.Admin, ids):
		return RoleAdmin
	case grants(r.Moderator, ids):
		return RoleModerator
	case grants(r.Responder, ids):
		return RoleResponder
	}
	return RoleNone
}

func grants(entries, ids []string) bool {
	for _, e := range entries {
		e = strings.TrimSpace(e)
		for _, id := range ids {
			if strings.EqualFold(e, id) {
				return true
			}
		}
	}
	return false
}

// permission is the role a command needs and how a refusal names it.
type permission struct {
	role Role
	// doing completes "only moderators and admins can …".
	doing string
}

// permissions maps each command (watch subcommands as "watch add") to the
// least role allowed to run it.
var permissions = map[string]permission{
	"help":         {RoleResponder, "use Lookout"},
	"show":         {RoleResponder, "see alerts"},
	"history":      {RoleResponder, "see alert history"},
	"list":         {RoleResponder, "list alerts"},
	"mutes":        {RoleResponder, "list mutes"},
	"status":       {RoleResponder, "see Lookout's status"},
	"watch list":   {RoleResponder, "list watches"},
	"ack":          {RoleResponder, "acknowledge alerts"},
	"unack":        {RoleResponder, "unacknowledge alerts"},
	"note":         {RoleResponder, "add notes"},
	"resolve":      {RoleResponder, "resolve alerts"},
	"assign":       {RoleResponder, "assign alerts"},
	"escalate":     {RoleModerator, "escalate"},
	"reopen":       {RoleModerator, "reopen alerts"},
	"mute":         {RoleModerator, "mute"},
	"unmute":       {RoleModerator, "unmute"},
	"watch add":    {RoleModerator, "add watches"},
	"watch remove": {RoleAdmin, "remove watches"},
}

// key names the command in permissions and in the audit trail.
func (c *Command) key() string {
	if c.Name == "watch" {
		return "watch " + c.Sub
	}
	return c.Name
}

// refusal returns why role may not run c, or "" when it may. mute is the
// mute's effective duration, checked against the moderators' limit.
func refusal(role Role, c *Command, mute, moderatorMax time.Duration) string {
	p, ok := permissions[c.key()]
	if !ok {
		// A command without an entry is a programming error; refuse
		// rather than guess.
		p = permission{RoleAdmin, c.key()}
	}
	if role < p.role {
		who := "admins"
		switch p.role {
		case RoleResponder:
			who = "responders, moderators and admins"
		case RoleModerator:
			who = "moderators and admins"
		}
		return fmt.Sprintf("only %s can %s; you are %s %s", who, p.doing, role.article(), role)
	}
	if c.Name == "mute" && role == RoleModerator && mute > moderatorMax {
		return fmt.Sprintf("moderators can mute for at most %s; ask an admin for a longer mute", FormatDuration(moderatorMax))
	}
	return ""
}
