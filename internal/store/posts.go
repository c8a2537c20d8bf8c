package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// postColumns lists a post's columns, for tables aliased p.
const postColumns = `p.id, p.platform, p.native_id, p.first_id, p.author_id, p.handle,
	p.account, p.title, p.body, p.lang, p.created_at, p.url, p.media, p.kind, p.ref_ids,
	p.raw, p.sha256, p.fetched_at, p.previous_handle, p.deleted_at, p.deleted_reason`

// postDest returns the scan destinations matching postColumns.
func postDest(key *int64, p *alerts.Post, ev *alerts.Evidence) []any {
	return []any{key, &p.Platform, &p.ID, &p.FirstID, &p.AuthorID, &p.Handle,
		&p.Account, &p.Title, &p.Text, &p.Lang, timeCol{&p.CreatedAt}, &p.URL,
		jsonCol{&p.Media}, &p.Kind, jsonCol{&p.RefIDs},
		&p.Raw, &ev.SHA256, timeCol{&ev.FetchedAt}, &p.PreviousHandle, timeCol{&p.DeletedAt}, &p.DeletedReason}
}

// PutPost stores a post version with its evidence and returns its key. A
// version already stored (same platform and native id) is left as it is,
// first evidence and raw payload included, and its key returned.
func (t *tx) PutPost(ctx context.Context, p *alerts.Post, ev alerts.Evidence) (int64, error) {
	media, err := jsonList(p.Media)
	if err != nil {
		return 0, fmt.Errorf("put post %s/%s: media: %w", p.Platform, p.ID, err)
	}
	refs, err := jsonList(p.RefIDs)
	if err != nil {
		return 0, fmt.Errorf("put post %s/%s: ref ids: %w", p.Platform, p.ID, err)
	}
	// A version already stored keeps the evidence it was first seen with.
	var key int64
	err = t.queryRow(ctx, `INSERT INTO posts (platform, native_id, first_id, chain_id,
		author_id, handle, account, title, body, lang, created_at, url, media, kind,
		ref_ids, raw, sha256, fetched_at, previous_handle)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
	ON CONFLICT (platform, native_id) DO NOTHING
	RETURNING id`,
		p.Platform, p.ID, p.FirstID, p.ChainID(), p.AuthorID, p.Handle, p.Account,
		p.Title, p.Text, p.Lang, micros(p.CreatedAt), p.URL, media, string(p.Kind),
		refs, p.Raw, ev.SHA256, micros(ev.FetchedAt), p.PreviousHandle).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		err = t.queryRow(ctx, `SELECT id FROM posts WHERE platform = $1 AND native_id = $2`,
			p.Platform, p.ID).Scan(&key)
	}
	if err != nil {
		return 0, fmt.Errorf("put post %s/%s: %w", p.Platform, p.ID, err)
	}
	return key, nil
}

// Seen reports whether watch has processed the post chain.
func (t *tx) Seen(ctx context.Context, watch, platform, chainID string) (bool, error) {
	var one int
	err := t.queryRow(ctx, `SELECT 1 FROM seen WHERE watch = $1 AND platform = $2 AND chain_id = $3`,
		watch, platform, chainID).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("seen %s %s/%s: %w", watch, platform, chainID, err)
	}
	return true, nil
}

// MarkSeen records that watch processed the chain; marking it again is a
// no-op.
func (t *tx) MarkSeen(ctx context.Context, watch, platform, chainID string, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO seen (watch, platform, chain_id, seen_at)
	VALUES ($1, $2, $3, $4)
	ON CONFLICT (watch, platform, chain_id) DO NOTHING`,
		watch, platform, chainID, micros(at))
	if err != nil {
		return fmt.Errorf("mark seen %s %s/%s: %w", watch, platform, chainID, err)
	}
	return nil
}

// MarkPostDeleted records the deletion of every stored version of a chain
// and returns the alerts raised for it.
func (t *tx) MarkPostDeleted(ctx context.Context, platform, chainID string, at time.Time, reason string) ([]int64, error) {
	if _, err := t.exec(ctx, `UPDATE posts SET deleted_at = $1, deleted_reason = $2
	WHERE platform = $3 AND chain_id = $4 AND deleted_at IS NULL`,
		micros(at), reason, platform, chainID); err != nil {
		return nil, fmt.Errorf("mark %s/%s deleted: %w", platform, chainID, err)
	}
	return t.ChainAlerts(ctx, platform, chainID)
}

// Posts lists posts fetched at or after since (all when zero), newest
// fetched first; limit <= 0 lists them all.
func (t *tx) Posts(ctx context.Context, since time.Time, limit int) ([]*alerts.Post, error) {
	var q query
	q.add(`SELECT ` + postColumns + ` FROM posts p`)
	if !since.IsZero() {
		q.add(` WHERE p.fetched_at >= ` + q.arg(since.UnixMicro()))
	}
	q.add(` ORDER BY p.fetched_at DESC NULLS LAST, p.id DESC`)
	if limit > 0 {
		q.add(` LIMIT ` + q.arg(limit))
	}
	out, err := collect(ctx, t, scanPost, q.String(), q.args...)
	if err != nil {
		return nil, fmt.Errorf("list posts: %w", err)
	}
	return out, nil
}

func scanPost(row scanner) (*alerts.Post, error) {
	var (
		key int64
		p   alerts.Post
		ev  alerts.Evidence
	)
	if err := row.Scan(postDest(&key, &p, &ev)...); err != nil {
		return nil, err
	}
	return &p, nil
}
