package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// Service is what the handler needs from the alerts service; the real
// *alerts.Service fits it.
type Service interface {
	Apply(ctx context.Context, r alerts.Request) (*alerts.Result, error)
	Mute(ctx context.Context, r alerts.MuteRequest) (*alerts.Mute, error)
	Unmute(ctx context.Context, actionID string, muteID int64, actor string, src alerts.Source) (*alerts.Mute, error)
	Alert(ctx context.Context, id int64) (*alerts.Alert, []*alerts.AuditEvent, error)
	Alerts(ctx context.Context, f alerts.AlertFilter) ([]*alerts.Alert, error)
	Mutes(ctx context.Context, all bool) ([]*alerts.Mute, error)
	RecordRefusal(ctx context.Context, actionID string, alertID int64, actor string, src alerts.Source, what string) error
}

var _ Service = (*alerts.Service)(nil)

// Watches lists, adds and removes watches: those in config (read-only) and
// those added from chat or the CLI (kept in the store).
type Watches interface {
	List(ctx context.Context) ([]*alerts.Watch, error)
	// Add returns an error wrapping alerts.ErrConflict when the name is
	// taken, alerts.ErrInvalid for a bad watch.
	Add(ctx context.Context, w *alerts.Watch, actor string) error
	// Remove returns an error wrapping alerts.ErrNotFound for an unknown
	// name and alerts.ErrForbidden for a watch defined in config.
	Remove(ctx context.Context, name, actor string) error
}

// Defaults of the handler's options.
const (
	DefaultMute             = 24 * time.Hour
	DefaultModeratorMaxMute = 24 * time.Hour
	DefaultWatchInterval    = 5 * time.Minute
	DefaultWatchSeverity    = alerts.SeverityMedium
)

// Options configure a Handler. Zero fields take the defaults above.
type Options struct {
	// Now is the clock; tests inject one.
	Now func() time.Time
	// ModeratorMaxMute is the longest mute a moderator may set; admins
	// may set any up to alerts.MaxMute.
	ModeratorMaxMute time.Duration
	// Defaults apply to watches added without those settings.
	Defaults WatchDefaults
	// Status answers the status command; nil refuses it politely.
	Status StatusSource
}

// WatchDefaults are the settings a watch added from chat gets unless the
// command says otherwise.
type WatchDefaults struct {
	Route    string
	Interval time.Duration
	Severity alerts.Severity
}

// Handler runs commands: parse, authorise, execute, reply. It is safe for
// concurrent use if its Service and Watches are.
type Handler struct {
	svc     Service
	watches Watches
	roles   Roles
	opts    Options
}

// NewHandler returns a handler that runs commands against svc and
// watches, granting the roles given.
func NewHandler(svc Service, watches Watches, roles Roles, opts Options) *Handler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ModeratorMaxMute <= 0 {
		opts.ModeratorMaxMute = DefaultModeratorMaxMute
	}
	if opts.Defaults.Interval <= 0 {
		opts.Defaults.Interval = DefaultWatchInterval
	}
	if opts.Defaults.Severity == "" {
		opts.Defaults.Severity = DefaultWatchSeverity
	}
	return &Handler{svc: svc, watches: watches, roles: roles, opts: opts}
}

// Handle runs one command typed by a. actionID is the platform's unique
// id for the interaction (the CLI makes a random one): the same id
// applies at most once, so retries and double clicks are harmless. The
// actor's role is checked before anything runs; a refusal is explained
// in the reply and recorded in the audit trail. Handle never returns nil.
func (h *Handler) Handle(ctx context.Context, a Actor, actionID string, text string) *Reply {
	role := h.roles.Of(a)
	cmd, err := Parse(text)
	if role == RoleNone {
		// Someone without a role learns how to get one, not the grammar.
		who := a.ID
		if who == "" {
			who = "your identity"
		}
		return h.refuse(ctx, a, actionID, cmd, fmt.Sprintf("you have no Lookout role; ask an admin to add %s to [roles]", who))
	}
	if err != nil {
		return usageReply(err)
	}
	if why := refusal(role, cmd, h.muteFor(role, cmd), h.opts.ModeratorMaxMute); why != "" {
		return h.refuse(ctx, a, actionID, cmd, why)
	}
	return h.execute(ctx, a, actionID, role, cmd)
}

// refuse answers a command the actor may not run and audits the attempt.
// cmd is nil when the text did not parse.
func (h *Handler) refuse(ctx context.Context, a Actor, actionID string, cmd *Command, why string) *Reply {
	r := refusedReply(why)
	what, alertID := "unreadable command", int64(0)
	if cmd != nil {
		what, alertID = cmd.key(), cmd.Alert
		if s := subject(cmd); s != "" {
			what += " " + s
		}
	}
	if err := h.svc.RecordRefusal(ctx, actionID, alertID, a.ID, a.Source, what+": "+why); err != nil {
		r.Err = fmt.Errorf("audit refusal of %s to %s: %w", what, a.ID, err)
	}
	return r
}

// muteFor is how long a mute command would last for role: its duration,
// or for an alert mute without one the default, shortened to what a
// moderator may set so the plain "mute A-42" button always works.
func (h *Handler) muteFor(role Role, c *Command) time.Duration {
	if c.Name != "mute" || c.For > 0 {
		return c.For
	}
	if role == RoleModerator {
		return min(DefaultMute, h.opts.ModeratorMaxMute)
	}
	return DefaultMute
}

func (h *Handler) execute(ctx context.Context, a Actor, actionID string, role Role, c *Command) *Reply {
	switch c.Name {
	case "ack", "unack", "resolve", "reopen", "escalate", "assign", "note":
		return h.apply(ctx, a, actionID, c)
	case "mute":
		return h.mute(ctx, a, actionID, c, h.muteFor(role, c))
	case "unmute":
		return h.unmute(ctx, a, actionID, c)
	case "mutes":
		return h.listMutes(ctx, c)
	case "show", "history":
		return h.show(ctx, c)
	case "list":
		return h.list(ctx, a, c)
	case "status":
		return h.status(ctx)
	case "watch":
		return h.watch(ctx, a, c)
	case "help":
		if c.Topic != "" {
			text, _ := Usage(c.Topic)
			return listing(text)
		}
		return listing(help())
	}
	// Parse only returns commands listed above.
	r := errorReply(internalError)
	r.Err = fmt.Errorf("bot: no handler for command %q", c.Name)
	return r
}

// done phrases each triage action for replies: "A-42 acknowledged by maria".
var done = map[alerts.Action]string{
	alerts.ActionAck:      "acknowledged",
	alerts.ActionUnack:    "unacknowledged",
	alerts.ActionResolve:  "resolved",
	alerts.ActionReopen:   "reopened",
	alerts.ActionEscalate: "escalated",
	alerts.ActionAssign:   "assigned",
	alerts.ActionNote:     "noted",
}

func (h *Handler) apply(ctx context.Context, a Actor, actionID string, c *Command) *Reply {
	req := alerts.Request{
		ActionID: actionID,
		Alert:    c.Alert,
		Action:   alerts.Action(c.Name),
		Actor:    a.ID,
		Source:   a.Source,
		Reason:   c.Reason,
		Target:   c.Target,
	}
	if req.Action == alerts.ActionAssign && c.Target == "me" {
		req.Target = a.ID
	}
	res, err := h.svc.Apply(ctx, req)
	if err != nil {
		return failure(subject(c), err)
	}
	ref := alerts.FormatRef(c.Alert)
	if res.Duplicate {
		// Name what the action id did the first time, which a replayed id
		// carrying another command would otherwise misreport.
		action := req.Action
		if res.Event != nil && done[res.Event.Action] != "" {
			action = res.Event.Action
		}
		return &Reply{
			Kind:      ReplyOK,
			Text:      fmt.Sprintf("%s was already %s (this action was applied once)", ref, done[action]),
			Alert:     res.Alert,
			Ephemeral: true,
			Duplicate: true,
		}
	}
	var text string
	switch req.Action {
	case alerts.ActionNote:
		text = fmt.Sprintf("note added to %s by %s", ref, a.display())
	case alerts.ActionAssign:
		text = fmt.Sprintf("%s assigned to %s by %s", ref, targetName(req.Target, a), a.display())
	case alerts.ActionEscalate:
		text = fmt.Sprintf("%s escalated by %s", ref, a.display())
		if req.Target != "" {
			text = fmt.Sprintf("%s escalated to %s by %s", ref, req.Target, a.display())
		}
	default:
		text = fmt.Sprintf("%s %s by %s", ref, done[req.Action], a.display())
	}
	r := okReply(text)
	r.Alert = res.Alert
	return r
}

// targetName shows an assignee: the actor's own name when they took the
// alert themselves.
func targetName(target string, a Actor) string {
	if target == a.ID {
		return a.display()
	}
	return target
}

func (h *Handler) mute(ctx context.Context, a Actor, actionID string, c *Command, d time.Duration) *Reply {
	req := alerts.MuteRequest{
		ActionID: actionID,
		Scope:    c.Scope,
		AlertID:  c.Alert,
		Account:  c.Account,
		Keyword:  c.Keyword,
		Watch:    c.Watch,
		For:      d,
		Reason:   c.Reason,
		Actor:    a.ID,
		Source:   a.Source,
	}
	if a.Channel != "" {
		req.Notify = []alerts.Destination{a.Channel}
	}
	if c.Alert > 0 && (c.Scope == alerts.ScopeAccount && c.Account == "" || c.Scope == alerts.ScopeKeyword && c.Keyword == "") {
		if r := h.fromAlert(ctx, c, &req); r != nil {
			return r
		}
	}
	m, err := h.svc.Mute(ctx, req)
	if err != nil {
		return failure(subject(c), err)
	}
	r := okReply(fmt.Sprintf("%s muted for %s by %s (%s, until %s)",
		m.Describe(), FormatDuration(d), a.display(), m.Ref(), m.ExpiresAt.UTC().Format("2006-01-02 15:04 MST")))
	r.Mute = m
	return r
}

// fromAlert fills a mute asked from an alert's card ("mute this account",
// "mute this keyword") with the alert's author or first matched term.
func (h *Handler) fromAlert(ctx context.Context, c *Command, req *alerts.MuteRequest) *Reply {
	al, _, err := h.svc.Alert(ctx, c.Alert)
	if err != nil {
		return failure(subject(c), err)
	}
	ref := alerts.FormatRef(c.Alert)
	switch c.Scope {
	case alerts.ScopeAccount:
		// The stable id survives a change of handle, which is how muted
		// accounts would otherwise slip back in.
		req.Account = al.Post.AuthorID
		if req.Account == "" {
			req.Account = al.Post.Handle
		}
		if req.Account == "" {
			return errorReply(ref + " has no author to mute")
		}
	case alerts.ScopeKeyword:
		if len(al.Hits) == 0 || al.Hits[0].Term == "" {
			return errorReply(ref + " has no matched keyword to mute")
		}
		req.Keyword = al.Hits[0].Term
	}
	return nil
}

func (h *Handler) unmute(ctx context.Context, a Actor, actionID string, c *Command) *Reply {
	m, err := h.svc.Unmute(ctx, actionID, c.Mute, a.ID, a.Source)
	if err != nil {
		return failure(subject(c), err)
	}
	r := okReply(fmt.Sprintf("%s on %s lifted by %s", m.Ref(), m.Describe(), a.display()))
	r.Mute = m
	return r
}

func (h *Handler) listMutes(ctx context.Context, c *Command) *Reply {
	ms, err := h.svc.Mutes(ctx, c.All)
	if err != nil {
		return failure("", err)
	}
	text := count(len(ms), "mute", "mutes") + " in force"
	if c.All {
		text = count(len(ms), "mute", "mutes") + ", ended ones included"
	}
	r := listing(text)
	r.Mutes = ms
	return r
}

func (h *Handler) show(ctx context.Context, c *Command) *Reply {
	al, history, err := h.svc.Alert(ctx, c.Alert)
	if err != nil {
		return failure(subject(c), err)
	}
	var r *Reply
	if c.Name == "history" {
		r = listing(fmt.Sprintf("%s: %s", al.Ref(), count(len(history), "event", "events")))
		r.History = history
	} else {
		text := fmt.Sprintf("%s is %s (watch %s)", al.Ref(), al.State, al.Watch)
		if al.Muted {
			text += fmt.Sprintf(", muted by M-%d", al.MuteID)
		}
		r = listing(text)
	}
	r.Alert = al
	return r
}

func (h *Handler) list(ctx context.Context, a Actor, c *Command) *Reply {
	f := alerts.AlertFilter{States: c.States, Watch: c.Watch, Limit: ListLimit, IncludeMuted: c.Muted}
	if c.Mine || c.Muted {
		// Narrowed in memory: read further back so the page still fills.
		f.Limit = ListLimit * 20
	}
	as, err := h.svc.Alerts(ctx, f)
	if err != nil {
		return failure(subject(c), err)
	}
	if c.Mine || c.Muted {
		kept := as[:0]
		for _, al := range as {
			if (c.Muted && !al.Muted) || (c.Mine && !assignedTo(al, a)) {
				continue
			}
			kept = append(kept, al)
		}
		as = kept[:min(len(kept), ListLimit)]
	}
	which := "all"
	if !c.All {
		names := make([]string, len(c.States))
		for i, s := range c.States {
			names[i] = string(s)
		}
		which = strings.Join(names, ", ")
	}
	text := fmt.Sprintf("%s (%s", count(len(as), "alert", "alerts"), which)
	if c.Mine {
		text += "; assigned to you"
	}
	if c.Muted {
		text += "; muted"
	}
	if c.Watch != "" {
		text += "; watch " + c.Watch
	}
	text += ")"
	if len(as) >= ListLimit {
		text += fmt.Sprintf("; the newest %d are shown", ListLimit)
	}
	r := listing(text)
	r.Alerts = as
	return r
}

func (h *Handler) watch(ctx context.Context, a Actor, c *Command) *Reply {
	if h.watches == nil {
		return errorReply("watches cannot be changed or listed here")
	}
	switch c.Sub {
	case "list":
		ws, err := h.watches.List(ctx)
		if err != nil {
			return failure("", err)
		}
		r := listing(count(len(ws), "watch", "watches"))
		r.Watches = ws
		return r
	case "remove":
		if err := h.watches.Remove(ctx, c.Watch, a.ID); err != nil {
			return failure(subject(c), err)
		}
		return okReply(fmt.Sprintf("watch %s removed by %s", c.Watch, a.display()))
	}
	w := *c.NewWatch
	if w.Route == "" {
		w.Route = h.opts.Defaults.Route
	}
	if w.Interval == 0 {
		w.Interval = h.opts.Defaults.Interval
	}
	if w.Severity == "" {
		w.Severity = h.opts.Defaults.Severity
	}
	w.Enabled, w.Origin, w.CreatedBy, w.CreatedAt = true, alerts.OriginStore, a.ID, h.opts.Now().UTC()
	if err := w.Validate(); err != nil {
		return failure(subject(c), err)
	}
	if err := h.watches.Add(ctx, &w, a.ID); err != nil {
		if errors.Is(err, alerts.ErrConflict) {
			return errorReply(fmt.Sprintf("a watch named %s already exists", w.Name))
		}
		return failure(subject(c), err)
	}
	r := okReply(fmt.Sprintf("watch %s added by %s: %s every %s", w.Name, a.display(), w.Source, FormatDuration(w.Interval)))
	r.Watches = []*alerts.Watch{&w}
	return r
}

// subject names what a command is about, for "… does not exist" and the
// audit trail.
func subject(c *Command) string {
	switch {
	case c.Name == "unmute":
		return fmt.Sprintf("M-%d", c.Mute)
	case c.Alert > 0:
		return alerts.FormatRef(c.Alert)
	case c.Watch != "":
		return "watch " + c.Watch
	case c.Account != "" && c.Keyword != "":
		return fmt.Sprintf("@%s on %q", c.Account, c.Keyword)
	case c.Account != "":
		return "@" + c.Account
	case c.Keyword != "":
		return fmt.Sprintf("%q", c.Keyword)
	}
	return ""
}

func count(n int, one, many string) string {
	switch n {
	case 0:
		return "no " + many
	case 1:
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// assignedTo reports whether an alert is assigned to the actor, by id or
// by the names chat mentions produce.
func assignedTo(al *alerts.Alert, a Actor) bool {
	if al.Assignee == "" {
		return false
	}
	switch al.Assignee {
	case a.ID, "@" + a.Name, a.Name:
		return true
	}
	// "slack:U1" is mentioned as "slack:@U1".
	if p, id, ok := strings.Cut(a.ID, ":"); ok && al.Assignee == p+":@"+id {
		return true
	}
	return false
}

// StatusSource reports Lookout's health for the status command.
type StatusSource interface {
	Status(ctx context.Context) (*Status, error)
}

// Status is what the status command shows.
type Status struct {
	Watches    []WatchHealth                `json:"watches"`
	Alerts     map[alerts.State]int         `json:"alerts"`
	Deliveries map[alerts.DeliveryState]int `json:"deliveries"`
	// Failed are the newest deliveries that failed for good.
	Failed []*alerts.Delivery `json:"failed_deliveries"`
	// Queue counts background jobs by "queue:state".
	Queue map[string]int `json:"queue"`
	// Budgets are the platforms' remaining request budgets, one line each.
	Budgets []string `json:"budgets,omitempty"`
	// Replicas are the running processes seen recently and what they
	// hold, one line each.
	Replicas []string `json:"replicas,omitempty"`
}

// WatchHealth is one watch's line in the status.
type WatchHealth struct {
	Name   string             `json:"name"`
	Source string             `json:"source"`
	Origin alerts.Origin      `json:"origin"`
	State  *alerts.WatchState `json:"state"`
	// Seen24h counts the posts the watch saw in the last 24 hours.
	Seen24h int `json:"seen_24h"`
}

func (h *Handler) status(ctx context.Context) *Reply {
	if h.opts.Status == nil {
		return errorReply("status is not available here")
	}
	st, err := h.opts.Status.Status(ctx)
	if err != nil {
		return failure("", err)
	}
	unhealthy := 0
	for _, w := range st.Watches {
		if w.State != nil && w.State.Unhealthy {
			unhealthy++
		}
	}
	r := listing(fmt.Sprintf("%s, %d unhealthy; %d deliveries pending, %d failed",
		count(len(st.Watches), "watch", "watches"), unhealthy, st.Deliveries[alerts.DeliveryPending], st.Deliveries[alerts.DeliveryFailed]))
	r.Status = st
	return r
}
