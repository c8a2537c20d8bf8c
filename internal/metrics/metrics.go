// Package metrics defines Lookout's Prometheus metrics and the observers
// that feed them from the scheduler and the deliverer.
package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/lookoutbot/lookout/alerts"
	"github.com/lookoutbot/lookout/internal/ratelimit"
)

// Metrics holds the collectors. Register them with New.
type Metrics struct {
	Registry     *prometheus.Registry
	polls        *prometheus.CounterVec
	pollSeconds  *prometheus.HistogramVec
	posts        *prometheus.CounterVec
	matches      *prometheus.CounterVec
	deliveries   *prometheus.CounterVec
	deliverySecs *prometheus.HistogramVec
}

// Gauges reads the values that are counted in the store when scraped.
type Gauges interface {
	AlertsByState(ctx context.Context) (map[alerts.State]int, error)
	QueueDepth(ctx context.Context) (map[string]int, error)
}

// New registers every collector on a fresh registry.
func New(g Gauges, log *slog.Logger) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lookout_polls_total", Help: "Polls of watches, by source and outcome (ok, error).",
		}, []string{"source", "outcome"}),
		pollSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lookout_poll_duration_seconds", Help: "Time to poll a watch, match and store the result.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 14),
		}, []string{"source"}),
		posts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lookout_posts_total", Help: "Posts returned by polls, by source and whether they were new to the watch.",
		}, []string{"source", "new"}),
		matches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lookout_alerts_raised_total", Help: "Alerts raised, by source and whether a mute suppressed them.",
		}, []string{"source", "muted"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lookout_deliveries_total", Help: "Delivery attempts, by platform, kind and outcome (sent, retry, failed).",
		}, []string{"platform", "kind", "outcome"}),
		deliverySecs: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lookout_delivery_duration_seconds", Help: "Time of one delivery attempt to a chat platform.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
		}, []string{"platform"}),
	}
	m.Registry.MustRegister(m.polls, m.pollSeconds, m.posts, m.matches, m.deliveries, m.deliverySecs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if g != nil {
		m.Registry.MustRegister(&gaugeCollector{g: g, log: log})
	}
	return m
}

// Polled implements watchers.Observer.
func (m *Metrics) Polled(source string, took time.Duration, posts int, res alerts.IngestResult, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.polls.WithLabelValues(source, outcome).Inc()
	m.pollSeconds.WithLabelValues(source).Observe(took.Seconds())
	m.posts.WithLabelValues(source, "true").Add(float64(res.Seen))
	m.posts.WithLabelValues(source, "false").Add(float64(posts - res.Seen))
	m.matches.WithLabelValues(source, "false").Add(float64(len(res.Alerted)))
	m.matches.WithLabelValues(source, "true").Add(float64(len(res.Muted)))
}

// Delivered implements outbox.Observer.
func (m *Metrics) Delivered(platform string, kind alerts.DeliveryKind, took time.Duration, outcome string) {
	m.deliveries.WithLabelValues(platform, string(kind), outcome).Inc()
	m.deliverySecs.WithLabelValues(platform).Observe(took.Seconds())
}

var (
	alertsDesc = prometheus.NewDesc("lookout_alerts", "Alerts stored, by state (muted alerts not counted).", []string{"state"}, nil)
	queueDesc  = prometheus.NewDesc("lookout_queue_jobs", "Background jobs, by queue and state.", []string{"queue", "state"}, nil)
)

// gaugeCollector reads counts from the store at scrape time.
type gaugeCollector struct {
	g   Gauges
	log *slog.Logger
}

func (c *gaugeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- alertsDesc
	ch <- queueDesc
}

func (c *gaugeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if byState, err := c.g.AlertsByState(ctx); err == nil {
		for _, s := range []alerts.State{alerts.StateOpen, alerts.StateAcked, alerts.StateEscalated, alerts.StateResolved} {
			ch <- prometheus.MustNewConstMetric(alertsDesc, prometheus.GaugeValue, float64(byState[s]), string(s))
		}
	} else if c.log != nil {
		c.log.Warn("metrics_alerts_failed", "err", err)
	}
	if depth, err := c.g.QueueDepth(ctx); err == nil {
		for k, n := range depth {
			q, s := splitKey(k)
			ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(n), q, s)
		}
	} else if c.log != nil {
		c.log.Warn("metrics_queue_failed", "err", err)
	}
}

func splitKey(k string) (string, string) {
	for i := 0; i < len(k); i++ {
		if k[i] == ':' {
			return k[:i], k[i+1:]
		}
	}
	return k, ""
}

// Budgets lists the platforms' request budgets.
type Budgets interface {
	Snapshots() []ratelimit.Snapshot
}

var budgetDesc = prometheus.NewDesc("lookout_rate_limit_remaining",
	"Requests left in a platform budget (per credential and endpoint) until it resets.", []string{"budget"}, nil)

// budgetCollector reads the budgets at scrape time.
type budgetCollector struct{ b Budgets }

// NewBudgetCollector exposes each known budget's remaining requests.
func NewBudgetCollector(b Budgets) prometheus.Collector { return budgetCollector{b} }

func (c budgetCollector) Describe(ch chan<- *prometheus.Desc) { ch <- budgetDesc }

func (c budgetCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.b.Snapshots() {
		if s.Known {
			ch <- prometheus.MustNewConstMetric(budgetDesc, prometheus.GaugeValue, float64(s.Remaining), s.Name)
		}
	}
}
