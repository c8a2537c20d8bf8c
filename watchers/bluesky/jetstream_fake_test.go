package bluesky

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// jsEvent is one event in the fake Jetstream's log.
type jsEvent struct {
	timeUS int64
	did    string
	kind   string
	data   []byte
}

// fakeJetstream speaks Jetstream's /subscribe protocol: JSON text frames,
// wantedCollections and wantedDids (in the URL, or in an options_update
// after requireHello), replay from cursor (time_us, inclusive), identity
// and account events regardless of filters, no compression.
type fakeJetstream struct {
	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	log    []jsEvent
	nextUS int64
	notify chan struct{} // closed and replaced on every append
	down   bool          // refuse connections with 503
	conns  []*websocket.Conn
	// What clients asked for, for assertions.
	urls      []string
	cursors   []int64
	updates   [][]string // wantedDids of each options_update
	connected chan int   // receives the connection count on each connect
}

func newFakeJetstream(t testing.TB) *fakeJetstream {
	f := &fakeJetstream{t: t, nextUS: time.Now().UnixMicro(), notify: make(chan struct{}), connected: make(chan int, 100)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() { f.drop(); f.srv.Close() })
	return f
}

func (f *fakeJetstream) url() string {
	return "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/subscribe"
}

// emit appends an event built by mk from its time_us and returns that time.
func (f *fakeJetstream) emit(did, kind string, mk func(us int64) any) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	// Like Jetstream's, time_us is the wall clock when the event arrived,
	// strictly increasing.
	f.nextUS = max(f.nextUS+1, time.Now().UnixMicro())
	us := f.nextUS
	b, err := json.Marshal(mk(us))
	if err != nil {
		f.t.Fatal(err)
	}
	f.log = append(f.log, jsEvent{us, did, kind, b})
	close(f.notify)
	f.notify = make(chan struct{})
	return us
}

func (f *fakeJetstream) raw(b string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextUS = max(f.nextUS+1, time.Now().UnixMicro())
	f.log = append(f.log, jsEvent{f.nextUS, "", "raw", []byte(b)})
	close(f.notify)
	f.notify = make(chan struct{})
}

func (f *fakeJetstream) create(did, rkey, text string) int64 {
	return f.emit(did, kindCommit, func(us int64) any {
		return map[string]any{"did": did, "time_us": us, "kind": "commit", "commit": map[string]any{
			"rev": "3l" + strconv.FormatInt(us, 36), "operation": "create", "collection": postCollection, "rkey": rkey, "cid": "bafy" + rkey,
			"record": map[string]any{"$type": postCollection, "text": text, "createdAt": "2026-11-02T10:00:00.000Z", "langs": []string{"es"}},
		}}
	})
}

func (f *fakeJetstream) remove(did, rkey string) int64 {
	return f.emit(did, kindCommit, func(us int64) any {
		return map[string]any{"did": did, "time_us": us, "kind": "commit", "commit": map[string]any{
			"rev": "3l" + strconv.FormatInt(us, 36), "operation": "delete", "collection": postCollection, "rkey": rkey}}
	})
}

func (f *fakeJetstream) identity(did, handle string) int64 {
	return f.emit(did, kindIdentity, func(us int64) any {
		return map[string]any{"did": did, "time_us": us, "kind": "identity", "identity": map[string]any{"did": did, "handle": handle, "seq": us, "time": "2026-11-02T10:05:00.000Z"}}
	})
}

func (f *fakeJetstream) accountEvent(did string, active bool, status string) int64 {
	return f.emit(did, kindAccount, func(us int64) any {
		a := map[string]any{"did": did, "active": active, "seq": us, "time": "2026-11-02T10:06:00.000Z"}
		if status != "" {
			a["status"] = status
		}
		return map[string]any{"did": did, "time_us": us, "kind": "account", "account": a}
	})
}

// drop closes every open connection abruptly.
func (f *fakeJetstream) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		_ = c.CloseNow()
	}
	f.conns = nil
}

func (f *fakeJetstream) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

func (f *fakeJetstream) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	down := f.down
	f.mu.Unlock()
	if down || r.URL.Path != "/subscribe" {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	q := r.URL.Query()
	if q.Get("compress") == "true" {
		f.t.Errorf("client asked for compression")
	}
	if !slices.Contains(q["wantedCollections"], postCollection) {
		f.t.Errorf("wantedCollections = %v; want %s", q["wantedCollections"], postCollection)
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	var wanted []string
	var wmu sync.Mutex
	wanted = q["wantedDids"]
	hello := make(chan struct{})
	if q.Get("requireHello") != "true" {
		close(hello)
	}
	var cursor int64 = -1
	if v := q.Get("cursor"); v != "" {
		cursor, _ = strconv.ParseInt(v, 10, 64)
	}
	f.mu.Lock()
	f.conns = append(f.conns, c)
	f.urls = append(f.urls, r.URL.String())
	f.cursors = append(f.cursors, cursor)
	idx := len(f.log)
	if cursor >= 0 {
		idx = 0
	}
	n := len(f.urls)
	f.mu.Unlock()
	go func() { // read options_update messages
		defer cancel()
		helloOpen := q.Get("requireHello") == "true"
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			var m struct {
				Type    string `json:"type"`
				Payload struct {
					WantedDids []string `json:"wantedDids"`
				} `json:"payload"`
			}
			if json.Unmarshal(b, &m) != nil || m.Type != "options_update" {
				f.t.Errorf("client sent %s; want an options_update", b)
				continue
			}
			wmu.Lock()
			wanted = m.Payload.WantedDids
			wmu.Unlock()
			f.mu.Lock()
			f.updates = append(f.updates, m.Payload.WantedDids)
			f.mu.Unlock()
			if helloOpen {
				helloOpen = false
				close(hello)
			}
		}
	}()
	select {
	case <-hello:
	case <-ctx.Done():
		return
	}
	f.connected <- n
	for {
		f.mu.Lock()
		pending := f.log[idx:]
		idx = len(f.log)
		notify := f.notify
		f.mu.Unlock()
		for _, ev := range pending {
			if ev.timeUS < cursor {
				continue
			}
			wmu.Lock()
			skip := ev.kind == kindCommit && len(wanted) > 0 && !slices.Contains(wanted, ev.did)
			wmu.Unlock()
			if skip {
				continue
			}
			if err := c.Write(ctx, websocket.MessageText, ev.data); err != nil {
				return
			}
		}
		select {
		case <-notify:
		case <-ctx.Done():
			return
		}
	}
}

func (f *fakeJetstream) String() string { return fmt.Sprintf("jetstream %s", f.srv.URL) }
