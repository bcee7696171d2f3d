package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Kind is the value type of an option.
type Kind int

// Option value kinds. Flags of jammy_flows are Int options taking 0 or 1 (true/false are accepted).
const (
	Int Kind = iota
	Float
	String
)

// Option describes one layer option: its name, type, default and allowed values.
type Option struct {
	Name    string
	Kind    Kind
	Default any // int, float64 or string matching Kind
	// Choices lists the allowed values of a String option (nil = any string).
	Choices []string
	// Check, if set, validates a value of the right kind and returns a description of the allowed
	// range on failure.
	Check func(v any) error
}

// Schema is the ordered option list of one layer letter.
type Schema []Option

// Values holds resolved option values: int, float64 or string per the schema.
type Values map[string]any

// Int returns option name as an int (panics if the schema did not declare it as Int).
func (v Values) Int(name string) int { return v[name].(int) }

// Float returns option name as a float64.
func (v Values) Float(name string) float64 { return v[name].(float64) }

// Str returns option name as a string.
func (v Values) Str(name string) string { return v[name].(string) }

// Flag returns an Int option as a boolean (non-zero).
func (v Values) Flag(name string) bool { return v.Int(name) != 0 }

// Defaults returns the default values of every option.
func (s Schema) Defaults() Values {
	v := Values{}
	for _, o := range s {
		v[o.Name] = o.Default
	}
	return v
}

// Names lists the option names in schema order.
func (s Schema) Names() []string {
	names := make([]string, len(s))
	for i, o := range s {
		names[i] = o.Name
	}
	return names
}

func (s Schema) find(name string) (Option, bool) {
	for _, o := range s {
		if o.Name == name {
			return o, true
		}
	}
	return Option{}, false
}

// Set coerces raw (from Go or decoded JSON) to the option's kind, validates it and stores it in v.
func (s Schema) Set(v Values, name string, raw any) error {
	o, ok := s.find(name)
	if !ok {
		return fmt.Errorf("unknown option %q; known options: %s", name, strings.Join(s.Names(), ", "))
	}
	val, err := coerce(o, raw)
	if err == nil && o.Choices != nil {
		err = fmt.Errorf("must be one of %s", strings.Join(o.Choices, ", "))
		for _, c := range o.Choices {
			if c == val {
				err = nil
			}
		}
	}
	if err == nil && o.Kind == Int {
		err = CheckInt("value", val.(int), MaxInt)
	}
	if err == nil && o.Check != nil {
		err = o.Check(val)
	}
	if err != nil {
		return fmt.Errorf("option %q = %v: %w", name, raw, err)
	}
	v[name] = val
	return nil
}

func coerce(o Option, raw any) (any, error) {
	switch o.Kind {
	case Int:
		switch x := raw.(type) {
		case bool:
			if x {
				return 1, nil
			}
			return 0, nil
		case int:
			return x, nil
		case int64:
			return int(x), nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<31 {
				return int(x), nil
			}
		case json.Number:
			if i, err := strconv.Atoi(string(x)); err == nil {
				return i, nil
			}
		}
		return nil, fmt.Errorf("expected an integer")
	case Float:
		switch x := raw.(type) {
		case int:
			return float64(x), nil
		case int64:
			return float64(x), nil
		case float64:
			if !math.IsNaN(x) {
				return x, nil
			}
		case json.Number:
			if f, err := x.Float64(); err == nil {
				return f, nil
			}
		}
		return nil, fmt.Errorf("expected a number")
	default:
		if x, ok := raw.(string); ok {
			return x, nil
		}
		return nil, fmt.Errorf("expected a string")
	}
}

// AtLeast returns a Check that accepts numbers >= lo.
func AtLeast(lo float64) func(any) error {
	return func(v any) error {
		if Number(v) < lo {
			return fmt.Errorf("must be >= %g", lo)
		}
		return nil
	}
}

// OneOf returns a Check that accepts only the listed numbers.
func OneOf(allowed ...float64) func(any) error {
	return func(v any) error {
		for _, a := range allowed {
			if Number(v) == a {
				return nil
			}
		}
		return fmt.Errorf("must be one of %v", allowed)
	}
}

// Flag is a Check for 0/1 options.
var Flag = OneOf(0, 1)

// Positive is a Check for numbers > 0.
func Positive(v any) error {
	if Number(v) > 0 {
		return nil
	}
	return fmt.Errorf("must be > 0")
}

// PositiveOrMinusOne is a Check for numbers > 0 or -1 (jammy_flows' "off" or "automatic").
func PositiveOrMinusOne(v any) error {
	if x := Number(v); x == -1 || x > 0 {
		return nil
	}
	return fmt.Errorf("must be -1 (off) or > 0")
}

// Number returns an Int or Float option value as a float64 (NaN for other values).
func Number(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}

// Overrides is jammy_flows' options_overwrite: option values per layer letter, per sub-manifold and
// letter, and per (sub-manifold, layer) and letter. For one layer the most specific match wins as a
// whole (a layer key, else a sub-manifold key, else a letter key), as upstream.
type Overrides struct {
	ByLetter map[string]map[string]any
	BySub    map[int]map[string]map[string]any
	ByLayer  map[[2]int]map[string]map[string]any
}

// ParseOverridesJSON reads overrides from JSON: keys are a layer letter ("g"), a sub-manifold index
// ("1") or a "sub,layer" pair ("1,0"); the letter form maps option names to values, the other two
// map a letter to option names and values.
func ParseOverridesJSON(data []byte) (Overrides, error) {
	o := Overrides{ByLetter: map[string]map[string]any{}, BySub: map[int]map[string]map[string]any{},
		ByLayer: map[[2]int]map[string]map[string]any{}}
	if len(strings.TrimSpace(string(data))) == 0 {
		return o, nil
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return o, fmt.Errorf("options_overwrite: not a JSON object: %v", err)
	}
	decode := func(key string, msg json.RawMessage, into any) error {
		d := json.NewDecoder(strings.NewReader(string(msg)))
		d.UseNumber()
		if err := d.Decode(into); err != nil {
			return fmt.Errorf("options_overwrite[%s]: %v", key, err)
		}
		return nil
	}
	for key, msg := range raw {
		parts := strings.Split(strings.Trim(key, "() "), ",")
		switch {
		case len(parts) == 2:
			i, err1 := strconv.Atoi(strings.TrimSpace(parts[0]))
			j, err2 := strconv.Atoi(strings.TrimSpace(parts[1]))
			if err1 != nil || err2 != nil {
				return o, fmt.Errorf("options_overwrite key %q: expected a letter, an index or an (index, layer) pair", key)
			}
			m := map[string]map[string]any{}
			if err := decode(key, msg, &m); err != nil {
				return o, err
			}
			o.ByLayer[[2]int{i, j}] = m
		case len(key) == 1 && !(key[0] >= '0' && key[0] <= '9'):
			m := map[string]any{}
			if err := decode(key, msg, &m); err != nil {
				return o, err
			}
			o.ByLetter[key] = m
		default:
			i, err := strconv.Atoi(key)
			if err != nil {
				return o, fmt.Errorf("options_overwrite key %q: expected a letter, an index or an (index, layer) pair", key)
			}
			m := map[string]map[string]any{}
			if err := decode(key, msg, &m); err != nil {
				return o, err
			}
			o.BySub[i] = m
		}
	}
	return o, nil
}

// Validate checks that every index in the overrides names an existing sub-manifold and layer.
func (o Overrides) Validate(flowDefs []string) error {
	for i := range o.BySub {
		if i < 0 || i >= len(flowDefs) {
			return fmt.Errorf("options_overwrite: sub-manifold index %d out of range [0, %d)", i, len(flowDefs))
		}
	}
	for k, m := range o.ByLayer {
		if k[0] < 0 || k[0] >= len(flowDefs) || k[1] < 0 || k[1] >= len(flowDefs[k[0]]) {
			return fmt.Errorf("options_overwrite: layer (%d, %d) does not exist in flow_defs %v", k[0], k[1], flowDefs)
		}
		for letter := range m {
			if letter != string(flowDefs[k[0]][k[1]]) {
				return fmt.Errorf("options_overwrite: layer (%d, %d) is %q, not %q", k[0], k[1], string(flowDefs[k[0]][k[1]]), letter)
			}
		}
	}
	return nil
}

// CheckLetters checks that every letter the overrides name is one of known (the registered layer
// letters): options under a typo such as "G" would otherwise be ignored silently.
func (o Overrides) CheckLetters(known string) error {
	check := func(where, letter string) error {
		if len(letter) != 1 || !strings.Contains(known, letter) {
			return fmt.Errorf("options_overwrite%s: key %q is not a layer letter; layer letters: %s", where, letter, known)
		}
		return nil
	}
	for l := range o.ByLetter {
		if err := check("", l); err != nil {
			return err
		}
	}
	for i, m := range o.BySub {
		for l := range m {
			if err := check(fmt.Sprintf("[%d]", i), l); err != nil {
				return err
			}
		}
	}
	for k, m := range o.ByLayer {
		for l := range m {
			if err := check(fmt.Sprintf("[(%d, %d)]", k[0], k[1]), l); err != nil {
				return err
			}
		}
	}
	return nil
}

// Resolve returns the option values of layer `layer` (letter) of sub-manifold sub: defaults, then the
// most specific override group that names this layer.
func (o Overrides) Resolve(sub, layer int, letter byte, schema Schema) (Values, error) {
	v := schema.Defaults()
	l := string(letter)
	group, ok := o.ByLayer[[2]int{sub, layer}][l]
	if !ok {
		group, ok = o.BySub[sub][l]
	}
	if !ok {
		group = o.ByLetter[l]
	}
	names := make([]string, 0, len(group))
	for name := range group {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := schema.Set(v, name, group[name]); err != nil {
			return nil, fmt.Errorf("options_overwrite for layer %q (sub-manifold %d, layer %d): %w", l, sub, layer, err)
		}
	}
	return v, nil
}

// JSON encodes the overrides in the form ParseOverridesJSON reads.
func (o Overrides) JSON() ([]byte, error) {
	m := map[string]any{}
	for k, v := range o.ByLetter {
		m[k] = v
	}
	for k, v := range o.BySub {
		m[strconv.Itoa(k)] = v
	}
	for k, v := range o.ByLayer {
		m[fmt.Sprintf("%d,%d", k[0], k[1])] = v
	}
	return json.Marshal(m)
}
