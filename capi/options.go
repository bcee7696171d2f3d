package main

/*
#include "internal.h"
*/
import "C"

import (
	"encoding/json"
	"slices"
	"strings"
	"unsafe"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// versioned describes an option struct of gojammy.h that starts with size_t struct_size: its C
// name, its size here and the struct_size values the library accepts.
type versioned struct {
	name  string
	size  uintptr
	sizes []uintptr
}

// newVersioned describes struct name of size bytes and alignment align whose fields end at ends,
// the last required field first: an older caller's struct ends after one of those fields,
// possibly padded to the alignment.
func newVersioned(name string, size, align uintptr, ends ...uintptr) versioned {
	v := versioned{name: name, size: size}
	for _, e := range ends {
		v.sizes = append(v.sizes, e, (e+align-1)/align*align)
	}
	slices.Sort(v.sizes)
	v.sizes = slices.Compact(v.sizes)
	return v
}

// end is the offset just past a field at offset with value field.
func end[T any](offset uintptr, field T) uintptr { return offset + unsafe.Sizeof(field) }

var (
	coordsLayout = func() versioned {
		var c C.gj_coords
		return newVersioned("gj_coords", unsafe.Sizeof(c), unsafe.Alignof(c),
			end(unsafe.Offsetof(c.kind), c.kind), end(unsafe.Offsetof(c.embedding), c.embedding),
			end(unsafe.Offsetof(c.embedding_len), c.embedding_len))
	}()
	createLayout = func() versioned {
		var o C.gj_create_options
		return newVersioned("gj_create_options", unsafe.Sizeof(o), unsafe.Alignof(o),
			end(unsafe.Offsetof(o.flow_defs), o.flow_defs), end(unsafe.Offsetof(o.options_json), o.options_json),
			end(unsafe.Offsetof(o.conditional_input_dim), o.conditional_input_dim),
			end(unsafe.Offsetof(o.amortization_mlp_dims), o.amortization_mlp_dims),
			end(unsafe.Offsetof(o.embedding_flags), o.embedding_flags),
			end(unsafe.Offsetof(o.embedding_flags_len), o.embedding_flags_len),
			end(unsafe.Offsetof(o.amortization_json), o.amortization_json))
	}()
	fitLayout = func() versioned {
		var o C.gj_fit_options
		return newVersioned("gj_fit_options", unsafe.Sizeof(o), unsafe.Alignof(o),
			end(unsafe.Offsetof(o.struct_size), o.struct_size), end(unsafe.Offsetof(o.epochs), o.epochs),
			end(unsafe.Offsetof(o.steps), o.steps), end(unsafe.Offsetof(o.batch_size), o.batch_size),
			end(unsafe.Offsetof(o.learning_rate), o.learning_rate), end(unsafe.Offsetof(o.seed), o.seed),
			end(unsafe.Offsetof(o.patience), o.patience), end(unsafe.Offsetof(o.clip_norm), o.clip_norm),
			end(unsafe.Offsetof(o.poisson_counts_len), o.poisson_counts_len),
			end(unsafe.Offsetof(o.skipped_nan_history), o.skipped_nan_history),
			end(unsafe.Offsetof(o.skipped_outside_history), o.skipped_outside_history))
	}()
)

// readStruct returns the caller's struct at ptr (argument name) with the fields beyond its
// struct_size taken from defaults. Only struct_size bytes of the caller's memory are read.
func readStruct[T any](v versioned, name string, ptr *T, defaults T) (T, error) {
	if ptr == nil {
		return defaults, fail(C.GJ_ERR_NULL_POINTER, "%s is NULL", name)
	}
	size := uintptr(*(*C.size_t)(unsafe.Pointer(ptr)))
	if !slices.Contains(v.sizes, size) {
		return defaults, fail(C.GJ_ERR_ARGUMENT, "%s: struct_size %d is not a size of %s this library accepts (sizeof(%s) is %d here; sizes %v)",
			name, size, v.name, v.name, v.size, v.sizes)
	}
	out := defaults
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&out)), size), unsafe.Slice((*byte)(unsafe.Pointer(ptr)), size))
	return out, nil
}

// flags reads n 0/1 values at ptr (argument name).
func flags(name string, ptr *C.int, n C.int64_t) ([]bool, error) {
	if n < 0 || n > maxElements {
		return nil, fail(C.GJ_ERR_ARGUMENT, "%s_len: %d is not a valid length", name, int64(n))
	}
	if n > 0 && ptr == nil {
		return nil, fail(C.GJ_ERR_NULL_POINTER, "%s is NULL but %s_len is %d", name, name, int64(n))
	}
	out := make([]bool, int(n))
	if n == 0 {
		return out, nil
	}
	for k, f := range unsafe.Slice(ptr, n) {
		if f != 0 && f != 1 {
			return nil, fail(C.GJ_ERR_ARGUMENT, "%s[%d]: must be 1 (embedding coordinates) or 0 (intrinsic coordinates), got %d", name, k, int(f))
		}
		out[k] = f == 1
	}
	return out, nil
}

// coords converts the required coordinate argument name.
func coords(name string, ptr *C.gj_coords) (flowcore.Coords, error) {
	c, err := readStruct(coordsLayout, name, ptr, C.gj_coords{})
	if err != nil {
		return flowcore.Coords{}, err
	}
	switch c.kind {
	case C.GJ_COORDS_SAVED:
		return flowcore.SavedCoords, nil
	case C.GJ_COORDS_INTRINSIC:
		return flowcore.IntrinsicCoords, nil
	case C.GJ_COORDS_EMBEDDING:
		return flowcore.EmbeddingCoords, nil
	case C.GJ_COORDS_PER_SUB_MANIFOLD:
		f, err := flags(name+".embedding", c.embedding, c.embedding_len)
		if err != nil {
			return flowcore.Coords{}, err
		}
		return flowcore.PerSubManifold(f), nil
	}
	return flowcore.Coords{}, fail(C.GJ_ERR_ARGUMENT, "%s.kind: %d is not GJ_COORDS_SAVED (0), GJ_COORDS_INTRINSIC (1), GJ_COORDS_EMBEDDING (2) or GJ_COORDS_PER_SUB_MANIFOLD (3)", name, int(c.kind))
}

// readCoordsDim converts the coordinate argument name and returns its dimension for p.
func readCoordsDim(p *flowcore.PDF, name string, ptr *C.gj_coords) (flowcore.Coords, int, error) {
	c, err := coords(name, ptr)
	if err != nil {
		return c, 0, err
	}
	d, err := p.Dim(c)
	if err != nil {
		return c, 0, fail(C.GJ_ERR_ARGUMENT, "%s: %v", name, err)
	}
	return c, d, nil
}

// createConfig converts gj_create_options into the definition strings and flowcore.Config.
func createConfig(ptr *C.gj_create_options) (string, string, flowcore.Config, error) {
	cfg := flowcore.DefaultConfig()
	o, err := readStruct(createLayout, "opts", ptr, C.gj_create_options{})
	if err != nil {
		return "", "", cfg, err
	}
	pd, err := goString("opts.pdf_defs", o.pdf_defs)
	if err != nil {
		return "", "", cfg, err
	}
	fd, err := goString("opts.flow_defs", o.flow_defs)
	if err != nil {
		return "", "", cfg, err
	}
	if o.conditional_input_dim < 0 || o.conditional_input_dim > maxElements {
		return "", "", cfg, fail(C.GJ_ERR_DEFINITION, "conditional_input_dim must be >= 0 (0 = unconditional), got %d", int64(o.conditional_input_dim))
	}
	cfg.ConditionalInputDim = int(o.conditional_input_dim)
	if o.amortization_mlp_dims != nil {
		cfg.AmortizationMLPDims = C.GoString(o.amortization_mlp_dims)
	}
	if o.options_json != nil {
		if cfg.Options, err = spec.ParseOverridesJSON([]byte(C.GoString(o.options_json))); err != nil {
			return "", "", cfg, withStatus(C.GJ_ERR_DEFINITION, err)
		}
	}
	if o.embedding_flags != nil || o.embedding_flags_len != 0 {
		if cfg.EmbeddingFlags, err = flags("opts.embedding_flags", o.embedding_flags, o.embedding_flags_len); err != nil {
			return "", "", cfg, err
		}
	}
	if o.amortization_json != nil {
		if err := setAmortization(&cfg, C.GoString(o.amortization_json), o.amortization_mlp_dims != nil); err != nil {
			return "", "", cfg, err
		}
	}
	return pd, fd, cfg, nil
}

// setAmortization applies opts.amortization_json to cfg; a key it shares with the struct's
// conditional_input_dim (when nonzero) or amortization_mlp_dims (when mlpDimsSet) is an error.
func setAmortization(cfg *flowcore.Config, text string, mlpDimsSet bool) error {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &keys); err != nil {
		return fail(C.GJ_ERR_DEFINITION, "opts.amortization_json: not a JSON object: %v", err)
	}
	if _, ok := keys["fully_amortized_pdf"]; ok && (cfg.ConditionalInputDim != 0 || mlpDimsSet) {
		return fail(C.GJ_ERR_DEFINITION, "opts.amortization_json: fully_amortized_pdf takes conditional_input_dim and the MLP widths inside it; leave the struct fields conditional_input_dim 0 and amortization_mlp_dims NULL")
	}
	for key, set := range map[string]bool{"conditional_input_dim": cfg.ConditionalInputDim != 0, "amortization_mlp_dims": mlpDimsSet} {
		if _, ok := keys[key]; ok && set {
			return fail(C.GJ_ERR_DEFINITION, "opts.amortization_json: %s is also set in the struct field %s; give it once", key, key)
		}
	}
	if err := cfg.SetAmortizationJSON([]byte(text)); err != nil {
		return fail(C.GJ_ERR_DEFINITION, "opts.amortization_json: %v", err)
	}
	return nil
}
