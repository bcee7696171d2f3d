package flowcore

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/gojammy/gojammy/flowcore/spec"
)

// Version is the version of the gojammy engine.
const Version = "0.1.0"

// The model file is a safetensors file: an 8-byte little-endian header length, a JSON header
// and the parameters as one little-endian float64 tensor "params". The header's __metadata__
// holds the definition (strings, as safetensors requires), so any safetensors reader can open it.
// Version 2 adds the key "amortization" (Config.AmortizationJSON) for conditioning settings
// beyond an int conditional_input_dim and one amortization_mlp_dims string; a model without them
// is written as version 1, which older gojammy versions read too.
const (
	fileFormat      = "gojammy-model"
	fileVersion     = "1"
	fileVersion2    = "2"
	maxHeaderLength = 16 << 20
)

type tensorInfo struct {
	DType       string  `json:"dtype"`
	Shape       []int64 `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

// Save writes the model (definition, options, saved embedding flags and parameters) to w.
func Save(w io.Writer, p *PDF) error {
	opts, err := p.cfg.Options.JSON()
	if err != nil {
		return fmt.Errorf("save: options: %w", err)
	}
	flags, err := json.Marshal(p.cfg.EmbeddingFlags)
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	params := p.Params()
	data := make([]byte, 8*len(params))
	for i, v := range params {
		binary.LittleEndian.PutUint64(data[8*i:], math.Float64bits(v))
	}
	sum := sha256.Sum256(data)
	meta := map[string]string{
		"format":                fileFormat,
		"format_version":        fileVersion,
		"gojammy_version":       Version,
		"pdf_defs":              p.pdfDefs,
		"flow_defs":             p.flowDefs,
		"options_overwrite":     string(opts),
		"conditional_input_dim": strconv.Itoa(p.cfg.ConditionalInputDim),
		"amortization_mlp_dims": p.cfg.AmortizationMLPDims,
		"embedding_flags":       string(flags),
		"params_sha256":         hex.EncodeToString(sum[:]),
	}
	if p.cfg.extendedConditioning() {
		amort, err := p.cfg.AmortizationJSON()
		if err != nil {
			return fmt.Errorf("save: %w", err)
		}
		meta["format_version"], meta["amortization"] = fileVersion2, string(amort)
	}
	header := map[string]any{
		"__metadata__": meta,
		"params":       tensorInfo{DType: "F64", Shape: []int64{int64(len(params))}, DataOffsets: []int64{0, int64(len(data))}},
	}
	h, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	var buf bytes.Buffer
	_ = binary.Write(&buf, binary.LittleEndian, uint64(len(h)))
	buf.Write(h)
	buf.Write(data)
	_, err = w.Write(buf.Bytes())
	return err
}

// Load reads a model written by Save. A truncated, corrupted or foreign file gives an error.
func Load(r io.Reader) (*PDF, error) {
	var n uint64
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, fmt.Errorf("load: not a gojammy model file (no header): %w", err)
	}
	if n == 0 || n > maxHeaderLength {
		return nil, fmt.Errorf("load: not a gojammy model file (header length %d)", n)
	}
	h := make([]byte, n)
	if _, err := io.ReadFull(r, h); err != nil {
		return nil, fmt.Errorf("load: truncated header: %w", err)
	}
	var header struct {
		Meta   map[string]string `json:"__metadata__"`
		Params *tensorInfo       `json:"params"`
	}
	if err := json.Unmarshal(h, &header); err != nil {
		return nil, fmt.Errorf("load: corrupted header: %w", err)
	}
	meta := header.Meta
	if meta["format"] != fileFormat {
		return nil, fmt.Errorf("load: not a gojammy model file (format %q)", meta["format"])
	}
	if v := meta["format_version"]; v != fileVersion && v != fileVersion2 {
		return nil, fmt.Errorf("load: model file format version %q is not supported (this gojammy reads versions %s and %s)", v, fileVersion, fileVersion2)
	}
	t := header.Params
	if t == nil || t.DType != "F64" || len(t.Shape) != 1 || len(t.DataOffsets) != 2 || t.DataOffsets[0] != 0 ||
		t.Shape[0] < 0 || t.DataOffsets[1] != 8*t.Shape[0] {
		return nil, fmt.Errorf("load: corrupted header: bad params tensor description")
	}
	condDim, err := strconv.Atoi(meta["conditional_input_dim"])
	if err != nil {
		return nil, fmt.Errorf("load: corrupted header: conditional_input_dim %q", meta["conditional_input_dim"])
	}
	opts, err := spec.ParseOverridesJSON([]byte(meta["options_overwrite"]))
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	var flags []bool
	if err := json.Unmarshal([]byte(meta["embedding_flags"]), &flags); err != nil || flags == nil {
		return nil, fmt.Errorf("load: corrupted header: embedding_flags %q", meta["embedding_flags"])
	}
	cfg := DefaultConfig()
	cfg.Options, cfg.ConditionalInputDim, cfg.AmortizationMLPDims, cfg.EmbeddingFlags = opts, condDim, meta["amortization_mlp_dims"], flags
	if amort, ok := meta["amortization"]; ok {
		if err := cfg.SetAmortizationJSON([]byte(amort)); err != nil {
			return nil, fmt.Errorf("load: corrupted header: %w", err)
		}
	}
	p, err := New(meta["pdf_defs"], meta["flow_defs"], cfg)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	if int64(p.NumParams()) != t.Shape[0] {
		return nil, fmt.Errorf("load: file has %d parameters, the model definition needs %d", t.Shape[0], p.NumParams())
	}
	data := make([]byte, t.DataOffsets[1])
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("load: truncated parameter data: %w", err)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != meta["params_sha256"] {
		return nil, fmt.Errorf("load: parameter data is corrupted (checksum mismatch)")
	}
	params := make([]float64, t.Shape[0])
	for i := range params {
		params[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
	}
	if err := p.SetParams(params); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	return p, nil
}

// SaveFile writes the model to path atomically (a temporary file renamed into place), so an
// interrupted save never leaves a half-written model.
func SaveFile(path string, p *PDF) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gojammy-*")
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := Save(tmp, p); err != nil {
		tmp.Close()
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}

// LoadFile reads a model from path.
func LoadFile(path string) (*PDF, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	defer f.Close()
	p, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return p, nil
}
