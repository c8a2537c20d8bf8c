package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os/user"
	"strings"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/bot"
)

// cliActor is the person running a CLI command: --as NAME, else
// $LOOKOUT_AS, else the operating-system user. It is recorded as
// "cli:NAME" in the audit trail and matched against [roles].
func cliActor(e *env, as string) (bot.Actor, error) {
	if as == "" {
		as = e.getenv("LOOKOUT_AS")
	}
	if as == "" {
		if u, err := user.Current(); err == nil {
			as = u.Username
		}
	}
	as = strings.TrimSpace(as)
	if as == "" || strings.ContainsAny(as, " \t\n:") {
		return bot.Actor{}, fmt.Errorf("say who you are with --as NAME (letters, digits, . _ -): %w", errUsage)
	}
	return bot.Actor{ID: "cli:" + as, Name: as, Source: alerts.SourceCLI}, nil
}

// actionID makes a unique id for one CLI action.
func actionID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "cli:" + hex.EncodeToString(b[:])
}
