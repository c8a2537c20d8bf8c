package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lookoutbot/lookout/internal/server"
)

// pinger answers like a store whose database is up or down.
type pinger struct{ down atomic.Bool }

func (p *pinger) Ping(context.Context) error {
	if p.down.Load() {
		return errors.New("connection refused")
	}
	return nil
}

func start(t *testing.T, db *pinger, maxBody int64) (string, *server.Server) {
	t.Helper()
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "lookout_test_total", Help: "test"})
	reg.MustRegister(c)
	c.Inc()
	srv := server.New("127.0.0.1:0", maxBody, db, reg, slog.New(slog.DiscardHandler))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String(), srv
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthReadyMetrics(t *testing.T) {
	db := &pinger{}
	base, _ := start(t, db, 1<<20)
	if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz: got %d %q; want 200 ok", code, body)
	}
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Errorf("readyz with the store up: got %d; want 200", code)
	}
	db.down.Store(true)
	if code, body := get(t, base+"/readyz"); code != 503 || strings.Contains(body, "refused") {
		t.Errorf("readyz with the store down: got %d %q; want 503 without internals", code, body)
	}
	db.down.Store(false)
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Errorf("readyz after the store came back: got %d; want 200", code)
	}
	if code, body := get(t, base+"/metrics"); code != 200 || !strings.Contains(body, "lookout_test_total 1") {
		t.Errorf("metrics: got %d, body without the registered counter:\n%s", code, body)
	}
}

func TestBodyLimit(t *testing.T) {
	base, srv := start(t, &pinger{}, 16)
	var read atomic.Int64
	srv.Handle("POST /echo", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		read.Store(int64(len(b)))
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		_, _ = w.Write(b)
	}))
	resp, err := http.Post(base+"/echo", "text/plain", strings.NewReader(strings.Repeat("x", 1000)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || read.Load() > 16 {
		t.Fatalf("oversized body: got %d after reading %d bytes; want 413 after at most 16", resp.StatusCode, read.Load())
	}
	resp, err = http.Post(base+"/echo", "text/plain", strings.NewReader("small"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "small" {
		t.Fatalf("small body: got %d %q; want 200 small", resp.StatusCode, b)
	}
}
