// Package spec parses gojammy's definition strings (pdf_defs, flow_defs) and layer options, with
// jammy_flows' grammar, defaults and override precedence.
package spec

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Manifold kinds, as the first letter of a pdf_defs part.
const (
	Euclidean = 'e'
	Sphere    = 's'
	Interval  = 'i'
	Simplex   = 'a'
)

// ManifoldDef is one parsed part of pdf_defs, such as "e2", "s2" or "i1_-3.0_3.0".
type ManifoldDef struct {
	// Kind is one of Euclidean, Sphere, Interval, Simplex.
	Kind byte
	// Dim is the intrinsic dimension.
	Dim int
	// Low and High bound an interval (default 0 and 1); unused for other kinds.
	Low, High float64
	// Text is the part as written.
	Text string
}

// ParsePDFDefs parses a pdf_defs string such as "e2+s2+i1_-1.0_2.0".
func ParsePDFDefs(s string) ([]ManifoldDef, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("pdf_defs: empty definition; expected parts like \"e2\", \"s2\" or \"i1_0.0_1.0\" joined by '+'")
	}
	var defs []ManifoldDef
	total := 0
	for k, part := range strings.Split(s, "+") {
		d, err := parseManifold(part)
		if err != nil {
			return nil, fmt.Errorf("pdf_defs part %d %q: %w", k, part, err)
		}
		if total += d.Dim; total > MaxDim {
			return nil, fmt.Errorf("pdf_defs: the total dimension exceeds gojammy's limit of %d", MaxDim)
		}
		defs = append(defs, d)
	}
	return defs, nil
}

func parseManifold(part string) (ManifoldDef, error) {
	const forms = "expected e<d> (d>=1), s1, s2, i1, i1_<low>_<high> or a<d>"
	if len(part) < 2 {
		return ManifoldDef{}, fmt.Errorf("too short; %s", forms)
	}
	d := ManifoldDef{Kind: part[0], Text: part, Low: 0, High: 1}
	fields := strings.Split(part[1:], "_")
	dim, err := strconv.Atoi(fields[0])
	if err != nil || dim < 1 {
		return ManifoldDef{}, fmt.Errorf("dimension %q is not a positive integer; %s", fields[0], forms)
	}
	if err := CheckInt("dimension", dim, MaxDim); err != nil {
		return ManifoldDef{}, err
	}
	d.Dim = dim
	switch d.Kind {
	case Euclidean, Simplex:
	case Sphere:
		if dim > 2 {
			return ManifoldDef{}, fmt.Errorf("only s1 and s2 are supported")
		}
	case Interval:
		if dim != 1 {
			return ManifoldDef{}, fmt.Errorf("intervals are one-dimensional (i1)")
		}
		switch len(fields) {
		case 1:
		case 3:
			lo, err1 := strconv.ParseFloat(fields[1], 64)
			hi, err2 := strconv.ParseFloat(fields[2], 64)
			if err1 != nil || err2 != nil || !(lo < hi) {
				return ManifoldDef{}, fmt.Errorf("bounds must be two numbers low < high, as in i1_-3.0_3.0")
			}
			if math.IsInf(hi-lo, 0) {
				return ManifoldDef{}, fmt.Errorf("bounds must be finite, with a finite width high - low (got %g and %g)", lo, hi)
			}
			d.Low, d.High = lo, hi
		default:
			return ManifoldDef{}, fmt.Errorf("interval bounds must be given as i1_<low>_<high>")
		}
		return d, nil
	default:
		return ManifoldDef{}, fmt.Errorf("unknown manifold %q; %s", string(d.Kind), forms)
	}
	if len(fields) != 1 {
		return ManifoldDef{}, fmt.Errorf("only intervals take a '_' suffix; %s", forms)
	}
	return d, nil
}

// ParseFlowDefs splits flow_defs ("gg+m+f") into one letter string per manifold. validLetters gives
// the letters allowed on each manifold kind; every letter is checked against its manifold.
func ParseFlowDefs(s string, manifolds []ManifoldDef, validLetters func(kind byte) string) ([]string, error) {
	parts := strings.Split(s, "+")
	if len(parts) != len(manifolds) {
		return nil, fmt.Errorf("flow_defs %q has %d '+'-separated parts but pdf_defs has %d; give one part of layer letters per manifold", s, len(parts), len(manifolds))
	}
	for k, p := range parts {
		allowed := validLetters(manifolds[k].Kind)
		if len(p) > MaxLayers {
			return nil, fmt.Errorf("flow_defs part %d has %d layers, beyond gojammy's limit of %d per sub-manifold", k, len(p), MaxLayers)
		}
		if p == "" {
			return nil, fmt.Errorf("flow_defs part %d is empty; give at least one layer letter from %q for %s", k, allowed, manifolds[k].Text)
		}
		for _, r := range p {
			if !strings.ContainsRune(allowed, r) {
				return nil, fmt.Errorf("flow_defs part %d %q: layer %q is not available on manifold %s; allowed letters: %q", k, p, string(r), manifolds[k].Text, allowed)
			}
		}
	}
	return parts, nil
}
