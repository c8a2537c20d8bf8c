package bluesky

import (
	"errors"
	"testing"
)

func TestDecodeEvent(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		kind    string
		record  bool
		wantErr bool
	}{
		{"post create", `{"did":"did:plc:a","time_us":1725911162329308,"kind":"commit","commit":{"rev":"3l3qo2vutsw2b","operation":"create","collection":"app.bsky.feed.post","rkey":"3l3qo2vuowo2b","record":{"$type":"app.bsky.feed.post","createdAt":"2024-09-09T19:46:02.102Z","langs":["en"],"text":"hi"},"cid":"bafyrei"}}`, kindCommit, true, false},
		{"like create is skipped", `{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.like","rkey":"x","record":{}}}`, kindCommit, false, false},
		{"delete", `{"did":"did:plc:a","time_us":1725516665333808,"kind":"commit","commit":{"rev":"3l3f6nzl3cv2s","operation":"delete","collection":"app.bsky.feed.post","rkey":"3l3f6nzivrk2p"}}`, kindCommit, false, false},
		{"identity", `{"did":"did:plc:a","time_us":1725516665234703,"kind":"identity","identity":{"did":"did:plc:a","handle":"a.test","seq":1409752997,"time":"2024-09-05T06:11:04.870Z"}}`, kindIdentity, false, false},
		{"account", `{"did":"did:plc:a","time_us":1725516665333808,"kind":"account","account":{"active":false,"did":"did:plc:a","seq":1409753013,"time":"2024-09-05T06:11:04.870Z","status":"deactivated"}}`, kindAccount, false, false},
		{"not json", `{`, "", false, true},
		{"no did", `{"time_us":1,"kind":"identity","identity":{}}`, "", false, true},
		{"no time", `{"did":"did:plc:a","kind":"identity","identity":{}}`, "", false, true},
		{"record not an object", `{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"r","record":"x"}}`, "", false, true},
		{"rkey with slash", `{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"delete","collection":"app.bsky.feed.post","rkey":"a/b"}}`, "", false, true},
		{"unknown operation", `{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"zap","collection":"app.bsky.feed.post","rkey":"r"}}`, "", false, true},
		{"identity missing", `{"did":"did:plc:a","time_us":1,"kind":"identity"}`, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, rec, err := decodeEvent([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v; want error %v", err, tt.wantErr)
			}
			if err != nil {
				if !errors.Is(err, errMalformedEvent) {
					t.Errorf("err = %v; want errMalformedEvent", err)
				}
				return
			}
			if ev.Kind != tt.kind || (rec != nil) != tt.record {
				t.Errorf("kind %q record %v; want %q %v", ev.Kind, rec != nil, tt.kind, tt.record)
			}
		})
	}
}

// FuzzDecodeEvent feeds arbitrary frames through the decoder and the
// normaliser: nothing may panic, and a decoded post must have a valid
// at-URI, a DID author and text within the lexicon's limit.
func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"did":"did:plc:a","time_us":1725911162329308,"kind":"commit","commit":{"rev":"3l","operation":"create","collection":"app.bsky.feed.post","rkey":"3l3","record":{"$type":"app.bsky.feed.post","createdAt":"2024-09-09T19:46:02.102Z","langs":["en"],"text":"hi","reply":{"root":{"uri":"at://did:plc:b/app.bsky.feed.post/r"},"parent":{"uri":"at://did:plc:b/app.bsky.feed.post/p"}},"facets":[{"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://x"}]}],"embed":{"$type":"app.bsky.embed.recordWithMedia","record":{"record":{"uri":"at://did:plc:c/app.bsky.feed.post/q"}},"media":{"$type":"app.bsky.embed.images","images":[{"image":{"ref":{"$link":"baf"}}}]}}}}}`))
	f.Add([]byte(`{"did":"did:plc:a","time_us":2,"kind":"identity","identity":{"did":"did:plc:a","handle":"a.test"}}`))
	f.Add([]byte(`{"did":"did:plc:a","time_us":3,"kind":"account","account":{"active":false,"did":"did:plc:a"}}`))
	f.Add([]byte(`{"did":"did:plc:a","time_us":4,"kind":"commit","commit":{"operation":"delete","collection":"app.bsky.feed.post","rkey":"r"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, rec, err := decodeEvent(b)
		if err != nil || rec == nil {
			return
		}
		p := fromRecord(ev.DID, ev.Commit.RKey, rec, b)
		if _, _, _, ok := splitURI(p.ID); !ok {
			t.Errorf("post id %q is not an at-URI", p.ID)
		}
		if len(p.Text) > maxTextBytes+len("…") {
			t.Errorf("text of %d bytes", len(p.Text))
		}
	})
}
