package discord

import (
	"context"
	"strings"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
)

// watchList is a fixed list of watches.
type watchList []*alerts.Watch

func (w watchList) List(context.Context) ([]*alerts.Watch, error) { return w, nil }
func (w watchList) Add(context.Context, *alerts.Watch, string) error {
	return nil
}
func (w watchList) Remove(context.Context, string, string) error { return nil }

// triageEnv is the HTTP adapter over the real bot handler, alerts service
// and SQLite store. Role 999 holds moderator; role 888 responder.
type triageEnv struct {
	*httpEnv
	store *storeEnv
}

func newTriageEnv(t *testing.T) *triageEnv {
	t.Helper()
	se := newStoreEnv(t)
	roles := bot.Roles{Responder: []string{"discord:role:888"}, Moderator: []string{"discord:role:999"}}
	watches := watchList{{Name: "cartel-watch", Source: "mastodon", Origin: alerts.OriginConfig}, {Name: "ports", Source: "feed", Origin: alerts.OriginStore}}
	h := bot.NewHandler(se.svc, watches, roles, bot.Options{Now: se.clk.Now})
	e := newHTTPEnv(t, Options{Handler: h, Alerts: se.svc, Watches: watches, Roles: roles})
	e.clk = se.clk
	e.a.opts.Now = se.clk.Now
	return &triageEnv{httpEnv: e, store: se}
}

func TestButtonUpdatesTheCardWithTheActor(t *testing.T) {
	e := newTriageEnv(t)
	al, _ := e.store.alert(t)
	code, resp, body := serve(t, e.a, e.s.request(interaction("50", 3, member, button("lookout:ack:1")), e.clk.Now()))
	if code != 200 || resp.Type != 7 {
		t.Fatalf("ack button: got %d type %d: %s; want 200 and an update of the card (7)", code, resp.Type, body)
	}
	fields := resp.Data.Embeds[0]["fields"].([]any)
	state := fields[0].(map[string]any)["value"].(string)
	if !strings.HasPrefix(state, "Acknowledged by <@555>") {
		t.Errorf("state line: got %q; want Acknowledged by <@555>", state)
	}
	if !strings.Contains(body, "lookout:unack:1") || strings.Contains(body, "lookout:ack:1\"") {
		t.Errorf("buttons do not fit the acked state: %s", body)
	}
	got, _, err := e.store.svc.Alert(context.Background(), al.ID)
	if err != nil || got.State != alerts.StateAcked || got.LastActor != "discord:user:555" {
		t.Errorf("alert: got %+v, %v; want acked by discord:user:555", got, err)
	}
	// A double click (Discord retrying, two replicas) is applied once.
	serve(t, e.a, e.s.request(interaction("50", 3, member, button("lookout:ack:1")), e.clk.Now()))
	_, history, _ := e.store.svc.Alert(context.Background(), al.ID)
	acks := 0
	for _, ev := range history {
		if ev.Action == alerts.ActionAck {
			acks++
		}
	}
	if acks != 1 {
		t.Errorf("ack events: got %d; want 1", acks)
	}
}

func TestMemberWithoutTheRoleIsRefusedAndAudited(t *testing.T) {
	e := newTriageEnv(t)
	al, _ := e.store.alert(t)
	stranger := strings.Replace(member, `"roles":["999"]`, `"roles":["123"]`, 1)
	code, resp, _ := serve(t, e.a, e.s.request(interaction("51", 3, stranger, button("lookout:resolve:1")), e.clk.Now()))
	if code != 200 || resp.Type != 4 || resp.Data.Flags != 64 || !strings.Contains(resp.Data.Content, "no Lookout role") {
		t.Fatalf("refusal: got type %d flags %d %q; want an ephemeral explanation", resp.Type, resp.Data.Flags, resp.Data.Content)
	}
	// A responder may not escalate: the refusal names the role needed.
	responder := strings.Replace(member, `"roles":["999"]`, `"roles":["888"]`, 1)
	_, resp, _ = serve(t, e.a, e.s.request(interaction("52", 3, responder, button("lookout:escalate:1")), e.clk.Now()))
	if resp.Data.Flags != 64 || !strings.Contains(resp.Data.Content, "only moderators and admins can escalate") {
		t.Errorf("responder escalating: got %q; want the needed role explained", resp.Data.Content)
	}
	got, history, _ := e.store.svc.Alert(context.Background(), al.ID)
	refused := 0
	for _, ev := range history {
		if ev.Action == alerts.ActionRefused {
			refused++
		}
	}
	if got.State != alerts.StateOpen || refused != 2 {
		t.Errorf("after refusals: state %s, refusals audited %d; want open and 2", got.State, refused)
	}
}

func TestMuteFromTheSelectMenu(t *testing.T) {
	e := newTriageEnv(t)
	e.store.alert(t)
	code, resp, _ := serve(t, e.a, e.s.request(interaction("53", 3, member, menu("lookout:mute:1", "account:24h")), e.clk.Now()))
	if code != 200 || resp.Type != 4 || resp.Data.Flags != 0 || !strings.Contains(resp.Data.Content, "muted for 1d by Maria") {
		t.Fatalf("mute: got type %d flags %d %q; want a public confirmation", resp.Type, resp.Data.Flags, resp.Data.Content)
	}
	ms, _ := e.store.svc.Mutes(context.Background(), false)
	if len(ms) != 1 || ms[0].Scope != alerts.ScopeAccount || ms[0].Account != "https://m.example/users/el_jefe" || ms[0].CreatedBy != "discord:user:555" {
		t.Errorf("mutes: got %+v; want one on the author's stable id by discord:user:555", ms)
	}
	if len(ms) == 1 && (len(ms[0].Notify) != 1 || ms[0].Notify[0] != "discord:123") {
		t.Errorf("mute notices go to %v; want the channel it came from", ms[0].Notify)
	}
}

func TestShowMediaAnswersTheClickerAlone(t *testing.T) {
	e := newTriageEnv(t)
	ctx := context.Background()
	al, _ := e.store.alert(t)
	_ = al
	// Media is stored with the post.
	err := e.store.st.Update(ctx, func(tx alerts.Tx) error {
		a := testAlert(0)
		a.Post.ID, a.Post.Raw = "m1", []byte("m1")
		a.Post.Media = []alerts.Media{{Type: "video", URL: "https://cdn.example/a|b.mp4", Alt: "@everyone look"}}
		return tx.InsertAlert(ctx, a)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, resp, _ := serve(t, e.a, e.s.request(interaction("54", 3, member, button("lookout:media:2")), e.clk.Now()))
	c := resp.Data.Content
	if resp.Type != 4 || resp.Data.Flags != 64 || !strings.Contains(c, "Content warning") || !strings.Contains(c, "||https://cdn.example/a%7Cb.mp4||") || strings.Contains(c, "@everyone") {
		t.Errorf("show media: got type %d flags %d %q; want an ephemeral warning with the link in a spoiler", resp.Type, resp.Data.Flags, c)
	}
}

func TestAutocomplete(t *testing.T) {
	e := newTriageEnv(t)
	ctx := context.Background()
	for range 3 {
		e.store.alert(t)
	}
	if _, err := e.store.svc.Apply(ctx, alerts.Request{ActionID: "x", Alert: 3, Action: alerts.ActionResolve, Actor: "cli:a", Source: alerts.SourceCLI}); err != nil {
		t.Fatal(err)
	}
	focused := func(name, value string) string {
		return `[{"name":"` + name + `","type":3,"value":"` + value + `","focused":true}]`
	}
	_, resp, _ := serve(t, e.a, e.s.request(interaction("60", 4, member, slash("ack", focused("alert", ""))), e.clk.Now()))
	var values []string
	for _, c := range resp.Data.Choices {
		values = append(values, c["value"].(string))
	}
	if resp.Type != 8 || strings.Join(values, ",") != "A-2,A-1,A-3" {
		t.Errorf("alert choices: got type %d %v; want 8 with open alerts newest first, then resolved: A-2,A-1,A-3", resp.Type, values)
	}
	if name := resp.Data.Choices[0]["name"].(string); name != "A-2 · open · cartel post 2" {
		t.Errorf("choice name: got %q; want id, state and snippet", name)
	}
	_, resp, _ = serve(t, e.a, e.s.request(interaction("61", 4, member, slash("ack", focused("alert", "a-1"))), e.clk.Now()))
	if len(resp.Data.Choices) != 1 || resp.Data.Choices[0]["value"] != "A-1" {
		t.Errorf("alert choices for a-1: got %v; want A-1", resp.Data.Choices)
	}
	watchRemove := `{"id":"1","name":"lookout","type":1,"options":[{"name":"watch","type":2,"options":[{"name":"remove","type":1,"options":` + focused("name", "po") + `}]}]}`
	_, resp, _ = serve(t, e.a, e.s.request(interaction("62", 4, member, watchRemove), e.clk.Now()))
	if len(resp.Data.Choices) != 1 || resp.Data.Choices[0]["value"] != "ports" {
		t.Errorf("watch choices for po: got %v; want ports", resp.Data.Choices)
	}
	stranger := strings.Replace(member, `"roles":["999"]`, `"roles":[]`, 1)
	_, resp, raw := serve(t, e.a, e.s.request(interaction("63", 4, stranger, slash("ack", focused("alert", ""))), e.clk.Now()))
	if resp.Type != 8 || compact(raw) != `{"type":8,"data":{"choices":[]}}` {
		t.Errorf("choices for someone without a role: got %s; want an explicit empty list", raw)
	}
}
