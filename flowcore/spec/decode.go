package spec

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Typed option structs: a layer declares its options once as a Schema (names, kinds, defaults,
// allowed values: what validation, bindings and the model file use) and reads them as fields of a
// struct, filled once at construction by Decode. A field names its option in an `opt` tag and has
// the option's kind: int or bool for Int options (bool for 0/1 flags), float64 for Float, string
// for String. Anonymous struct fields are decoded in place, so option groups shared by several
// layers (e.g. the width regulator) are declared once.

// Decode fills the tagged fields of the struct dst points to from resolved values v. It is strict
// both ways: a field whose option v lacks and an option of v that no field takes are errors, so
// that a misspelled name fails every construction of the layer (and so its tests), never silently.
func Decode(v Values, dst any) error {
	used := map[string]bool{}
	if err := decode(v, reflect.ValueOf(dst), used, true); err != nil {
		return err
	}
	var left []string
	for name := range v {
		if !used[name] {
			left = append(left, name)
		}
	}
	if len(left) > 0 {
		sort.Strings(left)
		return fmt.Errorf("options %s have no field in %T", strings.Join(left, ", "), dst)
	}
	return nil
}

// DecodeSome fills the tagged fields of dst whose options v has and leaves the others at their
// zero value; options without a field are ignored. It reads options shared by several layers'
// schemas (the PDF-level flags), where a layer may lack some of them.
func DecodeSome(v Values, dst any) error {
	return decode(v, reflect.ValueOf(dst), map[string]bool{}, false)
}

// Encode returns the options of a tagged struct as values (flags as 0 or 1), the inverse of
// Decode; it builds the options of layers that a layer creates inside itself.
func Encode(src any) map[string]any {
	out := map[string]any{}
	encode(reflect.ValueOf(src), out)
	return out
}

func decode(v Values, p reflect.Value, used map[string]bool, strict bool) error {
	if p.Kind() != reflect.Pointer || p.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("spec.Decode: need a pointer to a struct, got %s", p.Type())
	}
	s := p.Elem()
	for i := 0; i < s.NumField(); i++ {
		f, field := s.Type().Field(i), s.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if err := decode(v, field.Addr(), used, strict); err != nil {
				return err
			}
			continue
		}
		name, ok := f.Tag.Lookup("opt")
		if !ok {
			continue
		}
		raw, present := v[name]
		if !present {
			if strict {
				return fmt.Errorf("option %q of field %s.%s is not declared", name, s.Type(), f.Name)
			}
			continue
		}
		used[name] = true
		if err := set(field, raw); err != nil {
			return fmt.Errorf("option %q into field %s.%s: %w", name, s.Type(), f.Name, err)
		}
	}
	return nil
}

// set stores a resolved value (int, float64 or string) into a field of the matching kind.
func set(field reflect.Value, raw any) error {
	switch field.Kind() {
	case reflect.Bool:
		if i, ok := raw.(int); ok {
			field.SetBool(i != 0)
			return nil
		}
	case reflect.Int:
		if i, ok := raw.(int); ok {
			field.SetInt(int64(i))
			return nil
		}
	case reflect.Float64:
		if x, ok := raw.(float64); ok {
			field.SetFloat(x)
			return nil
		}
	case reflect.String:
		if x, ok := raw.(string); ok {
			field.SetString(x)
			return nil
		}
	}
	return fmt.Errorf("a %T value does not fit a %s field", raw, field.Kind())
}

func encode(v reflect.Value, out map[string]any) {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	for i := 0; i < v.NumField(); i++ {
		f, field := v.Type().Field(i), v.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			encode(field, out)
			continue
		}
		name, ok := f.Tag.Lookup("opt")
		if !ok {
			continue
		}
		switch field.Kind() {
		case reflect.Bool:
			out[name] = 0
			if field.Bool() {
				out[name] = 1
			}
		case reflect.Int:
			out[name] = int(field.Int())
		default:
			out[name] = field.Interface()
		}
	}
}

// DecodeDefaults returns the schema's defaults decoded into O; it panics if the schema and O
// disagree (a programming error that every test of the layer catches).
func DecodeDefaults[O any](s Schema) O {
	var o O
	if err := Decode(s.Defaults(), &o); err != nil {
		panic(err)
	}
	return o
}
