package bluesky

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
)

// maxCachedHandles bounds the DID → handle cache. The firehose has
// millions of authors; only those of matched posts are looked up.
const maxCachedHandles = 50_000

// directory resolves handles to DIDs (com.atproto.identity.resolveHandle)
// and DIDs to handles (app.bsky.actor.getProfile), caching both. A
// handle's DID is resolved once: afterwards the watch follows the DID,
// whatever the account renames itself to.
type directory struct {
	c  *client
	mu sync.Mutex
	// dids maps a normalised handle to its DID.
	dids map[string]string
	// handles maps a DID to its latest known handle.
	handles map[string]string
}

func newDirectory(c *client) *directory {
	return &directory{c: c, dids: make(map[string]string), handles: make(map[string]string)}
}

// normAccount turns a watch's account ("@Alice.bsky.social", a DID) into
// the form used as a key.
func normAccount(a string) string {
	a = strings.TrimPrefix(strings.TrimSpace(a), "@")
	if strings.HasPrefix(a, "did:") {
		return a
	}
	return strings.ToLower(a)
}

// resolve returns the DID of a watch's account, which may already be one.
func (d *directory) resolve(ctx context.Context, account string) (string, error) {
	a := normAccount(account)
	if strings.HasPrefix(a, "did:") {
		return a, nil
	}
	d.mu.Lock()
	did, ok := d.dids[a]
	d.mu.Unlock()
	if ok {
		return did, nil
	}
	var out struct {
		DID string `json:"did"`
	}
	if err := d.c.get(ctx, "com.atproto.identity.resolveHandle", url.Values{"handle": {a}}, &out); err != nil {
		return "", fmt.Errorf("resolve @%s: %w", a, err)
	}
	if !validDID(out.DID) {
		return "", fmt.Errorf("resolve @%s: malformed response: %q is not a DID", a, out.DID)
	}
	d.mu.Lock()
	d.dids[a] = out.DID
	d.putHandleLocked(out.DID, a)
	d.mu.Unlock()
	return out.DID, nil
}

// handle returns the cached handle of did, or "" when unknown.
func (d *directory) handle(did string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.handles[did]
}

// lookup returns the handle of did, asking the AppView when it is not
// cached.
func (d *directory) lookup(ctx context.Context, did string) (string, error) {
	if h := d.handle(did); h != "" {
		return h, nil
	}
	var out struct {
		Handle string `json:"handle"`
	}
	if err := d.c.get(ctx, "app.bsky.actor.getProfile", url.Values{"actor": {did}}, &out); err != nil {
		return "", fmt.Errorf("profile of %s: %w", did, err)
	}
	if out.Handle == "" {
		return "", fmt.Errorf("profile of %s: malformed response: no handle", did)
	}
	d.setHandle(did, out.Handle)
	return out.Handle, nil
}

// setHandle records did's current handle and returns the one it replaces
// ("" when none was known or it did not change).
func (d *directory) setHandle(did, handle string) (previous string) {
	handle = normAccount(handle)
	d.mu.Lock()
	defer d.mu.Unlock()
	old := d.handles[did]
	d.putHandleLocked(did, handle)
	if old != "" && old != handle {
		return old
	}
	return ""
}

func (d *directory) putHandleLocked(did, handle string) {
	if _, ok := d.handles[did]; !ok && len(d.handles) >= maxCachedHandles {
		// Drop an arbitrary entry: a handle is cheap to look up again.
		for k := range d.handles {
			delete(d.handles, k)
			break
		}
	}
	d.handles[did] = handle
}
