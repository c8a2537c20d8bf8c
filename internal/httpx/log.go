package httpx

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// leveledLogger adapts slog to retryablehttp.LeveledLogger. The library's
// messages are per-attempt chatter (its "request failed" is followed by a
// retry or by the error we return), so everything is logged at Debug, and
// every value is redacted because the library only masks URL passwords
// (hashicorp/go-retryablehttp#206).
type leveledLogger struct {
	l *slog.Logger
}

var _ retryablehttp.LeveledLogger = leveledLogger{}

func (a leveledLogger) Error(msg string, kv ...any) { a.log(msg, kv) }
func (a leveledLogger) Info(msg string, kv ...any)  { a.log(msg, kv) }
func (a leveledLogger) Debug(msg string, kv ...any) { a.log(msg, kv) }
func (a leveledLogger) Warn(msg string, kv ...any)  { a.log(msg, kv) }

func (a leveledLogger) log(msg string, kv []any) {
	// LeveledLogger passes no context; Background only gates the level.
	if !a.l.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	args := make([]any, len(kv))
	for i, v := range kv {
		args[i] = redactValue(v)
	}
	a.l.Debug(msg, args...)
}

// redactValue returns v with any secret-bearing text masked.
func redactValue(v any) any {
	switch v := v.(type) {
	case time.Duration, int, int64, bool:
		return v
	case string:
		return Redact(v)
	case error:
		return Redact(v.Error())
	case fmt.Stringer:
		return Redact(v.String())
	}
	return v
}
