package config

import (
	"cmp"
	"encoding"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// decoder copies a generic TOML tree (as decoded by go-toml into
// map[string]any) into the typed Config, field by field, so that it can
// report every unknown key and every wrong type at once instead of stopping
// at the first, and expand ${VAR} references in string values.
type decoder struct {
	lookupEnv func(string) (string, bool)
	lines     map[string]int
	problems  []Problem
}

// defaulter is implemented by array-table elements that have defaults of
// their own (a new [[watch]] starts with interval 5m, severity medium).
type defaulter interface {
	setDefaults()
}

var (
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	durationType        = reflect.TypeFor[Duration]()
)

func (d *decoder) problem(key, format string, args ...any) {
	d.problems = append(d.problems, Problem{Key: key, Line: lineOf(d.lines, key), Msg: fmt.Sprintf(format, args...)})
}

// table decodes a TOML table into the struct v.
func (d *decoder) table(path string, table map[string]any, v reflect.Value) {
	fields := map[string]int{}
	var names []string
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		fields[name] = i
		names = append(names, name)
	}

	// Keys in document order, so problems come out in a stable order.
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(lineOf(d.lines, joinKey(path, a)), lineOf(d.lines, joinKey(path, b))), cmp.Compare(a, b))
	})

	for _, k := range keys {
		key := joinKey(path, k)
		i, ok := fields[k]
		if !ok {
			what := "key"
			if isTable(table[k]) {
				what = "section"
			}
			d.problem(key, "unknown %s %q%s", what, k, suggest(k, names))
			continue
		}
		d.value(key, table[k], v.Field(i))
	}
}

// value decodes one TOML value into v.
func (d *decoder) value(key string, raw any, v reflect.Value) {
	if v.CanAddr() && v.Addr().Type().Implements(textUnmarshalerType) {
		s, ok := raw.(string)
		if !ok {
			d.typeProblem(key, v.Type(), raw)
			return
		}
		s, ok = d.expand(key, s)
		if !ok {
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			d.problem(key, "%s", err.Error())
		}
		return
	}

	switch v.Kind() {
	case reflect.String:
		s, ok := raw.(string)
		if !ok {
			d.typeProblem(key, v.Type(), raw)
			return
		}
		// An unset variable is reported and its reference kept, so that
		// checks depending on the value being set do not pile up.
		s, _ = d.expand(key, s)
		v.SetString(s)
	case reflect.Bool:
		b, ok := raw.(bool)
		if !ok {
			d.typeProblem(key, v.Type(), raw)
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, ok := raw.(int64)
		if !ok {
			d.typeProblem(key, v.Type(), raw)
			return
		}
		if v.OverflowInt(n) {
			d.problem(key, "%d is out of range", n)
			return
		}
		v.SetInt(n)
	case reflect.Float64:
		switch n := raw.(type) {
		case float64:
			v.SetFloat(n)
		case int64:
			v.SetFloat(float64(n))
		default:
			d.typeProblem(key, v.Type(), raw)
		}
	case reflect.Slice:
		arr, ok := raw.([]any)
		if !ok {
			d.typeProblem(key, v.Type(), raw)
			return
		}
		out := reflect.MakeSlice(v.Type(), 0, len(arr))
		for i, el := range arr {
			ev := reflect.New(v.Type().Elem())
			if def, ok := ev.Interface().(defaulter); ok {
				def.setDefaults()
			}
			d.value(indexKey(key, i), el, ev.Elem())
			out = reflect.Append(out, ev.Elem())
		}
		v.Set(out)
	case reflect.Struct:
		t, ok := raw.(map[string]any)
		if !ok {
			d.typeProblem(key, v.Type(), raw)
			return
		}
		d.table(key, t, v)
	default:
		// Config only uses the kinds above.
		panic(fmt.Sprintf("config: unsupported field kind %s at %s", v.Kind(), key))
	}
}

// typeProblem reports a value of the wrong TOML type. It names types only,
// never the value, which may be a secret.
func (d *decoder) typeProblem(key string, want reflect.Type, got any) {
	d.problem(key, "must be %s (got %s)", describeType(want), tomlType(got))
}

func describeType(t reflect.Type) string {
	if t == durationType {
		return `a duration string like "5m"`
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Struct {
			return "an array of tables"
		}
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(describeType(t.Elem()), "a "), "an ") + "s"
	case reflect.Struct:
		return "a table"
	}
	return t.String()
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case int64:
		return "integer"
	case float64:
		return "float"
	case []any:
		return "array"
	case map[string]any:
		return "table"
	default:
		return "date or time"
	}
}

// isTable reports whether v is a table or an array of tables.
func isTable(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		return true
	case []any:
		return len(v) > 0 && isTable(v[0])
	}
	return false
}

// envRef matches the only expansion form: ${NAME}. $NAME is left alone.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expand replaces ${NAME} references in s with the environment's values. An
// unset variable is a problem; its reference is left in place and ok is
// false.
func (d *decoder) expand(key, s string) (_ string, ok bool) {
	if !strings.Contains(s, "${") {
		return s, true
	}
	ok = true
	s = envRef.ReplaceAllStringFunc(s, func(ref string) string {
		name := ref[2 : len(ref)-1]
		v, set := d.lookupEnv(name)
		if !set {
			ok = false
			d.problem(key, "environment variable %s is not set", name)
			return ref
		}
		return v
	})
	return s, ok
}

// decode copies tree over c, which holds the defaults.
func (d *decoder) decode(tree map[string]any, c *Config) {
	d.table("", tree, reflect.ValueOf(c).Elem())
}
