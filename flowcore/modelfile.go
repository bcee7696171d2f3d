package flowcore

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/gojammy/gojammy/flowcore/spec"
)

// Version is the version of the gojammy engine.
const Version = "0.1.0"

// The model file is a safetensors file: an 8-byte little-endian header length, a JSON header
// and the parameters as one little-endian float64 tensor "params". The header's __metadata__
// holds the definition (strings, as safetensors requires), so any safetensors reader can open it.
//
// Versions 1 to 3 checksum the parameter bytes only ("params_sha256"). Version 2 adds the key
// "amortization" (Config.AmortizationJSON) for conditioning settings beyond an int
// conditional_input_dim and one amortization_mlp_dims string; version 3 is version 2 whose
// "amortization" holds amortize_everything, fully_amortized_pdf or Poisson-head settings.
//
// Version 4, the one Save writes, has the keys of version 1, "amortization" when needed, and
// instead of params_sha256 the key "sha256": the SHA-256 of the canonical header (the header
// exactly as Save writes it, with "sha256" set to "") followed by the parameter bytes. A version-4
// header must be in that canonical form, so no byte of a version-4 file can change without the
// checksum failing. Every version refuses unknown and missing keys and bytes after the
// parameters; a valid file of versions 1 to 3 loads as before.
const (
	fileFormat      = "gojammy-model"
	fileVersion4    = "4"
	maxHeaderLength = 16 << 20
	checksumKey     = "sha256"
	oldChecksumKey  = "params_sha256"
)

// fileKeys are the metadata keys of every version; versionKeys adds each version's required
// keys and optionalKeys the keys a version may have.
var (
	fileKeys = []string{"format", "format_version", "gojammy_version", "pdf_defs", "flow_defs",
		"options_overwrite", "conditional_input_dim", "amortization_mlp_dims", "embedding_flags"}
	versionKeys = map[string][]string{
		"1": {oldChecksumKey}, "2": {oldChecksumKey, "amortization"}, "3": {oldChecksumKey, "amortization"},
		fileVersion4: {checksumKey},
	}
	optionalKeys = map[string][]string{fileVersion4: {"amortization"}}
)

type tensorInfo struct {
	DType       string  `json:"dtype"`
	Shape       []int64 `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

// fileHeader is the JSON header of a model file.
type fileHeader struct {
	Meta   map[string]string `json:"__metadata__"`
	Params *tensorInfo       `json:"params"`
}

// Save writes the model (definition, options, saved embedding flags and parameters) to w, as a
// version-4 model file.
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
	meta := map[string]string{
		"format":                fileFormat,
		"format_version":        fileVersion4,
		"gojammy_version":       Version,
		"pdf_defs":              p.pdfDefs,
		"flow_defs":             p.flowDefs,
		"options_overwrite":     string(opts),
		"conditional_input_dim": strconv.Itoa(p.cfg.ConditionalInputDim),
		"amortization_mlp_dims": p.cfg.AmortizationMLPDims,
		"embedding_flags":       string(flags),
	}
	if p.cfg.extendedConditioning() {
		amort, err := p.cfg.AmortizationJSON()
		if err != nil {
			return fmt.Errorf("save: %w", err)
		}
		meta["amortization"] = string(amort)
	}
	header := fileHeader{Meta: meta, Params: &tensorInfo{DType: "F64", Shape: []int64{int64(len(params))}, DataOffsets: []int64{0, int64(len(data))}}}
	sum, err := fileChecksum(header, data)
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	meta[checksumKey] = sum
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

// fileChecksum is the version-4 checksum: SHA-256 of the canonical header with an empty "sha256"
// followed by the parameter bytes.
func fileChecksum(header fileHeader, data []byte) (string, error) {
	meta := maps.Clone(header.Meta)
	meta[checksumKey] = ""
	h, err := json.Marshal(fileHeader{Meta: meta, Params: header.Params})
	if err != nil {
		return "", err
	}
	sum := sha256.New()
	sum.Write(h)
	sum.Write(data)
	return hex.EncodeToString(sum.Sum(nil)), nil
}

// Load reads a model written by Save (any format version). A truncated, corrupted or foreign
// file, or one with bytes after the parameters, gives an error; sizes are checked against the
// memory budget and the limits of spec before anything is built.
func Load(r io.Reader) (*PDF, error) {
	return load(r, -1)
}

// load is Load for a stream of known total length size (-1: unknown), which lets it refuse a
// file whose declared parameter count does not fit its length before reading it.
func load(r io.Reader, size int64) (*PDF, error) {
	var n uint64
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, fmt.Errorf("load: not a gojammy model file (no header): %w", err)
	}
	if n == 0 || n > maxHeaderLength || (size >= 0 && n > uint64(size-8)) {
		return nil, fmt.Errorf("load: not a gojammy model file (header length %d)", n)
	}
	h := make([]byte, n)
	if _, err := io.ReadFull(r, h); err != nil {
		return nil, fmt.Errorf("load: truncated header: %w", err)
	}
	header, err := parseHeader(h)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	count := header.Params.Shape[0]
	if size >= 0 && 8*count != size-8-int64(n) {
		return nil, fmt.Errorf("load: the header declares %d parameters (%d bytes) but the file has %d bytes after the header", count, 8*count, size-8-int64(n))
	}
	if err := CheckMemory(fmt.Sprintf("load: a file of %d parameters", count), count); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, 8*count+1)) // grows with what the stream has
	switch {
	case err != nil:
		return nil, fmt.Errorf("load: %w", err)
	case int64(len(data)) < 8*count:
		return nil, fmt.Errorf("load: truncated parameter data: %d of %d bytes", len(data), 8*count)
	case int64(len(data)) > 8*count:
		return nil, fmt.Errorf("load: unexpected bytes after the parameter data")
	}
	meta := header.Meta
	if meta["format_version"] == fileVersion4 {
		if sum, err := fileChecksum(header, data); err != nil || sum != meta[checksumKey] {
			return nil, fmt.Errorf("load: the model file is corrupted (checksum mismatch)")
		}
	} else if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != meta[oldChecksumKey] {
		return nil, fmt.Errorf("load: parameter data is corrupted (checksum mismatch)")
	}
	p, err := newFromHeader(meta)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	if int64(p.NumParams()) != count {
		return nil, fmt.Errorf("load: file has %d parameters, the model definition needs %d", count, p.NumParams())
	}
	params := make([]float64, count)
	for i := range params {
		params[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
	}
	if err := p.SetParams(params); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	return p, nil
}

// parseHeader decodes and checks a model file's JSON header: format, version, exactly the keys
// of that version, the params tensor, and for version 4 the canonical form.
func parseHeader(h []byte) (fileHeader, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(h, &top); err != nil {
		return fileHeader{}, fmt.Errorf("corrupted header: %w", err)
	}
	for key := range top {
		if key != "__metadata__" && key != "params" {
			return fileHeader{}, fmt.Errorf("corrupted header: unknown entry %q", key)
		}
	}
	var header fileHeader
	dec := json.NewDecoder(bytes.NewReader(h))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&header); err != nil {
		return fileHeader{}, fmt.Errorf("corrupted header: %w", err)
	}
	meta := header.Meta
	if meta["format"] != fileFormat {
		return fileHeader{}, fmt.Errorf("not a gojammy model file (format %q)", meta["format"])
	}
	version := meta["format_version"]
	required, ok := versionKeys[version]
	if !ok {
		return fileHeader{}, fmt.Errorf("model file format version %q is not supported (this gojammy reads versions 1 to %s)", version, fileVersion4)
	}
	required = append(slices.Clone(fileKeys), required...)
	for _, key := range required {
		if _, ok := meta[key]; !ok {
			return fileHeader{}, fmt.Errorf("corrupted header: missing key %q", key)
		}
	}
	for key := range meta {
		if !slices.Contains(required, key) && !slices.Contains(optionalKeys[version], key) {
			return fileHeader{}, fmt.Errorf("corrupted header: unknown key %q", key)
		}
	}
	t := header.Params
	if t == nil || t.DType != "F64" || len(t.Shape) != 1 || len(t.DataOffsets) != 2 || t.DataOffsets[0] != 0 ||
		t.Shape[0] < 0 || t.Shape[0] > math.MaxInt64/8 || t.DataOffsets[1] != 8*t.Shape[0] {
		return fileHeader{}, fmt.Errorf("corrupted header: bad params tensor description")
	}
	if version == fileVersion4 {
		canonical, err := json.Marshal(header)
		if err != nil || !bytes.Equal(canonical, h) {
			return fileHeader{}, fmt.Errorf("corrupted header: not in the canonical form gojammy writes")
		}
	}
	return header, nil
}

// newFromHeader builds the model a checked header describes.
func newFromHeader(meta map[string]string) (*PDF, error) {
	condDim, err := strconv.Atoi(meta["conditional_input_dim"])
	if err != nil || strconv.Itoa(condDim) != meta["conditional_input_dim"] {
		return nil, fmt.Errorf("corrupted header: conditional_input_dim %q", meta["conditional_input_dim"])
	}
	opts, err := spec.ParseOverridesJSON([]byte(meta["options_overwrite"]))
	if err != nil {
		return nil, err
	}
	var flags []bool
	if err := json.Unmarshal([]byte(meta["embedding_flags"]), &flags); err != nil || flags == nil {
		return nil, fmt.Errorf("corrupted header: embedding_flags %q", meta["embedding_flags"])
	}
	cfg := DefaultConfig()
	cfg.Options, cfg.ConditionalInputDim, cfg.AmortizationMLPDims, cfg.EmbeddingFlags = opts, condDim, meta["amortization_mlp_dims"], flags
	if amort, ok := meta["amortization"]; ok {
		if err := cfg.SetAmortizationJSON([]byte(amort)); err != nil {
			return nil, fmt.Errorf("corrupted header: %w", err)
		}
	}
	return New(meta["pdf_defs"], meta["flow_defs"], cfg)
}

// SaveFile writes the model to path atomically and durably: a temporary file in the directory
// of the file it replaces, written, fsynced and renamed into place, then the directory fsynced;
// an interrupted save never leaves a half-written model. A new file gets mode 0666 minus the
// umask, a replaced file keeps its mode. A symbolic link at path is followed: the file it points
// to is replaced and the link stays (a dangling link is an error).
func SaveFile(path string, p *PDF) error {
	if err := saveFile(path, p); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}

func saveFile(path string, p *PDF) error {
	target, mode, err := saveTarget(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(target)
	tmp, err := createTemp(dir)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = Save(tmp, p)
	if err == nil && mode != 0 {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// saveTarget resolves the file SaveFile replaces (following symbolic links) and returns its
// permission bits (0 if it does not exist yet).
func saveTarget(path string) (string, os.FileMode, error) {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, 0, nil
	}
	if err != nil {
		return "", 0, err
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		if path, err = filepath.EvalSymlinks(path); err != nil {
			return "", 0, fmt.Errorf("a symbolic link whose target cannot be resolved: %w", err)
		}
		if info, err = os.Stat(path); err != nil {
			return "", 0, err
		}
	}
	if !info.Mode().IsRegular() {
		return "", 0, fmt.Errorf("not a regular file (%v)", info.Mode().Type())
	}
	return path, info.Mode().Perm(), nil
}

// createTemp creates a new temporary file in dir with mode 0666 minus the umask (os.CreateTemp
// would force 0600).
func createTemp(dir string) (*os.File, error) {
	for range 100 {
		name := filepath.Join(dir, fmt.Sprintf(".gojammy-%d-%016x.tmp", os.Getpid(), rand.Uint64()))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("could not create a temporary file in %s", dir)
}

// LoadFile reads a model from path; a file whose length disagrees with its header is refused
// before it is read.
func LoadFile(path string) (*PDF, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	defer f.Close()
	size := int64(-1)
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
		size = info.Size()
	}
	p, err := load(f, size)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return p, nil
}
