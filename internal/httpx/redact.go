package httpx

import (
	"net/url"
	"regexp"
	"strings"
)

// redacted replaces every secret Redact finds.
const redacted = "REDACTED"

// Path and header patterns whose secret part is replaced. Each regexp keeps
// the non-secret prefix in group 1.
var (
	// Slack response_url, incoming-webhook and workflow URLs carry their
	// secret in the path: hooks.slack.com/commands/T…/…/<secret>.
	slackHookRe = regexp.MustCompile(`(?i)(hooks\.slack\.com/(?:commands|actions|services|triggers|workflows)/)[^\s?#"'<>` + "`" + `]+`)
	// Discord interaction and webhook tokens: /interactions/{id}/{token}/…
	// and /webhooks/{id}/{token}.
	discordTokenRe = regexp.MustCompile(`(/(?:interactions|webhooks)/[^/\s?#"'<>]+/)[^/\s?#"'<>` + "`" + `]+`)
	// "Bearer <token>" (RFC 6750 b64token), any case.
	bearerRe = regexp.MustCompile(`(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]+=*`)
	// "Bot <token>" as Discord sends it. Case-sensitive with a minimum
	// length so that prose such as "Bot is not admin" survives.
	botRe = regexp.MustCompile(`(\bBot\s+)[A-Za-z0-9\-_.]{20,}`)
)

// secretKeys are query, form and log keys whose values are always masked.
// A key also matches when one of these follows a "_", "-", "." or "[" in it,
// as in client_secret, x-api-key or hub.secret.
var secretKeys = map[string]bool{
	"token": true, "access_token": true, "refresh_token": true, "id_token": true,
	"key": true, "api_key": true, "apikey": true, "api-key": true,
	"secret": true, "client_secret": true,
	"password": true, "passwd": true, "pass": true,
	"sig": true, "signature": true,
	"auth": true, "authorization": true, "credential": true, "credentials": true,
	"jwt": true, "session": true,
}

// secretSuffixes extend secretKeys to compound keys.
var secretSuffixes = []string{"token", "key", "secret", "password", "sig", "signature", "auth", "credential", "credentials"}

// publicKeys end like a secret key but hold only cursors, which are useful
// in logs.
var publicKeys = map[string]bool{
	"pagination_token": true, "next_token": true, "page_token": true, "sort_key": true,
}

// Redact masks secrets in s, which may be a URL, an error message or a log
// line: the password (or token-like user) in URL userinfo; values of query,
// form or key=value pairs whose key names a secret (token, access_token, key,
// api_key, secret, password, sig, signature, auth and compounds such as
// client_secret); Slack response_url and webhook paths; Discord interaction
// and webhook tokens; and "Bearer …" and "Bot …" credentials. Every error and
// log line this package produces goes through it.
func Redact(s string) string {
	if s == "" {
		return s
	}
	s = slackHookRe.ReplaceAllString(s, "${1}"+redacted)
	s = discordTokenRe.ReplaceAllString(s, "${1}"+redacted)
	s = bearerRe.ReplaceAllString(s, "${1}"+redacted)
	s = botRe.ReplaceAllString(s, "${1}"+redacted)
	s = redactUserinfo(s)
	// Key/value pairs go last so that nothing above can re-expose a value.
	return redactPairs(s)
}

// isKeyChar reports whether c may appear in a query or form key.
func isKeyChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("_-.%[]", c) >= 0
}

// isValueEnd reports whether c ends a query or form value. Only characters
// that cannot be part of a URL value are used, so a value is never cut short
// and partly leaked.
func isValueEnd(c byte) bool {
	return c <= ' ' || c == 0x7f || strings.IndexByte("&#\"'<>`", c) >= 0
}

// isSecretKey reports whether a query or form key names a secret.
func isSecretKey(k string) bool {
	k = asciiLower(k)
	if strings.IndexByte(k, '%') >= 0 {
		if dec, err := url.QueryUnescape(k); err == nil {
			k = asciiLower(dec)
		}
	}
	if publicKeys[k] {
		return false
	}
	if secretKeys[k] {
		return true
	}
	for _, s := range secretSuffixes {
		if strings.HasSuffix(k, s) && len(k) > len(s) {
			switch k[len(k)-len(s)-1] {
			case '_', '-', '.', '[':
				return true
			}
		}
		if strings.HasSuffix(k, "["+s+"]") {
			return true
		}
	}
	return false
}

// redactPairs masks the value of every key=value pair, and every JSON
// "key": "value" member, whose key is a secret. A key starts at the beginning of s or after any character that
// cannot be part of a key, so "?token=", "&token=", " token=" and
// `"token=` all match while "xtoken=" does not.
func redactPairs(s string) string {
	var b strings.Builder
	last := 0 // s[:last] has been copied to b
	for i := 0; i < len(s); {
		if !isKeyChar(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isKeyChar(s[j]) {
			j++
		}
		if start, end, ok := jsonSecret(s, i, j); ok {
			b.WriteString(s[last:start])
			b.WriteString(redacted)
			last = end
			i = end
			continue
		}
		if j < len(s) && s[j] == '=' && isSecretKey(s[i:j]) {
			k := j + 1
			for k < len(s) && !isValueEnd(s[k]) {
				k++
			}
			b.WriteString(s[last : j+1])
			b.WriteString(redacted)
			last = k
			i = k
			continue
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// jsonSecret reports whether s[i:j] is a quoted JSON key naming a secret
// with a string value, as in {"access_token": "…"}, and returns the bounds
// of that value's contents.
func jsonSecret(s string, i, j int) (start, end int, ok bool) {
	if i == 0 || s[i-1] != '"' || j >= len(s) || s[j] != '"' || !isSecretKey(s[i:j]) {
		return 0, 0, false
	}
	k := skipSpaces(s, j+1)
	if k >= len(s) || s[k] != ':' {
		return 0, 0, false
	}
	k = skipSpaces(s, k+1)
	if k >= len(s) || s[k] != '"' {
		return 0, 0, false
	}
	start = k + 1
	for end = start; end < len(s) && s[end] != '"'; end++ {
		if s[end] == '\\' {
			end++
		}
	}
	return start, min(end, len(s)), true
}

func skipSpaces(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// redactUserinfo masks the password in every "scheme://user:password@host"
// in s, or the whole user when there is no password, since tokens are often
// passed as the user name.
func redactUserinfo(s string) string {
	var b strings.Builder
	last := 0 // s[:last] has been copied to b
	for i := 0; ; {
		n := strings.Index(s[i:], "://")
		if n < 0 {
			break
		}
		start := i + n + 3
		end := start
		for end < len(s) && !isValueEnd(s[end]) && strings.IndexByte("/?#", s[end]) < 0 {
			end++
		}
		i = end
		at := strings.LastIndexByte(s[start:end], '@')
		if at < 0 {
			continue
		}
		userinfo := s[start : start+at]
		maskFrom := start
		if c := strings.IndexByte(userinfo, ':'); c >= 0 {
			maskFrom = start + c + 1
		}
		b.WriteString(s[last:maskFrom])
		b.WriteString(redacted)
		last = start + at
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// asciiLower lower-cases ASCII letters only, keeping byte offsets intact.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
