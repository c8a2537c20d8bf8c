package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/internal/ratelimit"
	"github.com/lookoutbot/lookout/watchers"
	"github.com/lookoutbot/lookout/watchers/feed"
)

// source is one platform adapter as the app uses it.
type source struct {
	// names are the watch sources it serves ("feed" and "youtube").
	names   []string
	watcher watchers.Watcher
	// run, when set, holds a long-lived connection (a stream) until ctx
	// ends; it must retry on its own and return only ctx.Err().
	run func(ctx context.Context) error
	// check, when set, vets a watch added at run time before it is
	// stored.
	check func(ctx context.Context, w *alerts.Watch) error
	// recheck, when set, looks alerted posts up again for deletion; its
	// names double as the Post.Platform of the posts it checks.
	recheck watchers.Rechecker
}

// sourceBuilder builds one platform's adapter from the config, or returns
// nil when the platform is not configured.
type sourceBuilder func(cfg *config.Config, log *slog.Logger) (*source, error)

// buildSources builds every configured source adapter. Each platform's
// builder lives in its own file (source_<platform>.go); the platforms with
// request budgets share budgets, which status and metrics read.
func buildSources(cfg *config.Config, log *slog.Logger, budgets *ratelimit.Registry) ([]*source, error) {
	withBudgets := func(b func(*config.Config, *slog.Logger, *ratelimit.Registry) (*source, error)) sourceBuilder {
		return func(cfg *config.Config, log *slog.Logger) (*source, error) { return b(cfg, log, budgets) }
	}
	var out []*source
	for _, build := range []sourceBuilder{feedSource, withBudgets(xSourceWith), withBudgets(mastodonSourceWith), withBudgets(blueskySourceWith), withBudgets(redditSourceWith), telegramSource} {
		s, err := build(cfg, log)
		if err != nil {
			return nil, err
		}
		if s != nil {
			out = append(out, s)
		}
	}
	return out, nil
}

// userAgent is what Lookout sends unless a source's config overrides it.
func userAgent(override string) string {
	if override != "" {
		return override
	}
	return "Lookout/" + version
}

// feedSource polls RSS, Atom, JSON Feed and YouTube channel feeds. Feeds
// from the config file are trusted (they may be file:// or on the local
// network); feeds added at run time go through the SSRF guard unless
// [sources.feed] allow_private says otherwise.
func feedSource(cfg *config.Config, log *slog.Logger) (*source, error) {
	ua := userAgent(cfg.Sources.Feed.UserAgent)
	trusted := httpx.New(httpx.Options{UserAgent: ua, MaxBodyBytes: cfg.Sources.Feed.MaxBodyBytes, Logger: log})
	guarded := httpx.New(httpx.Options{UserAgent: ua, MaxBodyBytes: cfg.Sources.Feed.MaxBodyBytes, Logger: log,
		Guard: true, AllowPrivate: cfg.Sources.Feed.AllowPrivate})
	w := byOrigin{config: feed.New(trusted, feed.Options{}), stored: feed.New(guarded, feed.Options{})}
	check := func(_ context.Context, w *alerts.Watch) error {
		for _, u := range w.Accounts {
			if err := guarded.CheckURL(u); err != nil {
				return fmt.Errorf("feed %s: %w (feeds added from chat or the CLI cannot point into the local network unless [sources.feed] allow_private = true)", httpx.Redact(u), err)
			}
		}
		return nil
	}
	return &source{names: []string{config.SourceFeed, config.SourceYouTube}, watcher: w, check: check}, nil
}

// byOrigin polls config watches and run-time watches with different
// watchers (trusted and guarded HTTP clients).
type byOrigin struct{ config, stored watchers.Watcher }

func (b byOrigin) Poll(ctx context.Context, w *alerts.Watch, cursor string) (*watchers.Result, error) {
	if w.Origin == alerts.OriginConfig {
		return b.config.Poll(ctx, w, cursor)
	}
	return b.stored.Poll(ctx, w, cursor)
}
