package httpx

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain url", "https://example.com/feed.xml?q=go&since_id=12", "https://example.com/feed.xml?q=go&since_id=12"},
		{"userinfo password", "https://user:p4ss@example.com/x", "https://user:REDACTED@example.com/x"},
		{"userinfo token as user", "https://ghp_abc@example.com/x", "https://REDACTED@example.com/x"},
		{"access_token", "https://api.example.com/x?access_token=SEKRET&limit=5", "https://api.example.com/x?access_token=REDACTED&limit=5"},
		{"token", "/x?token=abc", "/x?token=REDACTED"},
		{"key", "/x?a=1&key=abc#frag", "/x?a=1&key=REDACTED#frag"},
		{"api_key", "/x?api_key=abc", "/x?api_key=REDACTED"},
		{"secret", "/x?secret=abc", "/x?secret=REDACTED"},
		{"password", "/x?password=hunter2", "/x?password=REDACTED"},
		{"sig", "/x?sig=abc", "/x?sig=REDACTED"},
		{"signature", "/x?X-Amz-Signature=abc", "/x?X-Amz-Signature=REDACTED"},
		{"auth", "/x?auth=abc", "/x?auth=REDACTED"},
		{"case insensitive", "/x?Access_Token=abc", "/x?Access_Token=REDACTED"},
		{"percent-encoded key", "/x?access%5Ftoken=abc", "/x?access%5Ftoken=REDACTED"},
		{"compound keys", "client_secret=a&x-api-key=b&hub.secret=c", "client_secret=REDACTED&x-api-key=REDACTED&hub.secret=REDACTED"},
		{"empty value", "/x?token=&a=1", "/x?token=REDACTED&a=1"},
		{"value with query chars", "/x?token=a?b=c/d&e=1", "/x?token=REDACTED&e=1"},
		{"pagination cursor kept", "/2/tweets?pagination_token=abc&next_token=def", "/2/tweets?pagination_token=abc&next_token=def"},
		{"lookalike keys kept", "/x?monkey=1&xtoken=2&keys=3", "/x?monkey=1&xtoken=2&keys=3"},
		{"in url.Error", `Get "http://127.0.0.1:1/x?access_token=SEKRET": dial tcp 127.0.0.1:1: connect: connection refused`, `Get "http://127.0.0.1:1/x?access_token=REDACTED": dial tcp 127.0.0.1:1: connect: connection refused`},
		{"log key=value", `level=DEBUG msg="x" url=https://h/x?token=abc status=500`, `level=DEBUG msg="x" url=https://h/x?token=REDACTED status=500`},
		{"json member", `{"error":"bad","access_token": "abc\"def","n":1}`, `{"error":"bad","access_token": "REDACTED","n":1}`},
		{"slack command response_url", "https://hooks.slack.com/commands/T0123/45678/abcSECRET", "https://hooks.slack.com/commands/REDACTED"},
		{"slack action response_url", `POST "https://hooks.slack.com/actions/T0123/45678/abcSECRET": 404`, `POST "https://hooks.slack.com/actions/REDACTED": 404`},
		{"slack incoming webhook", "https://hooks.slack.com/services/T000/B000/XXXX", "https://hooks.slack.com/services/REDACTED"},
		{"discord interaction callback", "https://discord.com/api/v10/interactions/1234/aW50ZXJhY3Rpb24/callback", "https://discord.com/api/v10/interactions/1234/REDACTED/callback"},
		{"discord webhook", "https://discord.com/api/webhooks/1234/tok-EN_x", "https://discord.com/api/webhooks/1234/REDACTED"},
		{"discord webhook message", "https://discord.com/api/v10/webhooks/1234/tokEN/messages/@original", "https://discord.com/api/v10/webhooks/1234/REDACTED/messages/@original"},
		{"bearer", "Authorization: Bearer abc.DEF-ghi_jkl=", "Authorization: Bearer REDACTED"},
		{"bearer lower case", "authorization: bearer eyJhbGciOi.x.y", "authorization: bearer REDACTED"},
		{"bot token", "Authorization: Bot MTAxMjM0NTY3ODkwMTIzNDU2.GhIjKl.abcdefghijklmnop", "Authorization: Bot REDACTED"},
		{"bot prose kept", "Bot is not admin in this channel", "Bot is not admin in this channel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// specSecretKeys are the keys the package contract promises to mask.
var specSecretKeys = []string{"token", "access_token", "key", "api_key", "secret", "password", "sig", "signature", "auth"}

// checkPairsRedacted fails if out holds a secret key=value pair whose value
// is anything but the mask.
func checkPairsRedacted(t *testing.T, in, out string) {
	t.Helper()
	lower := asciiLower(out)
	for _, k := range specSecretKeys {
		pat := k + "="
		for off := 0; ; {
			n := strings.Index(lower[off:], pat)
			if n < 0 {
				break
			}
			at := off + n
			off = at + 1
			if at > 0 && isKeyChar(out[at-1]) {
				continue // part of a longer key
			}
			rest := out[at+len(pat):]
			if !strings.HasPrefix(rest, redacted) || (len(rest) > len(redacted) && !isValueEnd(rest[len(redacted)])) {
				t.Fatalf("Redact(%q) = %q: value of %q not masked", in, out, k)
			}
		}
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("https://u:p@h/x?token=abc&q=1", "SEKRET", uint8(1))
	f.Add(`Get "http://127.0.0.1:1/x?a=?token=b": refused`, "v", uint8(0))
	f.Add("Bearer x token=y", "hooks.slack.com/commands/a", uint8(3))
	f.Add(`{"key":"v"}`, `a"b`, uint8(4))
	f.Fuzz(func(t *testing.T, prefix, value string, k uint8) {
		checkPairsRedacted(t, prefix, Redact(prefix))

		key := specSecretKeys[int(k)%len(specSecretKeys)]
		in := prefix + "?" + key + "=" + value
		out := Redact(in)
		checkPairsRedacted(t, in, out)

		// The value as a URL parser would see it.
		v := value
		for i := 0; i < len(v); i++ {
			if isValueEnd(v[i]) {
				v = v[:i]
				break
			}
		}
		if v == "" || strings.HasPrefix(redacted, v) {
			return
		}
		pair := key + "=" + v
		for off := 0; ; {
			n := strings.Index(out[off:], pair)
			if n < 0 {
				break
			}
			at := off + n
			off = at + 1
			if at == 0 || !isKeyChar(out[at-1]) {
				t.Fatalf("Redact(%q) = %q: leaks %s", in, out, pair)
			}
		}
	})
}
