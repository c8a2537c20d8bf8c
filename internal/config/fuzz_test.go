package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics, whatever the bytes.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/invalid/*.toml")
	seeds = append(seeds, "../../config.example.toml")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(minimal))
	f.Add([]byte("a = [{b = [{c = 1}]}]\n[[policy]]\nstep = [{after = \"1m\", notify = [\"console\"]}]\n"))
	lookup := env{"SET": "value"}.lookup
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parse(data, "fuzz.toml", lookup)
		if (c == nil) == (err == nil) {
			t.Fatalf("parse: got config %v and error %v; want exactly one", c, err)
		}
		if err != nil {
			_ = err.Error()
			return
		}
		_ = c.Redacted()
		if err := c.Validate(); err != nil {
			t.Fatalf("Validate after a successful parse: %v", err)
		}
	})
}
