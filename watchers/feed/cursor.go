package feed

import (
	"encoding/json"
	"net/http"
)

// cursor is what a feed watch remembers between polls: the HTTP validators
// of each feed, so the next poll can be a conditional GET. It is stored as
// JSON:
//
//	{"feeds":{"https://example.org/rss.xml":{"etag":"\"abc\"","last_modified":"Tue, 03 Mar 2026 09:30:00 GMT"}}}
//
// Feeds that sent no validators have no entry. Unknown keys are ignored, so
// later versions may add fields. A cursor that does not parse (corrupted,
// or written by some other watcher) is treated as empty: the next poll
// fetches every feed in full, which costs bandwidth but loses nothing,
// because deduplication downstream drops posts already seen.
type cursor struct {
	Feeds map[string]validators `json:"feeds,omitempty"`
}

// validators are the conditional-request validators of one feed (RFC 9110
// section 8.8).
type validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

func (v validators) empty() bool { return v.ETag == "" && v.LastModified == "" }

// parseCursor decodes a stored cursor; an empty or unparsable one yields an
// empty cursor (see cursor).
func parseCursor(s string) cursor {
	var c cursor
	if s == "" || json.Unmarshal([]byte(s), &c) != nil {
		return cursor{}
	}
	return c
}

// String encodes the cursor.
func (c cursor) String() string {
	b, _ := json.Marshal(c) // maps and structs of strings always marshal
	return string(b)
}

// conditionalHeader returns the request headers that make a GET
// conditional on v.
func (v validators) conditionalHeader() http.Header {
	h := http.Header{}
	h.Set("Accept", acceptFeeds)
	if v.ETag != "" {
		h.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		h.Set("If-Modified-Since", v.LastModified)
	}
	return h
}

// acceptFeeds asks for feed formats first but takes anything: many servers
// label feeds text/html or application/octet-stream.
const acceptFeeds = "application/rss+xml, application/atom+xml, application/feed+json, " +
	"application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.9, */*;q=0.8"
