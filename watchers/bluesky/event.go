package bluesky

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The Jetstream event kinds and commit operations
// (https://github.com/bluesky-social/jetstream#example-events).
const (
	kindCommit   = "commit"
	kindIdentity = "identity"
	kindAccount  = "account"

	opCreate = "create"
	opUpdate = "update"
	opDelete = "delete"
)

// event is one Jetstream message.
type event struct {
	DID      string    `json:"did"`
	TimeUS   int64     `json:"time_us"`
	Kind     string    `json:"kind"`
	Commit   *commit   `json:"commit,omitempty"`
	Identity *identity `json:"identity,omitempty"`
	Account  *account  `json:"account,omitempty"`
}

type commit struct {
	Rev        string          `json:"rev"`
	Operation  string          `json:"operation"`
	Collection string          `json:"collection"`
	RKey       string          `json:"rkey"`
	Record     json.RawMessage `json:"record,omitempty"`
	CID        string          `json:"cid,omitempty"`
}

type identity struct {
	DID    string `json:"did"`
	Handle string `json:"handle,omitempty"`
	Seq    int64  `json:"seq"`
	Time   string `json:"time"`
}

type account struct {
	Active bool   `json:"active"`
	DID    string `json:"did"`
	Seq    int64  `json:"seq"`
	Time   string `json:"time"`
	Status string `json:"status,omitempty"`
}

// errMalformedEvent marks a frame that is not a Jetstream event Lookout
// can use.
var errMalformedEvent = errors.New("malformed jetstream event")

// decodeEvent parses and checks one frame. A post create also has its
// record decoded into rec.
func decodeEvent(b []byte) (ev event, rec *postRecord, err error) {
	if err := json.Unmarshal(b, &ev); err != nil {
		return event{}, nil, fmt.Errorf("%w: %w", errMalformedEvent, err)
	}
	if !validDID(ev.DID) || ev.TimeUS <= 0 {
		return event{}, nil, fmt.Errorf("%w: missing did or time_us", errMalformedEvent)
	}
	switch ev.Kind {
	case kindCommit:
		c := ev.Commit
		if c == nil || c.RKey == "" || strings.Contains(c.RKey, "/") {
			return event{}, nil, fmt.Errorf("%w: commit without rkey", errMalformedEvent)
		}
		switch c.Operation {
		case opCreate, opUpdate:
			if c.Collection != postCollection {
				return ev, nil, nil
			}
			rec = &postRecord{}
			if err := json.Unmarshal(c.Record, rec); err != nil {
				return event{}, nil, fmt.Errorf("%w: post record: %w", errMalformedEvent, err)
			}
		case opDelete:
		default:
			return event{}, nil, fmt.Errorf("%w: commit operation %q", errMalformedEvent, c.Operation)
		}
	case kindIdentity:
		if ev.Identity == nil {
			return event{}, nil, fmt.Errorf("%w: identity event without identity", errMalformedEvent)
		}
	case kindAccount:
		if ev.Account == nil {
			return event{}, nil, fmt.Errorf("%w: account event without account", errMalformedEvent)
		}
	}
	// Unknown kinds are returned as they are, for the caller to skip.
	return ev, rec, nil
}

// maxDIDLength is the DID length limit of the AT Protocol
// (https://atproto.com/specs/did).
const maxDIDLength = 2048

// validDID checks the shape of a DID closely enough that it can be put in
// an at-URI and a web URL: "did:", a method, ":", an identifier, no
// separators or spaces.
func validDID(s string) bool {
	rest, ok := strings.CutPrefix(s, "did:")
	if !ok || len(s) > maxDIDLength {
		return false
	}
	method, id, ok := strings.Cut(rest, ":")
	if !ok || method == "" || id == "" {
		return false
	}
	return !strings.ContainsAny(s, "/?#@ \t\r\n\"<>")
}
