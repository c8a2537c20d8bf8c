package postgres_test

import "os"

func benchLatency() bool { return os.Getenv("LOOKOUT_BENCH_LATENCY") != "" }
