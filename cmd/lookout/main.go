// Command lookout watches social platforms for accounts and keywords and
// turns every new match into an alert the team triages in Slack, Discord
// or the terminal.
//
// This package is the only place that names every concrete adapter: it
// loads the config, opens the store, builds the watchers, notifiers and
// work engine, and dispatches the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// env is what a command sees of the process, so tests can run commands
// in-process.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// config is the -config flag or LOOKOUT_CONFIG.
	config string
}

type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"run":     {"poll watches, deliver alerts and serve chat commands until stopped", cmdRun},
		"check":   {"validate the config file and list every problem", cmdCheck},
		"migrate": {"create or upgrade the database schema", cmdMigrate},
		"status":  {"show watch health, delivery failures and queue depth", cmdStatus},
		"watch":   {"list, add, remove or import watches (watch help)", cmdWatch},
		"alerts":  {"list, show and triage alerts (alerts help)", cmdAlerts},
		"discord": {"print the bot's invite URL (discord invite)", cmdDiscord},
		"rule":    {"test rules on a text or replay stored posts (rule test)", cmdRule},
		"version": {"print the version", cmdVersion},
		"slack":   {"print the Slack app manifest (slack manifest)", cmdSlack},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// errUsage marks an error whose message already explains the usage.
var errUsage = errors.New("usage")

// run parses global flags and runs one subcommand. It returns the exit
// code: 0 success, 1 failure, 2 usage error.
func run(ctx context.Context, args []string, e *env) int {
	fs := flag.NewFlagSet("lookout", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&e.config, "config", "", "config file (default $LOOKOUT_CONFIG, else lookout.toml)")
	fs.Usage = func() { usage(e.stderr, fs) }
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		usage(e.stderr, fs)
		return 2
	}
	name := fs.Arg(0)
	c, ok := commands()[name]
	if !ok {
		fmt.Fprintf(e.stderr, "lookout: unknown command %q\n\n", name)
		usage(e.stderr, fs)
		return 2
	}
	// -config may also follow the command (lookout check -config FILE),
	// as people type it.
	config, rest, err := takeConfig(fs.Args()[1:])
	if err != nil {
		fmt.Fprintf(e.stderr, "lookout %s: %v\n", name, err)
		return 2
	}
	if config != "" {
		e.config = config
	}
	if e.config == "" {
		e.config = e.getenv("LOOKOUT_CONFIG")
	}
	if e.config == "" {
		e.config = "lookout.toml"
	}
	if err := c.run(ctx, e, rest); err != nil {
		if errors.Is(err, errUsage) {
			fmt.Fprintln(e.stderr, strings.TrimSuffix(err.Error(), ": usage"))
			return 2
		}
		fmt.Fprintf(e.stderr, "lookout %s: %v\n", name, err)
		return 1
	}
	return 0
}

func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "usage: lookout [-config FILE] COMMAND [ARGS] (-config may also follow the command)")
	fmt.Fprintln(w, "\ncommands:")
	cs := commands()
	names := make([]string, 0, len(cs))
	for n := range cs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cs[n].summary)
	}
	fmt.Fprintln(w, "\nflags:")
	fs.PrintDefaults()
}

func cmdVersion(_ context.Context, e *env, _ []string) error {
	fmt.Fprintf(e.stdout, "lookout %s\n", version)
	return nil
}

// takeConfig removes a -config FILE (or --config FILE, -config=FILE) given
// after the command from args, and returns it with the other arguments.
func takeConfig(args []string) (string, []string, error) {
	var config string
	rest := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		name, val, hasVal := strings.Cut(args[i], "=")
		if name != "-config" && name != "--config" {
			rest = append(rest, args[i])
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return "", nil, fmt.Errorf("%s needs a file name", name)
			}
			i++
			val = args[i]
		}
		config = val
	}
	return config, rest, nil
}
