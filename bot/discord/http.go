package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// tokenLifetime is how long an interaction token can edit its response.
const tokenLifetime = 15 * time.Minute

// Why an HTTP interaction was refused, for the log; the caller only ever
// sees 401.
var (
	errBodyTooLarge = errors.New("body too large or unreadable")
	errSignature    = errors.New("bad signature")
	errTimestamp    = errors.New("timestamp outside the freshness window")
	errReplay       = errors.New("interaction already received")
)

// ServeHTTP is the interactions endpoint (POST /discord/interactions).
// It verifies the Ed25519 signature over timestamp and raw body, refuses
// old or future timestamps, replays and oversized bodies with 401 before
// anything is applied, answers PING, and otherwise answers the
// interaction in the response body (within 3 s; slow commands are
// deferred and finished over REST). See
// https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.opts.MaxBody))
	if err != nil {
		a.refuse(w, r, errBodyTooLarge)
		return
	}
	if err := a.verify(r.Header, body); err != nil {
		a.refuse(w, r, err)
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil || !isSnowflake(i.ID) {
		a.opts.Logger.Warn("discord_interaction_malformed", "err", err)
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	if !a.replays.first(i.ID, a.opts.Now()) {
		a.refuse(w, r, errReplay)
		return
	}
	// The work outlives this request: deferred answers are finished over
	// REST for up to the token's lifetime.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), tokenLifetime)
	firstc := make(chan any, 1)
	a.followups.Add(1)
	go func() {
		defer a.followups.Done()
		defer cancel()
		a.interact(ctx, &i, func(_ context.Context, resp any) error {
			firstc <- resp
			return nil
		})
	}()
	select {
	case resp := <-firstc:
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(resp); err != nil {
			a.opts.Logger.Warn("discord_interaction_write_failed", "interaction", i.ID, "err", err)
		}
	case <-r.Context().Done():
	}
}

func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, why error) {
	a.opts.Logger.Warn("discord_interaction_refused", "reason", why.Error(), "remote", r.RemoteAddr)
	http.Error(w, "invalid request signature", http.StatusUnauthorized)
}

// verify checks X-Signature-Ed25519 over X-Signature-Timestamp + body and
// that the timestamp is within the window of now.
func (a *Adapter) verify(h http.Header, body []byte) error {
	if a.opts.PublicKey == nil {
		return errSignature
	}
	sig, err := hex.DecodeString(h.Get("X-Signature-Ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return errSignature
	}
	ts := h.Get("X-Signature-Timestamp")
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errTimestamp
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	if !ed25519.Verify(a.opts.PublicKey, msg, sig) {
		return errSignature
	}
	if d := a.opts.Now().Sub(time.Unix(secs, 0)); d > a.opts.Window || d < -a.opts.Window {
		return fmt.Errorf("%w (%s off)", errTimestamp, d.Round(time.Second))
	}
	return nil
}

// maxReplays bounds the interaction ids remembered; only requests with a
// valid signature get this far, so only Discord can fill it.
const maxReplays = 100_000

// replays remembers interaction ids seen within the freshness window, so
// a captured request replayed inside the window is refused. (Outside it
// the timestamp check refuses it; the action id makes a replayed action
// idempotent anyway.)
type replays struct {
	window time.Duration
	mu     sync.Mutex
	seen   map[string]time.Time
}

func newReplays(window time.Duration) *replays {
	return &replays{window: window, seen: make(map[string]time.Time)}
}

// first records id and reports whether it is new.
func (r *replays) first(id string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if exp, ok := r.seen[id]; ok && now.Before(exp) {
		return false
	}
	if len(r.seen) >= maxReplays/2 {
		for k, exp := range r.seen {
			if !now.Before(exp) {
				delete(r.seen, k)
			}
		}
	}
	if len(r.seen) >= maxReplays {
		return false
	}
	// Twice the window: a timestamp may be up to a window in the future.
	r.seen[id] = now.Add(2 * r.window)
	return true
}
