package coverage

import (
	"fmt"
	"math"
	"slices"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/healpix"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// Method is how a scan covers the support of a PDF.
type Method int

const (
	// Auto chooses Grid for Euclidean, interval and circle parts of at most 3 dimensions in
	// total, HEALPix for a PDF on S2 alone, and Sampling otherwise.
	Auto Method = iota
	// Grid evaluates the PDF at the centres of a regular grid: the interval's bounds, [0, 2π] on
	// circles, and on Euclidean parts the range of the samples widened by a tenth on each side.
	Grid
	// HEALPix evaluates the PDF at the centres of an adaptive equal-area HEALPix mesh (PDFs on
	// S2 alone).
	HEALPix
	// Sampling estimates the coverage of x as P(log p(Y) >= log p(x)) from samples Y of the PDF,
	// with a binomial standard error; it works on every PDF.
	Sampling
)

var methodNames = [...]string{"auto", "grid", "healpix", "sampling"}

// String is the method's name as ParseMethod reads it.
func (m Method) String() string {
	if m < 0 || int(m) >= len(methodNames) {
		return fmt.Sprintf("Method(%d)", int(m))
	}
	return methodNames[m]
}

// ParseMethod reads "auto", "grid", "healpix" or "sampling".
func ParseMethod(s string) (Method, error) {
	if i := slices.Index(methodNames[:], s); i >= 0 {
		return Method(i), nil
	}
	return 0, fmt.Errorf("method: must be one of %q, got %q", methodNames, s)
}

// Options controls a scan.
type Options struct {
	// Method chooses the scan (Auto by default).
	Method Method
	// Samples is the number of samples drawn per scan: the estimator of Sampling, the guide
	// points of the HEALPix mesh and the ranges of Euclidean grid axes (10000 if 0).
	Samples int
	// GridPoints is the number of grid points per dimension (0: 2000 in 1-d, 200 in 2-d, 40 in 3-d).
	GridPoints int
	// Mesh controls the HEALPix mesh (the zero value means healpix.DefaultAdaptiveOptions).
	Mesh healpix.AdaptiveOptions
	// Levels are the probabilities of the credible regions whose volumes are reported
	// (0.5, 0.68, 0.9 if nil).
	Levels []float64
	// SaveScan keeps the scanned positions, log-densities and cell volumes.
	SaveScan bool
	// Contours traces the boundaries of the highest-density regions at Levels (grid scans of
	// 2-d PDFs or sub-manifolds and HEALPix scans; other scans have none).
	Contours bool
	// Seed seeds the samples (scan i uses its own stream).
	Seed uint64
	// ConditioningSamples is the number of samples of the PDF over which Marginal averages the
	// conditional factor of a later sub-manifold (DefaultConditioningSamples if 0).
	ConditioningSamples int
}

// DefaultLevels are the credible levels reported when Options.Levels is nil.
var DefaultLevels = []float64{0.5, 0.68, 0.9}

// Scan is the scan of the PDF for one conditional row.
type Scan struct {
	// MAP is the densest scanned point in intrinsic coordinates (a grid or mesh centre, or the
	// densest sample), LogPDFMAP its log-density.
	MAP       []float64
	LogPDFMAP float64
	// LevelVolumes are the volumes of the highest-density regions at Options.Levels (steradians
	// on S2; NaN for Sampling, which has no cells).
	LevelVolumes []float64
	// Positions (n x dim, intrinsic coordinates), LogPDF and Volumes are the scanned cells (or
	// samples, with volume NaN); kept only with Options.SaveScan.
	Positions, LogPDF, Volumes []float64
	// Contours are the boundaries of the regions at Options.Levels (with Options.Contours).
	Contours []Contour

	order  hpd       // cells by density (Grid, HEALPix)
	sorted []float64 // sample log-densities, ascending (Sampling)
}

// Result is the outcome of Run.
type Result struct {
	// Method is the method used (never Auto).
	Method Method
	// Scans holds one scan per conditional row (one for an unconditional PDF).
	Scans []Scan
	// LogPDFLabels is the log-density of every label (with respect to the natural volume: solid
	// angle on S2).
	LogPDFLabels []float64
	// Coverage is the exact HPD coverage of every label: the probability of the points denser
	// than it, from the scan of its conditional row.
	Coverage []float64
	// CoverageError is the Monte-Carlo standard error of Coverage (Sampling; 0 for the grid and
	// mesh scans, whose discretization error is not estimated).
	CoverageError []float64
}

// SquareDegrees converts a solid angle in steradians to square degrees.
func SquareDegrees(sr float64) float64 { return sr * (180 / math.Pi) * (180 / math.Pi) }

// Run scans p once per conditional row of cond (once if p is unconditional) and computes the
// exact HPD coverage of the n labels (coordinates labelCoords; labels may be nil with n = 0).
// A conditional PDF takes one label per conditional row.
func Run(p *flowcore.PDF, labels []float64, n int, labelCoords flowcore.Coords, cond []float64, opt Options) (Result, error) {
	labels, err := intrinsicLabels(p, labels, n, labelCoords)
	if err != nil {
		return Result{}, err
	}
	return run(pdfModel{p}, labels, n, cond, opt)
}

// intrinsicLabels converts n labels from coordinates c to intrinsic coordinates (nil for none).
func intrinsicLabels(p *flowcore.PDF, labels []float64, n int, c flowcore.Coords) ([]float64, error) {
	if n <= 0 {
		return labels, nil
	}
	x, _, err := p.TransformTargetSpace(labels, n, c, flowcore.IntrinsicCoords)
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	return x, nil
}

func run(m model, labels []float64, n int, cond []float64, opt Options) (Result, error) {
	rows, err := checkCond(m, cond)
	if err != nil {
		return Result{}, err
	}
	defs := m.defs()
	dim := 0
	for _, d := range defs {
		dim += d.Dim
	}
	nScans := max(rows, 1)
	if labels != nil && len(labels) != n*dim || n < 0 {
		return Result{}, fmt.Errorf("labels: got %d values for %d rows of dimension %d", len(labels), n, dim)
	}
	if rows > 0 && n > 0 && n != rows {
		return Result{}, fmt.Errorf("labels: a conditional PDF takes one label per conditional row: %d labels, %d rows", n, rows)
	}
	if opt, err = opt.resolve(defs, dim); err != nil {
		return Result{}, err
	}
	res := Result{Method: opt.Method, Scans: make([]Scan, nScans)}
	if n > 0 {
		res.LogPDFLabels = make([]float64, n)
		// the labels of all rows at once (one evaluation per conditional row otherwise)
		if rows == 0 {
			if res.LogPDFLabels, err = m.logDensity(labels, n, nil); err != nil {
				return Result{}, err
			}
		}
	}
	cd := m.condDim()
	err = flowcore.ForEach(nScans, func(i int) error {
		var row []float64
		if rows > 0 {
			row = cond[i*cd : (i+1)*cd]
			if n > 0 {
				lp, err := m.logDensity(labels[i*dim:(i+1)*dim], 1, row)
				if err != nil {
					return fmt.Errorf("label of conditional row %d: %w", i, err)
				}
				res.LogPDFLabels[i] = lp[0]
			}
		}
		var err error
		if res.Scans[i], err = scanOne(m, defs, dim, row, opt, opt.Seed+uint64(i)*0x9e3779b97f4a7c15); err != nil {
			return fmt.Errorf("scan of conditional row %d: %w", i, err)
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	res.Coverage, res.CoverageError = make([]float64, n), make([]float64, n)
	for i := range n {
		scan := 0 // the scan of the label's conditional row
		if rows > 0 {
			scan = i
		}
		res.Coverage[i], res.CoverageError[i] = res.Scans[scan].coverage(res.LogPDFLabels[i])
	}
	return res, nil
}

// resolve fills in defaults and checks that the method fits the manifolds.
func (o Options) resolve(defs []spec.ManifoldDef, dim int) (Options, error) {
	if o.Samples == 0 {
		o.Samples = 10000
	}
	if o.Samples < 2 {
		return o, fmt.Errorf("samples: must be >= 2, got %d", o.Samples)
	}
	if o.GridPoints < 0 || o.GridPoints == 1 {
		return o, fmt.Errorf("grid points: must be >= 2 (or 0 for the default), got %d", o.GridPoints)
	}
	if o.Mesh == (healpix.AdaptiveOptions{}) {
		o.Mesh = healpix.DefaultAdaptiveOptions()
	}
	if o.Levels == nil {
		o.Levels = DefaultLevels
	}
	for _, l := range o.Levels {
		if !(l > 0 && l <= 1) {
			return o, fmt.Errorf("levels: credible levels must be in (0, 1], got %g", l)
		}
	}
	gridable := dim <= 3 && !slices.ContainsFunc(defs, func(d spec.ManifoldDef) bool {
		return d.Kind != spec.Euclidean && d.Kind != spec.Interval && !(d.Kind == spec.Sphere && d.Dim == 1)
	})
	sky := len(defs) == 1 && isS2(defs[0])
	switch {
	case o.Method == Auto && gridable:
		o.Method = Grid
	case o.Method == Auto && sky:
		o.Method = HEALPix
	case o.Method == Auto:
		o.Method = Sampling
	case o.Method == Grid && !gridable:
		return o, fmt.Errorf("method grid: needs Euclidean, interval and s1 parts of at most 3 dimensions in total")
	case o.Method == HEALPix && !sky:
		return o, fmt.Errorf("method healpix: needs a PDF on s2 alone")
	case o.Method < Auto || o.Method > Sampling:
		return o, fmt.Errorf("method: unknown method %d", int(o.Method))
	}
	if o.GridPoints == 0 {
		o.GridPoints = [4]int{0, 2000, 200, 40}[min(dim, 3)]
	}
	return o, nil
}

// scanOne scans the PDF for one conditional row.
func scanOne(m model, defs []spec.ManifoldDef, dim int, cond []float64, opt Options, seed uint64) (Scan, error) {
	var x, logp []float64
	if opt.Method != Grid || slices.ContainsFunc(defs, func(d spec.ManifoldDef) bool { return d.Kind == spec.Euclidean }) {
		var err error
		if x, logp, err = m.sample(opt.Samples, cond, seed); err != nil {
			return Scan{}, err
		}
	}
	var pos, vol, spread []float64
	var mesh healpix.Mesh
	var err error
	switch opt.Method {
	case Sampling:
		return sampleScan(x, logp, dim, opt), nil
	case Grid:
		pos, vol, logp, spread, err = gridCells(m, defs, dim, cond, x, opt.Samples, opt.GridPoints)
	case HEALPix:
		mesh, pos, vol, logp, spread, err = skyCells(m, cond, x, opt.Mesh)
	}
	if err != nil {
		return Scan{}, err
	}
	s := Scan{order: newHPD(logp, vol, spread), LevelVolumes: make([]float64, len(opt.Levels)), LogPDFMAP: math.Inf(-1)}
	for j, l := range opt.Levels {
		s.LevelVolumes[j] = s.order.volume(l)
	}
	if k := argmax(logp); k >= 0 {
		s.MAP, s.LogPDFMAP = slices.Clone(pos[k*dim:(k+1)*dim]), logp[k]
	}
	if opt.SaveScan {
		s.Positions, s.LogPDF, s.Volumes = pos, logp, vol
	}
	switch {
	case opt.Contours && opt.Method == HEALPix:
		s.Contours = skyContours(s.order, mesh, logp, opt.Mesh.MaxOrder, opt.Levels)
	case opt.Contours && dim == 2:
		s.Contours = gridContours(s.order, logp, pos, opt.GridPoints, opt.Levels)
	}
	return s, nil
}

// sampleScan is the scan of Sampling: the samples' log-densities in order, the densest sample.
func sampleScan(x, logp []float64, dim int, opt Options) Scan {
	s := Scan{sorted: slices.Clone(logp), LevelVolumes: make([]float64, len(opt.Levels)), LogPDFMAP: math.Inf(-1)}
	slices.Sort(s.sorted)
	for j := range s.LevelVolumes {
		s.LevelVolumes[j] = math.NaN()
	}
	if k := argmax(logp); k >= 0 {
		s.MAP, s.LogPDFMAP = slices.Clone(x[k*dim:(k+1)*dim]), logp[k]
	}
	if opt.SaveScan {
		s.Positions, s.LogPDF, s.Volumes = x, logp, make([]float64, len(logp))
		for i := range s.Volumes {
			s.Volumes[i] = math.NaN()
		}
	}
	return s
}

// coverage is the HPD coverage of a point with log-density logp and its standard error.
func (s *Scan) coverage(logp float64) (float64, float64) {
	if s.sorted == nil {
		return s.order.coverage(logp), 0
	}
	if math.IsNaN(logp) {
		return math.NaN(), math.NaN()
	}
	// P(log p(Y) >= log p(x)): the samples at or above logp
	k, _ := slices.BinarySearch(s.sorted, logp)
	n := float64(len(s.sorted))
	c := float64(len(s.sorted)-k) / n
	return c, math.Sqrt(c * (1 - c) / n)
}
