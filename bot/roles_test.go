package bot

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// testRoles grants one role per platform, the way a config might.
var testRoles = Roles{
	Responder: []string{"slack:U1", "discord:user:7"},
	Moderator: []string{"discord:role:456", "slack:U2"},
	Admin:     []string{"cli:*", "slack:UADMIN"},
}

// The actors of the role matrix, one per role.
var (
	nobody    = Actor{ID: "slack:U9", Name: "nina", Source: alerts.SourceSlack, Channel: "slack:C1"}
	responder = Actor{ID: "slack:U1", Name: "rita", Source: alerts.SourceSlack, Channel: "slack:C1"}
	moderator = Actor{ID: "discord:user:8", Name: "mo", Roles: []string{"111", "456"}, Source: alerts.SourceDiscord, Channel: "discord:55"}
	admin     = Actor{ID: "cli:maria", Name: "maria", Source: alerts.SourceCLI}
)

func TestRolesOf(t *testing.T) {
	tests := []struct {
		name  string
		actor Actor
		want  Role
	}{
		{"slack user id", Actor{ID: "slack:U1"}, RoleResponder},
		{"slack id in another case", Actor{ID: "slack:u2"}, RoleModerator},
		{"discord user id", Actor{ID: "discord:user:7"}, RoleResponder},
		{"discord role id", Actor{ID: "discord:user:8", Roles: []string{"456"}}, RoleModerator},
		{"discord role already qualified", Actor{ID: "discord:user:8", Roles: []string{"discord:role:456"}}, RoleModerator},
		{"discord role among others", Actor{ID: "discord:user:8", Roles: []string{"1", "2", "456"}}, RoleModerator},
		{"highest role wins", Actor{ID: "discord:user:7", Roles: []string{"456"}}, RoleModerator},
		{"role id of another platform", Actor{ID: "slack:U8", Roles: []string{"456"}}, RoleNone},
		{"cli wildcard", Actor{ID: "cli:anyone"}, RoleAdmin},
		{"cli wildcard is not slack", Actor{ID: "slack:anyone"}, RoleNone},
		{"slack admin", Actor{ID: "slack:UADMIN"}, RoleAdmin},
		{"unknown", Actor{ID: "slack:U9"}, RoleNone},
		{"no id", Actor{}, RoleNone},
		{"id without platform", Actor{ID: "maria"}, RoleNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testRoles.Of(tt.actor); got != tt.want {
				t.Errorf("Of(%+v) = %v; want %v", tt.actor, got, tt.want)
			}
		})
	}
}

// TestRoleMatrix runs every command as every role: each is allowed from
// its least role up and refused, with an audited refusal, below it.
func TestRoleMatrix(t *testing.T) {
	commands := []struct {
		text  string
		least Role
	}{
		{"help", RoleResponder},
		{"show A-1", RoleResponder},
		{"history A-1", RoleResponder},
		{"list", RoleResponder},
		{"mutes all", RoleResponder},
		{"watch list", RoleResponder},
		{"ack A-1", RoleResponder},
		{"unack A-1", RoleResponder},
		{"note A-1 called them", RoleResponder},
		{"resolve A-1", RoleResponder},
		{"assign A-1 me", RoleResponder},
		{"escalate A-1", RoleModerator},
		{"reopen A-1", RoleModerator},
		{"mute A-1", RoleModerator},
		{"mute A-1 account for 24h", RoleModerator},
		{"mute @x for 24h", RoleModerator},
		{`mute @x "kw" for 1d`, RoleModerator},
		{"mute watch w for 1h", RoleModerator},
		{"unmute M-1", RoleModerator},
		{"watch add new source=feed keywords=a", RoleModerator},
		{"mute @x for 25h", RoleAdmin},
		{"mute A-1 for 2d", RoleAdmin},
		{"mute watch w for 365d", RoleAdmin},
		{"watch remove w", RoleAdmin},
	}
	actors := map[Role]Actor{RoleNone: nobody, RoleResponder: responder, RoleModerator: moderator, RoleAdmin: admin}
	for _, c := range commands {
		for role := RoleNone; role <= RoleAdmin; role++ {
			t.Run(fmt.Sprintf("%s/%s", c.text, role), func(t *testing.T) {
				svc := &fakeService{}
				h := NewHandler(svc, newFakeWatches(&alerts.Watch{Name: "w", Origin: alerts.OriginStore}), testRoles, Options{})
				r := h.Handle(context.Background(), actors[role], "act-1", c.text)
				allowed := role >= c.least
				if got := r.Kind != ReplyRefused; got != allowed {
					t.Fatalf("allowed = %v (reply %v %q); want %v", got, r.Kind, r.Text, allowed)
				}
				if allowed {
					if r.Kind != ReplyOK || len(svc.refusals) != 0 {
						t.Errorf("reply %v %q with %d refusals; want ok and none", r.Kind, r.Text, len(svc.refusals))
					}
					return
				}
				if len(svc.refusals) != 1 || svc.refusals[0].actionID != "act-1" || svc.refusals[0].actor != actors[role].ID {
					t.Fatalf("refusals = %+v; want one for act-1 by %s", svc.refusals, actors[role].ID)
				}
				if len(svc.calls) != 0 {
					t.Errorf("service calls %v before the refusal; want none", svc.calls)
				}
				if !r.Ephemeral {
					t.Errorf("refusal is public; want it ephemeral")
				}
			})
		}
	}
}

func TestRefusalMessages(t *testing.T) {
	tests := []struct {
		name      string
		actor     Actor
		opts      Options
		text      string
		want      string
		wantWhat  string
		wantAlert int64
	}{
		{"responder escalates", responder, Options{}, "escalate A-42 now",
			"only moderators and admins can escalate; you are a responder",
			"escalate A-42: only moderators and admins can escalate; you are a responder", 42},
		{"moderator removes a watch", moderator, Options{}, "watch remove w",
			"only admins can remove watches; you are a moderator",
			"watch remove watch w: only admins can remove watches; you are a moderator", 0},
		{"moderator mutes too long", moderator, Options{}, "mute @x for 2d",
			"moderators can mute for at most 1d; ask an admin for a longer mute",
			"mute @x: moderators can mute for at most 1d; ask an admin for a longer mute", 0},
		{"moderator mutes longer than a custom limit", moderator, Options{ModeratorMaxMute: 6 * time.Hour}, "mute A-3 for 7h",
			"moderators can mute for at most 6h; ask an admin for a longer mute",
			"mute A-3: moderators can mute for at most 6h; ask an admin for a longer mute", 3},
		{"no role", nobody, Options{}, "ack A-1",
			"you have no Lookout role; ask an admin to add slack:U9 to [roles]",
			"ack A-1: you have no Lookout role; ask an admin to add slack:U9 to [roles]", 1},
		{"no role and unreadable text", nobody, Options{}, "akc A-1",
			"you have no Lookout role; ask an admin to add slack:U9 to [roles]",
			"unreadable command: you have no Lookout role; ask an admin to add slack:U9 to [roles]", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &fakeService{}
			h := NewHandler(svc, newFakeWatches(), testRoles, tt.opts)
			r := h.Handle(context.Background(), tt.actor, "act-9", tt.text)
			if r.Kind != ReplyRefused || r.Text != tt.want {
				t.Errorf("reply = %v %q; want refused %q", r.Kind, r.Text, tt.want)
			}
			if len(svc.refusals) != 1 {
				t.Fatalf("refusals = %+v; want one", svc.refusals)
			}
			got := svc.refusals[0]
			want := fakeRefusal{"act-9", tt.wantAlert, tt.actor.ID, tt.actor.Source, tt.wantWhat}
			if got != want {
				t.Errorf("refusal = %+v; want %+v", got, want)
			}
		})
	}
}

func TestRefusalAuditFailureIsReported(t *testing.T) {
	svc := &fakeService{err: fmt.Errorf("store down")}
	h := NewHandler(svc, newFakeWatches(), testRoles, Options{})
	r := h.Handle(context.Background(), responder, "act-1", "reopen A-1")
	if r.Kind != ReplyRefused || r.Err == nil {
		t.Fatalf("reply = %v %q, Err %v; want a refusal carrying the audit error", r.Kind, r.Text, r.Err)
	}
}

func TestModeratorDefaultAlertMuteFitsTheirLimit(t *testing.T) {
	svc := &fakeService{}
	h := NewHandler(svc, newFakeWatches(), testRoles, Options{ModeratorMaxMute: 6 * time.Hour})
	r := h.Handle(context.Background(), moderator, "act-1", "mute A-1")
	if r.Kind != ReplyOK {
		t.Fatalf("reply = %v %q; want ok", r.Kind, r.Text)
	}
	if got := svc.mutes[0].For; got != 6*time.Hour {
		t.Errorf("mute lasts %v; want the moderator limit 6h", got)
	}
	r = h.Handle(context.Background(), admin, "act-2", "mute A-1")
	if got := svc.mutes[1].For; r.Kind != ReplyOK || got != DefaultMute {
		t.Errorf("admin mute = %v %q lasting %v; want ok lasting %v", r.Kind, r.Text, got, DefaultMute)
	}
}
