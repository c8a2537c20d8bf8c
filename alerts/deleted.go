package alerts

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// PostDeleted records that a platform reported a post chain deleted or
// removed (a Jetstream delete, a Reddit removal, a 404 on re-check). The
// stored evidence stays; every alert raised for the chain gets an audit
// event and its cards are edited to say so ("post deleted by author at
// …"). Reporting the same deletion twice changes nothing.
func (s *Service) PostDeleted(ctx context.Context, platform, chainID string, at time.Time, reason string) error {
	err := s.store.Update(ctx, func(tx Tx) error {
		return s.postDeleted(ctx, tx, platform, chainID, at, reason)
	})
	if err != nil {
		return fmt.Errorf("post %s/%s deleted: %w", platform, chainID, err)
	}
	return nil
}

func (s *Service) postDeleted(ctx context.Context, tx Tx, platform, chainID string, at time.Time, reason string) error {
	ids, err := tx.MarkPostDeleted(ctx, platform, chainID, at, reason)
	if err != nil {
		return err
	}
	for _, id := range ids {
		ev := &AuditEvent{
			ActionID: fmt.Sprintf("deleted:%s:%s:%d", platform, chainID, id),
			AlertID:  id, Action: ActionPostDeleted, Actor: platform, Source: SourceSystem,
			Detail: fmt.Sprintf("%s at %s", reason, at.UTC().Format(time.RFC3339)), At: s.Now(),
		}
		if err := tx.InsertAudit(ctx, ev); err != nil {
			if errors.Is(err, ErrConflict) {
				continue // already recorded: nothing new to show
			}
			return fmt.Errorf("record deletion: %w", err)
		}
		if err := s.editCards(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

// postEdited tells the cards of a chain's alerts that the post has a new
// version (the card shows it; the evidence stays the version that
// alerted). key is the stored new version.
func (s *Service) postEdited(ctx context.Context, tx Tx, p *Post, key int64) error {
	ids, err := tx.ChainAlerts(ctx, p.Platform, p.ChainID())
	if err != nil {
		return err
	}
	for _, id := range ids {
		ev := &AuditEvent{
			ActionID: fmt.Sprintf("edited:%d:%d", id, key), AlertID: id, Action: ActionPostEdited,
			Actor: p.Platform, Source: SourceSystem, Detail: "new version " + p.ID, At: s.Now(),
		}
		if err := tx.InsertAudit(ctx, ev); err != nil {
			if errors.Is(err, ErrConflict) {
				continue
			}
			return fmt.Errorf("record edit: %w", err)
		}
		if err := s.editCards(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}
