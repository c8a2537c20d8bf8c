package sqlite_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lookoutbot/lookout/internal/store/sqlite"
)

func TestLockRefusesASecondRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lookout.db")
	unlock, err := sqlite.Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = sqlite.Lock(path)
	if !errors.Is(err, sqlite.ErrLocked) || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("second lock: got %v; want ErrLocked naming the holder's pid", err)
	}
	unlock()
	again, err := sqlite.Lock(path)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	again()
}
