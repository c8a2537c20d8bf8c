package main

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/httpx"
	"github.com/lookoutbot/lookout/internal/ratelimit"
	"github.com/lookoutbot/lookout/watchers/reddit"
)

// redditMaxBodyBytes bounds one listing page of 100 submissions.
const redditMaxBodyBytes = 8 << 20

// redditSourceWith builds the Reddit adapter, with the registry holding the app's
// shared rate-limit budget ("reddit:<client id>").
func redditSourceWith(cfg *config.Config, log *slog.Logger, budgets *ratelimit.Registry) (*source, error) {
	rc := cfg.Sources.Reddit
	if rc.ClientID == "" {
		return nil, nil
	}
	base, api := redditURLs(rc.BaseURL)
	opts := reddit.Options{
		BaseURL:      base,
		APIURL:       api,
		ClientID:     rc.ClientID,
		ClientSecret: rc.ClientSecret,
		UserAgent:    rc.UserAgent,
		Budget:       budgets.Get("reddit:"+rc.ClientID, nil),
	}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("source reddit: %w", err)
	}
	client := httpx.New(httpx.Options{UserAgent: rc.UserAgent, MaxBodyBytes: redditMaxBodyBytes, Logger: log})
	w := reddit.New(client, opts)
	return &source{names: []string{config.SourceReddit}, watcher: w, recheck: w}, nil
}

// redditURLs returns the token and API base URLs for [sources.reddit]
// base_url: Reddit serves tokens on www.reddit.com and the OAuth API on
// oauth.reddit.com; any other base (a proxy, a test server) serves both.
func redditURLs(baseURL string) (base, api string) {
	base = strings.TrimRight(baseURL, "/")
	switch base {
	case "", "https://www.reddit.com", "https://reddit.com":
		return reddit.DefaultBaseURL, reddit.DefaultAPIURL
	}
	return base, base
}
