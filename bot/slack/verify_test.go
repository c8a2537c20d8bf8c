package slack

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Slack's documented example (docs.slack.dev/authentication/verifying-requests-from-slack).
const (
	docTS   = "1531420618"
	docBody = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	docSig  = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func headers(ts, sig string) http.Header {
	h := http.Header{}
	if ts != "" {
		h.Set("X-Slack-Request-Timestamp", ts)
	}
	if sig != "" {
		h.Set("X-Slack-Signature", sig)
	}
	return h
}

func TestVerify(t *testing.T) {
	at := func(d time.Duration) func() time.Time {
		sec, _ := strconv.ParseInt(docTS, 10, 64)
		return func() time.Time { return time.Unix(sec, 0).Add(d) }
	}
	for _, tc := range []struct {
		name   string
		now    func() time.Time
		secret string
		h      http.Header
		body   string
		want   error
	}{
		{"Slack's example", at(0), secret, headers(docTS, docSig), docBody, nil},
		{"4m59s later", at(4*time.Minute + 59*time.Second), secret, headers(docTS, docSig), docBody, nil},
		{"stale: 5m01s later", at(5*time.Minute + time.Second), secret, headers(docTS, docSig), docBody, errBadTimestamp},
		{"future: 5m01s early", at(-5*time.Minute - time.Second), secret, headers(docTS, docSig), docBody, errBadTimestamp},
		{"forged signature", at(0), secret, headers(docTS, "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b504"), docBody, errBadSignature},
		{"body changed", at(0), secret, headers(docTS, docSig), docBody + "&text=ack", errBadSignature},
		{"other secret", at(0), "other", headers(docTS, docSig), docBody, errBadSignature},
		{"no v0 prefix", at(0), secret, headers(docTS, docSig[3:]), docBody, errBadSignature},
		{"not hex", at(0), secret, headers(docTS, "v0=zz"), docBody, errBadSignature},
		{"no signature", at(0), secret, headers(docTS, ""), docBody, errNoSignature},
		{"no timestamp", at(0), secret, headers("", docSig), docBody, errNoSignature},
		{"timestamp not a number", at(0), secret, headers("12ab", docSig), docBody, errBadTimestamp},
		{"empty secret", at(0), "", headers(docTS, docSig), docBody, errNoSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := verifier{secret: []byte(tc.secret), now: tc.now}.verify(tc.h, []byte(tc.body))
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v; want %v", err, tc.want)
			}
		})
	}
	if got := Signature(secret, docTS, []byte(docBody)); got != docSig {
		t.Errorf("Signature: got %s; want %s", got, docSig)
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(docTS, docSig, docBody)
	f.Add("0", "v0=", "")
	f.Fuzz(func(t *testing.T, ts, sig, body string) {
		v := verifier{secret: []byte(secret), now: func() time.Time { return time.Unix(1531420618, 0) }}
		err := v.verify(headers(ts, sig), []byte(body))
		if err == nil && !strings.EqualFold(sig, Signature(secret, ts, []byte(body))) {
			t.Fatalf("accepted a signature that is not the HMAC: ts %q sig %q", ts, sig)
		}
	})
}
