package bluesky

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/coder/websocket"
)

// urlDIDLimit is how many wantedDids go in the URL; more are sent in a
// first options_update (requireHello), keeping the URL short.
const urlDIDLimit = 100

// frame is one message read from connection conn; a nil data says the
// connection is up.
type frame struct {
	conn int
	data []byte
	at   time.Time
}

// subscribeURL builds the /subscribe URL: post records only, the DIDs
// (nil: every author), the cursor to replay from, and no compression
// (compress=true would send zstd with a custom dictionary).
func subscribeURL(base string, dids []string, cursorUS int64) (string, bool, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", false, fmt.Errorf("jetstream url: %w", err)
	}
	q := u.Query()
	q.Set("wantedCollections", postCollection)
	q.Set("maxMessageSizeBytes", strconv.Itoa(maxFrameBytes))
	hello := len(dids) > urlDIDLimit
	if hello {
		q.Set("requireHello", "true")
	} else {
		for _, d := range dids {
			q.Add("wantedDids", d)
		}
	}
	if cursorUS > 0 {
		q.Set("cursor", strconv.FormatInt(cursorUS, 10))
	}
	u.RawQuery = q.Encode()
	return u.String(), hello, nil
}

// optionsUpdate is the message that changes a connection's filters.
func optionsUpdate(dids []string) []byte {
	type payload struct {
		WantedCollections   []string `json:"wantedCollections"`
		WantedDids          []string `json:"wantedDids"`
		MaxMessageSizeBytes int      `json:"maxMessageSizeBytes"`
	}
	if dids == nil {
		dids = []string{}
	}
	b, _ := json.Marshal(struct {
		Type    string  `json:"type"`
		Payload payload `json:"payload"`
	}{"options_update", payload{[]string{postCollection}, dids, maxFrameBytes}})
	return b
}

// connect holds connection i until ctx ends or it fails, passing every
// message to the processor and sending filter updates.
func (s *Stream) connect(ctx context.Context, i int, dids []string, cursorUS int64, frames chan<- frame, updates <-chan []string) error {
	u, hello, err := subscribeURL(s.url(), dids, cursorUS)
	if err != nil {
		return err
	}
	h := http.Header{}
	if s.opts.UserAgent != "" {
		h.Set("User-Agent", s.opts.UserAgent)
	}
	c, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{
		HTTPClient: s.opts.HTTPClient, HTTPHeader: h, CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		return fmt.Errorf("jetstream dial: %w", err)
	}
	defer c.CloseNow()
	c.SetReadLimit(maxFrameBytes)
	if hello {
		if err := c.Write(ctx, websocket.MessageText, optionsUpdate(dids)); err != nil {
			return fmt.Errorf("jetstream hello: %w", err)
		}
	}
	s.setConnected(true, nil)
	s.opts.Logger.Info("bluesky_stream_connected", "conn", i, "dids", len(dids), "cursor", cursorUS)
	select {
	case frames <- frame{conn: i, at: time.Now()}:
	case <-ctx.Done():
		return nil
	}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		for {
			select {
			case <-wctx.Done():
				return
			case d := <-updates:
				if err := c.Write(wctx, websocket.MessageText, optionsUpdate(d)); err != nil {
					c.CloseNow() // the read below fails and the session restarts
					return
				}
			}
		}
	}()
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("jetstream read: %w", err)
		}
		select {
		case frames <- frame{conn: i, data: data, at: time.Now()}:
		case <-ctx.Done():
			return nil
		}
	}
}
