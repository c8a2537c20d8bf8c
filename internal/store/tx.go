package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lookoutbot/lookout/alerts"
)

// tx is the store inside one transaction. Every statement goes through
// tx.tx, never through the pool: on SQLite the transaction holds the only
// connection. Rows are always read to the end and closed before the next
// statement, which PostgreSQL's driver requires.
type tx struct {
	tx   *sql.Tx
	jobs Jobs
}

var _ alerts.Tx = (*tx)(nil)

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, query, args...)
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, query, args...)
}

// updated turns an UPDATE or DELETE that touched no row into ErrNotFound.
func updated(res sql.Result, err error, what string, id any) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s %v: %w", what, id, alerts.ErrNotFound)
	}
	return nil
}

// notFound turns sql.ErrNoRows into ErrNotFound naming what was missing.
func notFound(err error, what string, id any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %v: %w", what, id, alerts.ErrNotFound)
	}
	return err
}

// query builds a statement with numbered placeholders.
type query struct {
	sb   strings.Builder
	args []any
}

func (q *query) add(s string) *query {
	q.sb.WriteString(s)
	return q
}

// arg appends v to the arguments and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

func (q *query) String() string { return q.sb.String() }

// micros is the stored form of a time: unix microseconds in UTC, or NULL
// for the zero time. Orderings spell out where NULLs go (smallest, as
// SQLite has it), since PostgreSQL sorts them the other way by default.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// timeCol scans a column written by micros back into a UTC time.
type timeCol struct{ t *time.Time }

// Scan implements sql.Scanner.
func (c timeCol) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.UnixMicro(x).UTC()
	default:
		return fmt.Errorf("scan time: unexpected %T", v)
	}
	return nil
}

// flag is the stored form of a boolean: 0 or 1, the same on every database.
// database/sql scans it back into a bool.
func flag(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// jsonList is the stored form of a list: JSON text, or NULL when empty.
func jsonList[T any](s []T) (any, error) {
	if len(s) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// jsonCol scans a column written by jsonList into v; NULL leaves v alone.
type jsonCol struct{ v any }

// Scan implements sql.Scanner.
func (c jsonCol) Scan(src any) error {
	var b []byte
	switch x := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return fmt.Errorf("scan json: unexpected %T", src)
	}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, c.v)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// collect runs a query and reads every row with scan.
func collect[T any](ctx context.Context, t *tx, scan func(scanner) (*T, error), query string, args ...any) ([]*T, error) {
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
