package bot

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/store/sqlite"
)

// newTestStore returns the real SQLite store in a temporary directory, so
// the handler is tested against the same transactions production uses.
func newTestStore(t *testing.T) alerts.Store {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := sqlite.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	return sqlite.New(db, nil)
}
