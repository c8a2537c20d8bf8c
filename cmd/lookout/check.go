package main

import (
	"context"
	"fmt"
	"strings"

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
		if _, err := match.Compile(w.Keywords); err != nil {
			problems = append(problems, fmt.Sprintf("watch[%d].keywords (%s): %v", i, w.Name, err))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %d problem(s):\n%s", e.config, len(problems), strings.Join(problems, "\n"))
	}
	fmt.Fprintf(e.stdout, "%s: ok (%d watches, %d routes, %d policies)\n", e.config, len(cfg.Watches), len(cfg.Routes), len(cfg.Policies))
	return nil
}
