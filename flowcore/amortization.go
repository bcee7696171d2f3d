package flowcore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/gojammy/gojammy/flowcore/nn"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// conditioning is a Config's conditioning resolved per sub-manifold.
type conditioning struct {
	// dims[k] and offs[k] are the width and first column of sub-manifold k's conditional input
	// in a conditional row of width width (int form: every sub-manifold sees the whole row).
	dims, offs []int
	width      int
	// hidden[k] are the hidden widths of sub-manifold k's MLP, ranks[k] its ranks (custom mode).
	hidden [][]int
	ranks  []string
}

// resolveConditioning checks cfg's conditioning settings for n sub-manifolds and spreads them
// over the sub-manifolds.
func resolveConditioning(cfg Config, n int) (conditioning, error) {
	dims, err := conditionalDims(cfg, n)
	if err != nil {
		return conditioning{}, err
	}
	c := conditioning{dims: dims, offs: make([]int, n), width: cfg.ConditionalInputDim}
	if cfg.ConditionalInputDims != nil {
		for k, d := range dims {
			c.offs[k] = c.width
			c.width += d
		}
	}
	if cfg.AmortizationMLPHighwayMode < 0 || cfg.AmortizationMLPHighwayMode > 4 {
		return c, fmt.Errorf("amortization_mlp_highway_mode must be 0, 1, 2, 3 or 4, got %d", cfg.AmortizationMLPHighwayMode)
	}
	hidden, err := perSubManifold("amortization_mlp_dims", cfg.AmortizationMLPDims, cfg.AmortizationMLPDimsList, n)
	if err != nil {
		return c, err
	}
	for k, h := range hidden {
		widths, err := nn.ParseHidden(h)
		if err != nil {
			return c, fmt.Errorf("sub-manifold %d: %w", k, err)
		}
		c.hidden = append(c.hidden, widths)
	}
	c.ranks, err = perSubManifold("amortization_mlp_ranks", cfg.AmortizationMLPRanks, cfg.AmortizationMLPRanksList, n)
	return c, err
}

// conditionalDims returns the width of every sub-manifold's conditional input.
func conditionalDims(cfg Config, n int) ([]int, error) {
	cd := cfg.ConditionalInputDim
	if cd < 0 {
		return nil, fmt.Errorf("conditional_input_dim must be >= 0 (0 or None = unconditional), got %d", cd)
	}
	if err := spec.CheckInt("conditional_input_dim", cd, spec.MaxDim); err != nil {
		return nil, err
	}
	if cfg.ConditionalInputDims == nil {
		dims := make([]int, n)
		for k := range dims {
			dims[k] = cd
		}
		return dims, nil
	}
	if cd != 0 {
		return nil, fmt.Errorf("conditional_input_dim: give one int or a list with one entry per sub-manifold, not both")
	}
	if len(cfg.ConditionalInputDims) != n {
		return nil, fmt.Errorf("conditional_input_dim: a list needs one entry per sub-manifold (%d), got %d", n, len(cfg.ConditionalInputDims))
	}
	for k, d := range cfg.ConditionalInputDims {
		if d < 0 {
			return nil, fmt.Errorf("conditional_input_dim[%d] must be >= 0 or None (no conditional input), got %d", k, d)
		}
		if err := spec.CheckInt(fmt.Sprintf("conditional_input_dim[%d]", k), d, spec.MaxDim); err != nil {
			return nil, err
		}
	}
	return cfg.ConditionalInputDims, nil
}

// perSubManifold returns list (checked to have n entries) or one, repeated n times.
func perSubManifold(name, one string, list []string, n int) ([]string, error) {
	if list == nil {
		out := make([]string, n)
		for k := range out {
			out[k] = one
		}
		return out, nil
	}
	if len(list) != n {
		return nil, fmt.Errorf("%s: a list needs one entry per sub-manifold (%d), got %d", name, n, len(list))
	}
	return list, nil
}

// newMLP builds sub-manifold k's conditioning MLP from in inputs to out layer parameters.
func (c conditioning) newMLP(cfg Config, k, in, out int) (*nn.MLP, error) {
	return newCustomOrPlainMLP(fmt.Sprintf("sub-manifold %d", k), cfg.AmortizationMLPUseCustomMode, in, c.hidden[k], out, c.ranks[k], cfg.AmortizationMLPHighwayMode)
}

// amortizationJSON is the JSON form of a Config's conditioning settings, with jammy_flows'
// keyword names; every field is optional.
type amortizationJSON struct {
	ConditionalInputDim json.RawMessage     `json:"conditional_input_dim,omitempty"`
	MLPDims             json.RawMessage     `json:"amortization_mlp_dims,omitempty"`
	UseCustomMode       *bool               `json:"amortization_mlp_use_custom_mode,omitempty"`
	Ranks               json.RawMessage     `json:"amortization_mlp_ranks,omitempty"`
	HighwayMode         *int                `json:"amortization_mlp_highway_mode,omitempty"`
	AmortizeEverything  *bool               `json:"amortize_everything,omitempty"`
	PredictLogNorm      *bool               `json:"predict_log_normalization,omitempty"`
	JoinPoisson         *bool               `json:"join_poisson_and_pdf_description,omitempty"`
	HiddenPoisson       json.RawMessage     `json:"hidden_mlp_dims_poisson,omitempty"`
	RankPoisson         json.RawMessage     `json:"rank_of_mlp_mappings_poisson,omitempty"`
	FullyAmortized      *fullyAmortizedJSON `json:"fully_amortized_pdf,omitempty"`
}

// fullyAmortizedJSON holds the keyword arguments of jammy_flows' fully_amortized_pdf beyond its
// definitions (absent keys take upstream's defaults).
type fullyAmortizedJSON struct {
	ConditionalInputDim *int            `json:"conditional_input_dim"`
	InnerDims           json.RawMessage `json:"inner_mlp_dims_sub_pdfs,omitempty"`
	InnerRanks          json.RawMessage `json:"inner_mlp_ranks,omitempty"`
	InnerHighway        *int            `json:"inner_mlp_highway_mode,omitempty"`
	MLPDims             json.RawMessage `json:"amortization_mlp_dims,omitempty"`
	UseCustomMode       *bool           `json:"amortization_mlp_use_custom_mode,omitempty"`
	Ranks               json.RawMessage `json:"amortization_mlp_ranks,omitempty"`
	HighwayMode         *int            `json:"amortization_mlp_highway_mode,omitempty"`
}

// AmortizationJSON returns c's conditioning settings as one JSON object with jammy_flows' keyword
// names and forms: conditional_input_dim (an int, or a list with null for 0),
// amortization_mlp_dims (a string or a list of strings), amortization_mlp_use_custom_mode,
// amortization_mlp_ranks (an int, a dash string, or a list of those),
// amortization_mlp_highway_mode, amortize_everything, the Poisson head's
// predict_log_normalization, join_poisson_and_pdf_description, hidden_mlp_dims_poisson and
// rank_of_mlp_mappings_poisson; a fully amortized PDF is one key fully_amortized_pdf holding the
// keyword arguments of jammy_flows' fully_amortized_pdf. SetAmortizationJSON reads it back.
func (c Config) AmortizationJSON() ([]byte, error) {
	if c.FullyAmortized != nil {
		return c.fullyAmortizedJSON()
	}
	var a amortizationJSON
	var err error
	if c.ConditionalInputDims != nil {
		list := make([]*int, len(c.ConditionalInputDims))
		for k, d := range c.ConditionalInputDims {
			if d > 0 {
				list[k] = &c.ConditionalInputDims[k]
			}
		}
		a.ConditionalInputDim, err = json.Marshal(list)
	} else {
		a.ConditionalInputDim, err = json.Marshal(c.ConditionalInputDim)
	}
	if err != nil {
		return nil, err
	}
	if a.MLPDims, err = oneOrList(c.AmortizationMLPDims, c.AmortizationMLPDimsList, json.Marshal); err != nil {
		return nil, err
	}
	if a.Ranks, err = oneOrList(c.AmortizationMLPRanks, c.AmortizationMLPRanksList, rankJSON); err != nil {
		return nil, err
	}
	a.UseCustomMode, a.HighwayMode = &c.AmortizationMLPUseCustomMode, &c.AmortizationMLPHighwayMode
	a.AmortizeEverything, a.PredictLogNorm, a.JoinPoisson = &c.AmortizeEverything, &c.PredictLogNormalization, &c.JoinPoissonAndPDFDescription
	if a.HiddenPoisson, err = json.Marshal(c.HiddenMLPDimsPoisson); err != nil {
		return nil, err
	}
	if a.RankPoisson, err = rankJSON(c.RankOfMLPMappingsPoisson); err != nil {
		return nil, err
	}
	return json.Marshal(a)
}

// fullyAmortizedJSON writes a fully amortized PDF's settings as fully_amortized_pdf's keyword
// arguments.
func (c Config) fullyAmortizedJSON() ([]byte, error) {
	o := c.FullyAmortized
	f := fullyAmortizedJSON{ConditionalInputDim: &o.ConditionalInputDim, InnerHighway: &c.AmortizationMLPHighwayMode,
		UseCustomMode: &o.UseCustomMode, HighwayMode: &o.HighwayMode}
	var err error
	if f.InnerDims, err = oneOrList(c.AmortizationMLPDims, c.AmortizationMLPDimsList, json.Marshal); err != nil {
		return nil, err
	}
	if f.InnerRanks, err = oneOrList(c.AmortizationMLPRanks, c.AmortizationMLPRanksList, rankJSON); err != nil {
		return nil, err
	}
	if f.MLPDims, err = json.Marshal(o.MLPDims); err != nil {
		return nil, err
	}
	if f.Ranks, err = rankJSON(o.Ranks); err != nil {
		return nil, err
	}
	return json.Marshal(amortizationJSON{FullyAmortized: &f})
}

// setFullyAmortized makes c a fully amortized PDF with fully_amortized_pdf's keyword arguments f
// (upstream's defaults for the absent ones).
func (c *Config) setFullyAmortized(f *fullyAmortizedJSON) error {
	if f.ConditionalInputDim == nil {
		return fmt.Errorf("fully_amortized_pdf: conditional_input_dim must be an int")
	}
	d := FullyAmortizedConfig(*f.ConditionalInputDim)
	d.Options, d.EmbeddingFlags = c.Options, c.EmbeddingFlags
	*c = d
	o := c.FullyAmortized
	for _, s := range []struct {
		name      string
		raw       json.RawMessage
		one       *string
		list      *[]string
		allowList bool
	}{
		{"inner_mlp_dims_sub_pdfs", f.InnerDims, &c.AmortizationMLPDims, &c.AmortizationMLPDimsList, true},
		{"inner_mlp_ranks", f.InnerRanks, &c.AmortizationMLPRanks, &c.AmortizationMLPRanksList, true},
		{"amortization_mlp_dims", f.MLPDims, &o.MLPDims, nil, false},
		{"amortization_mlp_ranks", f.Ranks, &o.Ranks, nil, false},
	} {
		if s.raw == nil {
			continue
		}
		if !s.allowList {
			v, ok := scalarString(s.raw)
			if !ok {
				return fmt.Errorf("fully_amortized_pdf %s: expected a string or an int, got %s", s.name, s.raw)
			}
			*s.one = v
			continue
		}
		if err := setOneOrList("fully_amortized_pdf "+s.name, s.raw, s.one, s.list); err != nil {
			return err
		}
	}
	if f.InnerHighway != nil {
		c.AmortizationMLPHighwayMode = *f.InnerHighway
	}
	if f.UseCustomMode != nil {
		o.UseCustomMode = *f.UseCustomMode
	}
	if f.HighwayMode != nil {
		o.HighwayMode = *f.HighwayMode
	}
	return nil
}

// oneOrList encodes a per-sub-manifold list when it is set, else the single value, with enc for
// each value.
func oneOrList(one string, list []string, enc func(any) ([]byte, error)) (json.RawMessage, error) {
	if list == nil {
		return enc(one)
	}
	out := make([]json.RawMessage, len(list))
	for k, v := range list {
		b, err := enc(v)
		if err != nil {
			return nil, err
		}
		out[k] = b
	}
	return json.Marshal(out)
}

// rankJSON writes a rank setting that is one integer as a JSON number, a dash list as a string.
func rankJSON(v any) ([]byte, error) {
	s := v.(string)
	if s == "" {
		s = "0"
	}
	if r, err := strconv.Atoi(s); err == nil {
		return json.Marshal(r)
	}
	return json.Marshal(s)
}

// SetAmortizationJSON sets the conditioning settings present in the JSON object data (the form
// AmortizationJSON writes; absent keys leave c unchanged). A list conditional_input_dim may hold
// null (or 0) for sub-manifolds without a conditional input; amortization_mlp_ranks entries may
// be ints or dash strings.
func (c *Config) SetAmortizationJSON(data []byte) error {
	var a amortizationJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return fmt.Errorf("amortization settings: %w", err)
	}
	if a.FullyAmortized != nil {
		rest := a
		rest.FullyAmortized = nil
		if b, err := json.Marshal(rest); err != nil || string(b) != "{}" {
			return fmt.Errorf("fully_amortized_pdf: give its settings inside it, not beside it (got %s beside it)", b)
		}
	}
	if a.ConditionalInputDim != nil {
		if err := c.setConditionalJSON(a.ConditionalInputDim); err != nil {
			return err
		}
	}
	if a.MLPDims != nil {
		if err := setOneOrList("amortization_mlp_dims", a.MLPDims, &c.AmortizationMLPDims, &c.AmortizationMLPDimsList); err != nil {
			return err
		}
	}
	if a.Ranks != nil {
		if err := setOneOrList("amortization_mlp_ranks", a.Ranks, &c.AmortizationMLPRanks, &c.AmortizationMLPRanksList); err != nil {
			return err
		}
	}
	if a.UseCustomMode != nil {
		c.AmortizationMLPUseCustomMode = *a.UseCustomMode
	}
	if a.HighwayMode != nil {
		c.AmortizationMLPHighwayMode = *a.HighwayMode
	}
	return c.setHeadsJSON(a)
}

// setHeadsJSON sets amortize_everything, the Poisson head and fully_amortized_pdf from a.
func (c *Config) setHeadsJSON(a amortizationJSON) error {
	for _, b := range []struct {
		v   *bool
		dst *bool
	}{{a.AmortizeEverything, &c.AmortizeEverything}, {a.PredictLogNorm, &c.PredictLogNormalization}, {a.JoinPoisson, &c.JoinPoissonAndPDFDescription}} {
		if b.v != nil {
			*b.dst = *b.v
		}
	}
	for _, s := range []struct {
		name string
		raw  json.RawMessage
		dst  *string
	}{{"hidden_mlp_dims_poisson", a.HiddenPoisson, &c.HiddenMLPDimsPoisson}, {"rank_of_mlp_mappings_poisson", a.RankPoisson, &c.RankOfMLPMappingsPoisson}} {
		if s.raw == nil {
			continue
		}
		v, ok := scalarString(s.raw)
		if !ok {
			return fmt.Errorf("%s: expected a string or an int, got %s", s.name, s.raw)
		}
		*s.dst = v
	}
	if a.FullyAmortized != nil {
		return c.setFullyAmortized(a.FullyAmortized)
	}
	return nil
}

// setConditionalJSON reads conditional_input_dim: null, an int or a list of ints and nulls.
func (c *Config) setConditionalJSON(raw json.RawMessage) error {
	var one *int
	if err := json.Unmarshal(raw, &one); err == nil {
		c.ConditionalInputDims, c.ConditionalInputDim = nil, 0
		if one != nil {
			c.ConditionalInputDim = *one
		}
		return nil
	}
	var list []*int
	if err := json.Unmarshal(raw, &list); err != nil || list == nil {
		return fmt.Errorf("conditional_input_dim: expected null, an int or a list of ints and nulls, got %s", raw)
	}
	c.ConditionalInputDim, c.ConditionalInputDims = 0, make([]int, len(list))
	for k, d := range list {
		if d != nil {
			c.ConditionalInputDims[k] = *d
		}
	}
	return nil
}

// setOneOrList reads a setting given as one value (a string or an int) or as a list of them.
func setOneOrList(name string, raw json.RawMessage, one *string, list *[]string) error {
	if v, ok := scalarString(raw); ok {
		*one, *list = v, nil
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return fmt.Errorf("%s: expected a string, an int or a list of those, got %s", name, raw)
	}
	*list = make([]string, len(items))
	for k, it := range items {
		v, ok := scalarString(it)
		if !ok {
			return fmt.Errorf("%s[%d]: expected a string or an int, got %s", name, k, it)
		}
		(*list)[k] = v
	}
	return nil
}

// scalarString returns a JSON string, or a JSON integer in decimal.
func scalarString(raw json.RawMessage) (string, bool) {
	if string(bytes.TrimSpace(raw)) == "null" {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var i int
	if json.Unmarshal(raw, &i) == nil {
		return strconv.Itoa(i), true
	}
	return "", false
}

// extendedConditioning reports whether c uses conditioning settings beyond an int
// conditional_input_dim and one amortization_mlp_dims string (the model file's version 1).
func (c Config) extendedConditioning() bool {
	d := DefaultConfig()
	return c.ConditionalInputDims != nil || c.AmortizationMLPDimsList != nil || c.AmortizationMLPUseCustomMode ||
		(c.AmortizationMLPRanks != d.AmortizationMLPRanks && c.AmortizationMLPRanks != "") ||
		c.AmortizationMLPRanksList != nil || c.AmortizationMLPHighwayMode != 0 || c.headsSet()
}

// headsSet reports whether c uses amortize_everything, fully_amortized_pdf or the Poisson head
// (settings of the model file's version 3).
func (c Config) headsSet() bool {
	d := DefaultConfig()
	return c.AmortizeEverything || c.FullyAmortized != nil || c.PredictLogNormalization || c.JoinPoissonAndPDFDescription ||
		c.HiddenMLPDimsPoisson != d.HiddenMLPDimsPoisson || c.RankOfMLPMappingsPoisson != d.RankOfMLPMappingsPoisson
}
