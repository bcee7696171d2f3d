package coverage

import (
	"fmt"
	"math"
	"slices"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// DefaultConditioningSamples is the number of samples of the earlier sub-manifolds that average
// the marginal of a later one when Options.ConditioningSamples is 0.
const DefaultConditioningSamples = 200

// marginalBlockRows bounds the rows of one log-density call of a marginal scan (grid or mesh
// points times conditioning samples), to bound its memory.
const marginalBlockRows = 1 << 16

// jointModel is a model whose log-density splits into the autoregressive factors of its
// sub-manifolds.
type jointModel interface {
	model
	// subLogDensity evaluates the factors log p_k(x_k | x_<k) of n points (n x NumSubManifolds,
	// intrinsic coordinates) for one conditional row.
	subLogDensity(x []float64, n int, row []float64) ([]float64, error)
}

func (m pdfModel) subLogDensity(x []float64, n int, row []float64) ([]float64, error) {
	var cond []float64
	if row != nil {
		cond = slices.Repeat(row, n)
	}
	return subLogDensityInto(m.p, x, n, cond, nil)
}

func (m amortizedModel) subLogDensity(x []float64, n int, row []float64) ([]float64, error) {
	cond, amort := m.split(row, n)
	return subLogDensityInto(m.p, x, n, cond, amort)
}

// subLogDensityInto evaluates the sub-manifold factors of n points with per-point conditional
// inputs and amortization parameters (nil where the PDF takes none).
func subLogDensityInto(p *flowcore.PDF, x []float64, n int, cond, amort []float64) ([]float64, error) {
	sub := make([]float64, n*p.NumSubManifolds())
	err := p.LogDensityInto(flowcore.Density{SubLogPDF: sub}, x, n, cond, amort, flowcore.IntrinsicCoords)
	return sub, err
}

// marginalModel is the marginal PDF of sub-manifold k of a joint model,
//
//	p_k(x_k) = E_{x_<k ~ p}[ p_k(x_k | x_<k) ],
//
// estimated for every conditional row as the mean of the factor p_k over conditioning samples of
// the joint PDF (Rao–Blackwellized: exact as their number grows; the factor of sub-manifold 0
// does not depend on the other parts, so its marginal is exact with a single sample that only
// fills the other coordinates). The conditioning samples of a row are drawn with a fixed seed,
// so that the scan and the labels of the row see the same estimate.
type marginalModel struct {
	joint jointModel
	k     int
	// off and width locate the sub-manifold's columns in a joint point (intrinsic coordinates);
	// dim is the joint dimension.
	off, width, dim int
	// conditioning is the number of conditioning samples, seed their seed.
	conditioning int
	seed         uint64
}

// newMarginalModel checks the sub-manifold index k and builds the marginal model.
func newMarginalModel(joint jointModel, k, conditioning int, seed uint64) (marginalModel, error) {
	defs := joint.defs()
	if k < 0 || k >= len(defs) {
		return marginalModel{}, fmt.Errorf("sub_manifolds: sub-manifold %d is out of range for a PDF of %d sub-manifolds", k, len(defs))
	}
	if conditioning == 0 {
		conditioning = DefaultConditioningSamples
	}
	if conditioning < 1 {
		return marginalModel{}, fmt.Errorf("conditioning samples: must be >= 1 (or 0 for the default %d), got %d", DefaultConditioningSamples, conditioning)
	}
	if k == 0 {
		conditioning = 1
	}
	m := marginalModel{joint: joint, k: k, width: defs[k].Dim, conditioning: conditioning, seed: seed}
	for i, d := range defs {
		if i < k {
			m.off += d.Dim
		}
		m.dim += d.Dim
	}
	return m, nil
}

func (m marginalModel) defs() []spec.ManifoldDef { return m.joint.defs()[m.k : m.k+1] }
func (m marginalModel) condDim() int             { return m.joint.condDim() }

// part extracts the sub-manifold's columns of n joint points.
func (m marginalModel) part(x []float64, n int) []float64 {
	out := make([]float64, 0, n*m.width)
	for i := range n {
		out = append(out, x[i*m.dim+m.off:i*m.dim+m.off+m.width]...)
	}
	return out
}

// sample draws n joint points and returns their sub-manifold parts; they only guide a grid or
// mesh, so no log-densities are returned.
func (m marginalModel) sample(n int, cond []float64, seed uint64) ([]float64, []float64, error) {
	x, _, err := m.joint.sample(n, cond, seed)
	if err != nil {
		return nil, nil, err
	}
	return m.part(x, n), nil, nil
}

// logDensity is the marginal log-density (natural volume) of n points of the sub-manifold: the
// log of the mean of exp(log p_k(x_k | x_<k)) over the conditioning samples, evaluated in blocks
// of all conditioning copies of a few points.
func (m marginalModel) logDensity(x []float64, n int, cond []float64) ([]float64, error) {
	given, _, err := m.joint.sample(m.conditioning, cond, m.seed)
	if err != nil {
		return nil, err
	}
	nsub, s2 := len(m.joint.defs()), isS2(m.joint.defs()[m.k])
	per := max(1, marginalBlockRows/m.conditioning) // points per block
	out := make([]float64, n)
	terms := make([]float64, m.conditioning)
	for lo := 0; lo < n; lo += per {
		hi := min(n, lo+per)
		rows := make([]float64, 0, (hi-lo)*m.conditioning*m.dim)
		for i := lo; i < hi; i++ {
			for j := range m.conditioning {
				start := len(rows)
				rows = append(rows, given[j*m.dim:(j+1)*m.dim]...)
				copy(rows[start+m.off:start+m.off+m.width], x[i*m.width:(i+1)*m.width])
			}
		}
		sub, err := m.joint.subLogDensity(rows, (hi-lo)*m.conditioning, cond)
		if err != nil {
			return nil, err
		}
		for i := range hi - lo {
			for j := range terms {
				terms[j] = sub[(i*m.conditioning+j)*nsub+m.k]
			}
			out[lo+i] = ad.LogSumExpF(terms) - math.Log(float64(len(terms))) // log of the mean
			if s2 {
				// to solid angle: the factor is per dθ dφ (see flowcore.PDF.TransformTargetSpace)
				out[lo+i] -= math.Log(math.Sin(x[(lo+i)*m.width]))
			}
		}
	}
	return out, nil
}

// Marginal scans the marginal PDF of sub-manifold sub of p once per conditional row of cond
// (once if p is unconditional), as Run scans the whole PDF, and computes the exact HPD coverage
// of the sub-manifold parts of the n labels (points of the whole PDF in coordinates
// labelCoords; labels may be nil with n = 0) under that marginal. The marginal of sub-manifold 0
// is its own factor of the autoregressive PDF; that of a later one is the mean of its
// conditional factor over Options.ConditioningSamples samples of the PDF. The sub-manifold must
// have a grid or a mesh: Euclidean, interval and s1 parts of at most 3 dimensions (Grid) or s2
// (HEALPix); the scan's positions, MAP and contours are in its intrinsic coordinates.
func Marginal(p *flowcore.PDF, sub int, labels []float64, n int, labelCoords flowcore.Coords, cond []float64, opt Options) (Result, error) {
	labels, err := intrinsicLabels(p, labels, n, labelCoords)
	if err != nil {
		return Result{}, err
	}
	return marginal(pdfModel{p}, sub, labels, n, cond, opt)
}

// MarginalAmortized is Marginal for an amortize-everything PDF, with its rows of amortization
// parameters as in RunAmortized.
func MarginalAmortized(p *flowcore.PDF, sub int, labels []float64, n int, labelCoords flowcore.Coords, cond, amort []float64, opt Options) (Result, error) {
	joined, err := amortizedRows(p, cond, amort)
	if err != nil {
		return Result{}, err
	}
	if labels, err = intrinsicLabels(p, labels, n, labelCoords); err != nil {
		return Result{}, err
	}
	return marginal(amortizedModel{pdfModel{p}}, sub, labels, n, joined, opt)
}

// marginal scans the marginal of sub-manifold sub of joint, with n labels of the joint model in
// intrinsic coordinates.
func marginal(joint jointModel, sub int, labels []float64, n int, cond []float64, opt Options) (Result, error) {
	m, err := newMarginalModel(joint, sub, opt.ConditioningSamples, opt.Seed^0x5851f42d4c957f2d)
	if err != nil {
		return Result{}, err
	}
	if opt.Method == Sampling {
		return Result{}, fmt.Errorf("method sampling: marginal scans need cells (grid or healpix)")
	}
	d := m.defs()[0]
	if opt, err = opt.resolve(m.defs(), m.width); err != nil {
		return Result{}, err
	}
	if opt.Method == Sampling {
		return Result{}, fmt.Errorf("sub_manifolds: sub-manifold %d (%s) has no marginal scan: it needs a Euclidean, interval or s1 part of at most 3 dimensions, or s2", sub, d.Text)
	}
	if n > 0 {
		if len(labels) != n*m.dim {
			return Result{}, fmt.Errorf("labels: got %d values for %d rows of dimension %d", len(labels), n, m.dim)
		}
		labels = m.part(labels, n)
	}
	return run(m, labels, n, cond, opt)
}
