package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/watchers/mastodon"
	"github.com/lookoutbot/lookout/watchers/match"
)

// cmdCheck validates the config file: every problem with its key and
// line, then every watch's keywords. It touches no database and no
// network.
func cmdCheck(_ context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("check takes no arguments: %w", errUsage)
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	var problems []string
	for i, w := range cfg.Watches {
		if w.Source == config.SourceMastodon {
			if err := mastodon.CheckWatch(w.Accounts, w.Keywords); err != nil {
				problems = append(problems, fmt.Sprintf("watch[%d] (%s): %v", i, w.Name, err))
			}
		}
		if len(w.Keywords) == 0 {
			continue
		}
		if len(w.Accounts) == 0 {
			// A keyword-only watch on a search-based source needs a literal
			// term the platform can search for in every rule.
			var kinds match.SearchKind
			switch w.Source {
			case config.SourceX:
				kinds = match.SearchAll
			case config.SourceReddit:
				kinds = match.SearchWord | match.SearchPhrase | match.SearchHashtag | match.SearchMention
			}
			if kinds != 0 {
				if _, err := match.SearchCover(w.Keywords, kinds); err != nil {
					msg := strings.ReplaceAll(err.Error(), alerts.ErrInvalid.Error()+": ", "")
					problems = append(problems, fmt.Sprintf("watch[%d].keywords (%s): %s", i, w.Name, msg))
					continue
				}
			}
		}
		rules, err := match.Compile(w.Keywords)
		if err != nil {
			msg := strings.ReplaceAll(err.Error(), alerts.ErrInvalid.Error()+": ", "")
			problems = append(problems, fmt.Sprintf("watch[%d].keywords (%s): %s", i, w.Name, msg))
			continue
		}
		for _, warning := range rules.Warnings() {
			fmt.Fprintf(e.stderr, "warning: watch[%d].keywords (%s): %s\n", i, w.Name, warning)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %d problem(s):\n%s", e.config, len(problems), strings.Join(problems, "\n"))
	}
	fmt.Fprintf(e.stdout, "%s: ok (%d watches, %d routes, %d policies)\n", e.config, len(cfg.Watches), len(cfg.Routes), len(cfg.Policies))
	return nil
}
