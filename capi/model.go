package main

/*
#include "internal.h"
*/
import "C"

import (
	"bytes"
	"encoding/json"
	"slices"
	"unsafe"

	"github.com/gojammy/gojammy/flowcore"
)

//export gj_pdf_create
func gj_pdf_create(opts *C.gj_create_options, out *C.uint64_t) C.int {
	return run("gj_pdf_create", func(*call) error {
		pd, fd, cfg, err := createConfig(opts)
		if err != nil {
			return err
		}
		if out == nil {
			return fail(C.GJ_ERR_NULL_POINTER, "out_handle is NULL")
		}
		p, err := flowcore.New(pd, fd, cfg)
		if err != nil {
			return withStatus(C.GJ_ERR_DEFINITION, err)
		}
		*out = C.uint64_t(register(p))
		return nil
	})
}

//export gj_pdf_load
func gj_pdf_load(path *C.char, out *C.uint64_t) C.int {
	return run("gj_pdf_load", func(*call) error {
		name, err := goString("path", path)
		if err != nil {
			return err
		}
		if out == nil {
			return fail(C.GJ_ERR_NULL_POINTER, "out_handle is NULL")
		}
		p, err := flowcore.LoadFile(name)
		if err != nil {
			return withStatus(C.GJ_ERR_IO, err)
		}
		*out = C.uint64_t(register(p))
		return nil
	})
}

// withSavedFlags returns p, or a copy of p whose saved embedding flags record savedCoords.
func withSavedFlags(p *flowcore.PDF, savedCoords *C.gj_coords) (*flowcore.PDF, error) {
	c, err := coords("saved_coords", savedCoords)
	if err != nil {
		return nil, err
	}
	f, err := p.Embedding(c)
	if err != nil {
		return nil, fail(C.GJ_ERR_ARGUMENT, "saved_coords: %v", err)
	}
	if slices.Equal(f, p.EmbeddingFlags()) {
		return p, nil
	}
	q, err := p.WithEmbeddingFlags(f)
	return q, withStatus(C.GJ_ERR_ARGUMENT, err)
}

//export gj_pdf_save
func gj_pdf_save(id C.uint64_t, path *C.char, savedCoords *C.gj_coords) C.int {
	return withModel("gj_pdf_save", id, shared, func(p *flowcore.PDF) error {
		name, err := goString("path", path)
		if err != nil {
			return err
		}
		if p, err = withSavedFlags(p, savedCoords); err != nil {
			return err
		}
		return withStatus(C.GJ_ERR_IO, flowcore.SaveFile(name, p))
	})
}

//export gj_pdf_load_buffer
func gj_pdf_load_buffer(buf *C.uint8_t, size C.int64_t, out *C.uint64_t) C.int {
	return run("gj_pdf_load_buffer", func(*call) error {
		switch {
		case buf == nil:
			return fail(C.GJ_ERR_NULL_POINTER, "buf is NULL")
		case out == nil:
			return fail(C.GJ_ERR_NULL_POINTER, "out_handle is NULL")
		case size < 0 || size > maxElements:
			return fail(C.GJ_ERR_ARGUMENT, "len: %d is not a valid buffer length", int64(size))
		}
		data := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int64(size))
		p, err := flowcore.Load(bytes.NewReader(data))
		if err != nil {
			return withStatus(C.GJ_ERR_IO, err)
		}
		*out = C.uint64_t(register(p))
		return nil
	})
}

//export gj_pdf_save_buffer
func gj_pdf_save_buffer(id C.uint64_t, savedCoords *C.gj_coords, buf *C.uint8_t, size C.int64_t, needed *C.int64_t) C.int {
	return withModel("gj_pdf_save_buffer", id, shared, func(p *flowcore.PDF) error {
		if needed == nil {
			return fail(C.GJ_ERR_NULL_POINTER, "size is NULL")
		}
		if size < 0 {
			return fail(C.GJ_ERR_ARGUMENT, "len: must be >= 0, got %d", int64(size))
		}
		p, err := withSavedFlags(p, savedCoords)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := flowcore.Save(&b, p); err != nil {
			return withStatus(C.GJ_ERR_IO, err)
		}
		*needed = C.int64_t(b.Len())
		if buf == nil {
			return nil
		}
		if int64(size) < int64(b.Len()) {
			return fail(C.GJ_ERR_BUFFER_TOO_SMALL, "buffer of %d bytes is too small; the model needs %d", int64(size), b.Len())
		}
		copy(unsafe.Slice((*byte)(unsafe.Pointer(buf)), b.Len()), b.Bytes())
		return nil
	})
}

//export gj_pdf_free
func gj_pdf_free(id C.uint64_t) C.int {
	return run("gj_pdf_free", func(c *call) error {
		_, release, err := c.model(id, freeing)
		if err != nil {
			return err
		}
		defer release()
		unregister(c.h.id)
		c.h.pdf = nil
		return nil
	})
}

//export gj_pdf_dims
func gj_pdf_dims(id C.uint64_t, coordsArg *C.gj_coords, dim, baseDim, condDim, nParams *C.int64_t) C.int {
	return withModel("gj_pdf_dims", id, shared, func(p *flowcore.PDF) error {
		_, d, err := readCoordsDim(p, "coords", coordsArg)
		if err != nil {
			return err
		}
		setInt64(dim, d)
		setInt64(baseDim, p.BaseDim())
		setInt64(condDim, p.ConditionalDim())
		setInt64(nParams, p.NumParams())
		return nil
	})
}

// modelDescription is the JSON object written by gj_pdf_describe.
type modelDescription struct {
	PDFDefs             string          `json:"pdf_defs"`
	FlowDefs            string          `json:"flow_defs"`
	Options             json.RawMessage `json:"options_overwrite"`
	ConditionalInputDim json.RawMessage `json:"conditional_input_dim"`
	MLPDims             json.RawMessage `json:"amortization_mlp_dims"`
	UseCustomMode       json.RawMessage `json:"amortization_mlp_use_custom_mode"`
	Ranks               json.RawMessage `json:"amortization_mlp_ranks"`
	HighwayMode         json.RawMessage `json:"amortization_mlp_highway_mode"`
	CondDim             int             `json:"cond_dim"`
	NumParams           int             `json:"num_params"`
	NumSubManifolds     int             `json:"num_sub_manifolds"`
	EmbeddingFlags      []bool          `json:"embedding_flags"`
	Dim                 map[string]int  `json:"dim"`
	BaseDim             int             `json:"base_dim"`
	LayerParamCounts    [][]int         `json:"layer_param_counts"`
}

//export gj_pdf_describe
func gj_pdf_describe(id C.uint64_t, buf *C.char, size C.size_t) C.int {
	return withModel("gj_pdf_describe", id, shared, func(p *flowcore.PDF) error {
		cfg := p.Config()
		opts, err := cfg.Options.JSON()
		if err != nil {
			return err
		}
		dims := map[string]int{}
		for name, c := range map[string]flowcore.Coords{"saved": flowcore.SavedCoords, "intrinsic": flowcore.IntrinsicCoords, "embedding": flowcore.EmbeddingCoords} {
			if dims[name], err = p.Dim(c); err != nil {
				return err
			}
		}
		amort, err := cfg.AmortizationJSON()
		if err != nil {
			return err
		}
		var a map[string]json.RawMessage
		if err := json.Unmarshal(amort, &a); err != nil {
			return err
		}
		b, err := json.Marshal(modelDescription{
			PDFDefs: p.PDFDefs(), FlowDefs: p.FlowDefs(), Options: opts,
			ConditionalInputDim: a["conditional_input_dim"], MLPDims: a["amortization_mlp_dims"],
			UseCustomMode: a["amortization_mlp_use_custom_mode"], Ranks: a["amortization_mlp_ranks"],
			HighwayMode: a["amortization_mlp_highway_mode"], CondDim: p.ConditionalDim(),
			NumParams: p.NumParams(), NumSubManifolds: p.NumSubManifolds(), EmbeddingFlags: p.EmbeddingFlags(),
			Dim: dims, BaseDim: p.BaseDim(), LayerParamCounts: p.LayerParamCounts(),
		})
		if err != nil {
			return err
		}
		return writeString(buf, size, string(b))
	})
}
