package alerts

import (
	"fmt"
	"regexp"
	"time"
)

// Severity ranks how urgent a watch's alerts are.
type Severity string

// The severities, lowest first.
const (
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool {
	switch s {
	case SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical:
		return true
	}
	return false
}

// Origin says where a watch is defined. Config watches are read-only from
// chat and CLI; stored watches were added at run time.
type Origin string

// The origins of a watch.
const (
	OriginConfig Origin = "config"
	OriginStore  Origin = "store"
)

// Watch is what to watch on one source.
type Watch struct {
	Name     string        `json:"name"`
	Source   string        `json:"source"`
	Accounts []string      `json:"accounts,omitempty"`
	Keywords []string      `json:"keywords,omitempty"`
	Interval time.Duration `json:"interval"`
	Severity Severity      `json:"severity"`
	Route    string        `json:"route"`
	// Backfill makes the first poll alert on what the source already holds
	// instead of only recording it as seen.
	Backfill  bool      `json:"backfill"`
	Enabled   bool      `json:"enabled"`
	Origin    Origin    `json:"origin"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at,omitempty"`
}

var watchName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// MinInterval is the shortest poll interval a watch may ask for.
const MinInterval = 10 * time.Second

// Validate checks a watch added at run time (config watches are checked by
// the config package, with line numbers).
func (w *Watch) Validate() error {
	switch {
	case !watchName.MatchString(w.Name):
		return fmt.Errorf("%w: watch name %q must be 1-64 of a-z, 0-9, _ and -, starting with a letter or digit", ErrInvalid, w.Name)
	case w.Source == "":
		return fmt.Errorf("%w: watch %s has no source", ErrInvalid, w.Name)
	case len(w.Accounts) == 0 && len(w.Keywords) == 0:
		return fmt.Errorf("%w: watch %s needs accounts or keywords", ErrInvalid, w.Name)
	case w.Interval < MinInterval:
		return fmt.Errorf("%w: watch %s interval %s is shorter than %s", ErrInvalid, w.Name, w.Interval, MinInterval)
	case !w.Severity.Valid():
		return fmt.Errorf("%w: watch %s severity %q is not one of low, medium, high, critical", ErrInvalid, w.Name, w.Severity)
	}
	return nil
}
