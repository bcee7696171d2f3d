package coverage

import (
	"fmt"
	"slices"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// model is what a scan needs of a PDF; every point is in intrinsic coordinates, and every
// log-density is with respect to the natural volume of the manifold (solid angle on S2, arc
// length on S1), the measure in which densities of different points can be compared.
type model interface {
	defs() []spec.ManifoldDef
	condDim() int
	// sample draws n points for one conditional row (nil for an unconditional PDF).
	sample(n int, cond []float64, seed uint64) (x, logp []float64, err error)
	// logDensity evaluates n points for one conditional row (nil for an unconditional PDF).
	logDensity(x []float64, n int, cond []float64) ([]float64, error)
}

// pdfModel adapts a *flowcore.PDF.
type pdfModel struct{ p *flowcore.PDF }

func (m pdfModel) defs() []spec.ManifoldDef { return m.p.ManifoldDefs() }
func (m pdfModel) condDim() int             { return m.p.ConditionalDim() }

func (m pdfModel) sample(n int, cond []float64, seed uint64) ([]float64, []float64, error) {
	s, err := m.sampleAt(n, cond, seed)
	if err != nil {
		return nil, nil, err
	}
	return s.X, s.LogPDF, m.toNaturalVolume(s.X, n, s.LogPDF)
}

func (m pdfModel) logDensity(x []float64, n int, cond []float64) ([]float64, error) {
	d, err := m.logDensityAt(x, n, cond)
	if err != nil {
		return nil, err
	}
	return d.LogPDF, m.toNaturalVolume(x, n, d.LogPDF)
}

// sampleAt draws n points for one conditional row (the conditioning networks run once per block).
func (m pdfModel) sampleAt(n int, cond []float64, seed uint64) (flowcore.Samples, error) {
	if cond == nil {
		return m.p.Sample(n, nil, seed, flowcore.IntrinsicCoords)
	}
	return m.p.SampleAt(n, cond, seed, flowcore.IntrinsicCoords)
}

// logDensityAt evaluates n points for one conditional row.
func (m pdfModel) logDensityAt(x []float64, n int, cond []float64) (flowcore.Density, error) {
	if cond == nil {
		return m.p.LogDensity(x, n, nil, flowcore.IntrinsicCoords)
	}
	return m.p.LogDensityAt(x, n, cond, flowcore.IntrinsicCoords)
}

// toNaturalVolume turns log-densities in intrinsic coordinates into log-densities with respect
// to the embedding volume (it removes log sin θ on S2).
func (m pdfModel) toNaturalVolume(x []float64, n int, logp []float64) error {
	if !slices.ContainsFunc(m.defs(), isS2) {
		return nil
	}
	_, logDet, err := m.p.TransformTargetSpace(x, n, flowcore.IntrinsicCoords, flowcore.EmbeddingCoords)
	if err != nil {
		return err
	}
	for i := range logp {
		logp[i] -= logDet[i]
	}
	return nil
}

func isS2(d spec.ManifoldDef) bool { return d.Kind == spec.Sphere && d.Dim == 2 }

// checkCond splits conditional rows: it returns the number of rows of cond.
func checkCond(m model, cond []float64) (int, error) {
	cd := m.condDim()
	switch {
	case cd == 0 && cond != nil:
		return 0, fmt.Errorf("conditional_input: the PDF is unconditional, got %d values", len(cond))
	case cd > 0 && (cond == nil || len(cond)%cd != 0):
		return 0, fmt.Errorf("conditional_input: need rows of %d values for a conditional PDF, got %d values", cd, len(cond))
	case cd == 0:
		return 0, nil
	}
	return len(cond) / cd, nil
}
