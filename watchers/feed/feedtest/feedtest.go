// Package feedtest generates feeds for benchmarks and tests: an endless
// source of never-seen posts, served without a network.
package feedtest

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/lookoutbot/lookout/internal/httpx"
)

// Generated answers every fetch with Posts never-seen RSS items, one in
// ten of them holding the terms "gente nueva", "plaza" and "cártel"; the
// others are ordinary Spanish text. It fits the feed watcher's fetcher.
type Generated struct {
	Posts int
	round int
}

// Get returns the next batch of items. It is not safe for concurrent use.
func (g *Generated) Get(_ context.Context, _ string, _ http.Header) (*httpx.Response, error) {
	g.round++
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title><link>https://example.org/</link>`)
	for i := range g.Posts {
		text := "Reunión del comité vecinal el sábado en el parque, traigan sillas y agua para todos"
		if i%10 == 0 {
			text = "Se busca gente nueva para la plaza, el cártel paga bien"
		}
		fmt.Fprintf(&b, `<item><guid>r%d-%d</guid><title>post %d</title><description>%s</description><pubDate>Sun, 01 Nov 2026 10:00:00 +0000</pubDate></item>`,
			g.round, i, i, text)
	}
	b.WriteString(`</channel></rss>`)
	return &httpx.Response{Status: 200, Header: http.Header{}, Body: []byte(b.String())}, nil
}
