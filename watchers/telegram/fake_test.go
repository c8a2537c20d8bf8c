package telegram

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeTelegram serves t.me/s/<channel> preview pages the way t.me does:
// the newest pageSize messages oldest first, ?before=<id> for older ones,
// ?q= for search, and a redirect to the channel's info page when the
// preview is not available.
type fakeTelegram struct {
	mu       sync.Mutex
	channels map[string]*fakeChannel
	requests []string // path and query of every request
	// status, when set, is answered instead of a page, with header.
	status int
	header http.Header
}

type fakeChannel struct {
	restricted bool
	msgs       []fakeMsg // ascending ids
}

type fakeMsg struct {
	id     int64
	text   string
	edited bool
}

const pageSize = 20

var fakeEpoch = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func newFakeTelegram(t *testing.T) (*fakeTelegram, *httptest.Server) {
	f := &fakeTelegram{channels: map[string]*fakeChannel{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// post appends n messages to channel, with ids following the last one.
func (f *fakeTelegram) post(channel string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.channel(channel)
	for range n {
		id := int64(len(c.msgs) + 1)
		c.msgs = append(c.msgs, fakeMsg{id: id, text: fmt.Sprintf("message %d of %s", id, channel)})
	}
}

func (f *fakeTelegram) edit(channel string, id int64, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := &f.channel(channel).msgs[id-1]
	m.text, m.edited = text, true
}

func (f *fakeTelegram) channel(name string) *fakeChannel {
	c, ok := f.channels[strings.ToLower(name)]
	if !ok {
		c = &fakeChannel{}
		f.channels[strings.ToLower(name)] = c
	}
	return c
}

func (f *fakeTelegram) requestLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

func (f *fakeTelegram) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.URL.RequestURI())
	if f.status != 0 {
		for k, v := range f.header {
			w.Header()[k] = v
		}
		w.WriteHeader(f.status)
		return
	}
	name, preview := strings.CutPrefix(r.URL.Path, "/s/")
	name = strings.Trim(name, "/")
	c := f.channel(name)
	if c.restricted {
		if preview {
			http.Redirect(w, r, "/"+name, http.StatusFound)
			return
		}
		fmt.Fprintf(w, `<html><body><div class="tgme_page"><div class="tgme_page_title">%s</div>
<div class="tgme_page_description">This channel can't be displayed because it violated local laws.</div></div></body></html>`, name)
		return
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	q := r.URL.Query().Get("q")
	var sel []fakeMsg
	for _, m := range c.msgs {
		if (before == 0 || m.id < before) && (q == "" || strings.Contains(m.text, q)) {
			sel = append(sel, m)
		}
	}
	if len(sel) > pageSize {
		sel = sel[len(sel)-pageSize:]
	}
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><body><main class="tgme_main"><section class="tgme_channel_history js-message_history">`)
	if len(sel) > 0 {
		fmt.Fprintf(&b, `<div class="tme_messages_more" data-before="%d"></div>`, sel[0].id)
	}
	for _, m := range sel {
		edited := ""
		if m.edited {
			edited = `<span class="tgme_widget_message_edited">edited</span>`
		}
		fmt.Fprintf(&b, `<div class="tgme_widget_message_wrap"><div class="tgme_widget_message js-widget_message" data-post="%s/%d">
<div class="tgme_widget_message_bubble"><div class="tgme_widget_message_text js-message_text" dir="auto">%s</div>
<div class="tgme_widget_message_footer"><span class="tgme_widget_message_meta">%s<a class="tgme_widget_message_date" href="https://t.me/%s/%d"><time datetime="%s" class="time">x</time></a></span></div>
</div></div></div>`, name, m.id, html.EscapeString(m.text), edited, name, m.id, fakeEpoch.Add(time.Duration(m.id)*time.Minute).Format(time.RFC3339))
	}
	b.WriteString(`</section></main></body></html>`)
	_, _ = w.Write([]byte(b.String()))
}

// newStaticServer serves body at every path and returns its URL.
func newStaticServer(t *testing.T, body string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
