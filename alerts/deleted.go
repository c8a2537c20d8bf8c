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
	})
	if err != nil {
		return fmt.Errorf("post %s/%s deleted: %w", platform, chainID, err)
	}
	return nil
}
