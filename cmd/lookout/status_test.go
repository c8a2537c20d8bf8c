package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lookoutbot/lookout/internal/config"
	"github.com/lookoutbot/lookout/internal/jobs"
)

func TestStatusShowsReplicasAndBudgetsSavedByRun(t *testing.T) {
	f := newFeed(t, "nothing")
	cfgPath := testConfig(t, f.srv.URL)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	runner, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler), appOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer runner.Close()
	b := runner.budgets.Get("x:app:search", time.Now)
	b.Update(map[string][]string{"X-Rate-Limit-Limit": {"450"}, "X-Rate-Limit-Remaining": {"17"}, "X-Rate-Limit-Reset": {"9999999999"}})
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- runner.heartbeat(sctx, 10*time.Millisecond) }()
	waitFor(t, "the budget to be saved", func() bool {
		code, out, _ := lookout(t, cfgPath, "status")
		return code == 0 && strings.Contains(out, "budget x:app:search: 17 of 450 left") && strings.Contains(out, "replica ")
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, out, _ := lookout(t, cfgPath, "status"); strings.Contains(out, "replica ") {
		t.Fatalf("after a clean stop the replica is still listed:\n%s", out)
	}
}

func TestPollTimeoutStaysInsideTheJobTimeout(t *testing.T) {
	for _, rescue := range []time.Duration{5 * time.Second, time.Minute, 5 * time.Minute, time.Hour} {
		pt := pollTimeout(rescue)
		if pt <= 0 || pt > 2*time.Minute || pt >= jobs.JobTimeout(rescue) {
			t.Errorf("rescue_after %s: poll timeout %s; want at most 2m and under the job timeout %s", rescue, pt, jobs.JobTimeout(rescue))
		}
	}
}
