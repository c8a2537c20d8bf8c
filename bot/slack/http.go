package slack

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/slack-go/slack"
)

// Mux is where the adapter mounts its HTTP endpoints; *server.Server and
// *http.ServeMux fit it.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Endpoint paths on the [http] listener; the app manifest names them.
const (
	PathCommands     = "/slack/commands"
	PathInteractions = "/slack/interactions"
	PathEvents       = "/slack/events"
)

// Mount adds POST /slack/commands, /slack/interactions and /slack/events.
// Every request is size-limited and its signature verified over the raw
// body before anything is parsed; any failure is a 401 and nothing runs.
// Accepted commands and clicks are answered with an empty 200 at once and
// worked on afterwards, answering through their response_url.
func (a *Adapter) Mount(m Mux) {
	m.Handle("POST "+PathCommands, a.signed(a.serveCommand))
	m.Handle("POST "+PathInteractions, a.signed(a.serveInteraction))
	m.Handle("POST "+PathEvents, a.signed(a.serveEvent))
}

// signed reads the body within the limit, verifies the signature and
// hands the raw body on.
func (a *Adapter) signed(next func(w http.ResponseWriter, body []byte) error) http.Handler {
	v := verifier{secret: []byte(a.opts.SigningSecret), now: a.opts.Now}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.opts.MaxBody))
		if err == nil {
			err = v.verify(r.Header, body)
		}
		if err == nil {
			err = next(w, body)
		}
		if err != nil {
			a.log.Warn("slack_request_refused", "path", r.URL.Path, "reason", refusalReason(err))
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		}
	})
}

func refusalReason(err error) string {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return "body over the size limit"
	}
	return err.Error()
}

func (a *Adapter) serveCommand(w http.ResponseWriter, body []byte) error {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return errMalformed
	}
	r, err := fromSlash(slack.SlashCommand{
		TeamID: form.Get("team_id"), ChannelID: form.Get("channel_id"), UserID: form.Get("user_id"),
		UserName: form.Get("user_name"), Command: form.Get("command"), Text: form.Get("text"),
		ResponseURL: form.Get("response_url"), TriggerID: form.Get("trigger_id"),
	}, body)
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	a.spawn(r)
	return nil
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, body []byte) error {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		return errMalformed
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		return errMalformed
	}
	if cb.Type != slack.InteractionTypeBlockActions {
		// Shortcuts, views: nothing Lookout offers; acknowledge quietly.
		w.WriteHeader(http.StatusOK)
		return nil
	}
	r, err := fromClick(&cb, []byte(form.Get("payload")))
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	a.spawn(r)
	return nil
}

// eventEnvelope is the part of an Events API request Lookout reads.
type eventEnvelope struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge"`
	EventID   string `json:"event_id"`
	Event     struct {
		Type string `json:"type"`
	} `json:"event"`
}

func (a *Adapter) serveEvent(w http.ResponseWriter, body []byte) error {
	var e eventEnvelope
	if err := json.Unmarshal(body, &e); err != nil {
		return errMalformed
	}
	switch e.Type {
	case "url_verification":
		w.Header().Set("Content-Type", "application/json")
		return json.NewEncoder(w).Encode(map[string]string{"challenge": e.Challenge})
	case "app_rate_limited":
		a.log.Warn("slack_events_rate_limited")
	default:
		a.log.Debug("slack_event_ignored", "type", e.Type, "event", e.Event.Type, "event_id", e.EventID)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
