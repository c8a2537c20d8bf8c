package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Load reads the TOML file at path and returns the validated configuration.
// An invalid file yields an *Error listing every problem.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	return Parse(data, path)
}

// Parse is Load for a document already in memory; name is the file name used
// in problems. ${VAR} references are expanded from the process environment.
func Parse(data []byte, name string) (*Config, error) {
	return parse(data, name, os.LookupEnv)
}

// parse is Parse with an injectable environment.
func parse(data []byte, name string, lookupEnv func(string) (string, bool)) (*Config, error) {
	var tree map[string]any
	if err := toml.Unmarshal(data, &tree); err != nil {
		return nil, &Error{File: name, Problems: []Problem{syntaxProblem(err)}}
	}

	c := Default()
	c.file = name
	c.lines = keyLines(data)
	d := decoder{lookupEnv: lookupEnv, lines: c.lines}
	d.decode(tree, c)
	c.readSecretFiles(&d)
	for i := range c.Watches {
		if c.Watches[i].Route == "" {
			c.Watches[i].Route = c.defaultRoute()
		}
	}

	problems := d.problems
	decoded := map[string]bool{}
	for _, p := range d.problems {
		decoded[p.Key] = true
	}
	for _, p := range c.validate() {
		if !coveredBy(p.Key, decoded) {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		sortProblems(problems)
		return nil, &Error{File: name, Problems: problems}
	}
	return c, nil
}

// syntaxProblem turns a go-toml error (bad syntax, a key defined twice) into
// a Problem with its line.
func syntaxProblem(err error) Problem {
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		return Problem{Line: line, Msg: strings.TrimPrefix(de.Error(), "toml: ")}
	}
	return Problem{Msg: strings.TrimPrefix(err.Error(), "toml: ")}
}

// coveredBy reports whether key, or a parent of it, already has a decode
// problem: a value that could not be decoded keeps its default, and checking
// that default would only add noise.
func coveredBy(key string, decoded map[string]bool) bool {
	for key != "" {
		if decoded[key] {
			return true
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			return false
		}
		key = key[:i]
	}
	return false
}

// readSecretFiles fills each value that has a *_file key from that file,
// without its trailing newline. Problems name the key and the path, never
// the content.
func (c *Config) readSecretFiles(d *decoder) {
	for _, s := range c.secretFields() {
		if *s.file == "" {
			continue
		}
		name := s.key[strings.LastIndexByte(s.key, '.')+1:]
		fileKey := s.key + "_file"
		if *s.value != "" {
			d.problem(fileKey, "set either %s or %s_file, not both", name, name)
			continue
		}
		data, err := os.ReadFile(*s.file)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			d.problem(fileKey, "cannot read %q: %v", *s.file, err)
			continue
		}
		*s.value = strings.TrimRight(string(data), "\r\n")
		if *s.value == "" {
			d.problem(fileKey, "file %q is empty", *s.file)
		}
	}
}
