package coverage

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/flowcore/healpix"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// maxGridCells bounds the size of a grid scan.
const maxGridCells = 10_000_000

// gridCells evaluates the PDF for one conditional row at the centres of a regular grid with pts
// points per dimension. Euclidean axes span the range of the samples x (n rows) widened by a
// tenth on each side; interval axes their bounds, circle axes [0, 2π]. It returns the centres
// (G x dim), the cell volumes, the log-densities and their spreads over the cells.
func gridCells(m model, defs []spec.ManifoldDef, dim int, cond, x []float64, n, pts int) (pos, vol, logp, spread []float64, err error) {
	cells := 1
	for range dim {
		cells *= pts
		if cells > maxGridCells {
			return nil, nil, nil, nil, fmt.Errorf("grid points: %d^%d cells exceed the limit of %d", pts, dim, maxGridCells)
		}
	}
	lo, width := make([]float64, dim), make([]float64, dim)
	c := 0
	for _, d := range defs {
		for range d.Dim {
			switch d.Kind {
			case spec.Interval:
				lo[c], width[c] = d.Low, d.High-d.Low
			case spec.Sphere:
				lo[c], width[c] = 0, 2*math.Pi
			default:
				a, b := math.Inf(1), math.Inf(-1)
				for i := range n {
					a, b = min(a, x[i*dim+c]), max(b, x[i*dim+c])
				}
				span := b - a
				if !(span > 0) || math.IsInf(span, 0) {
					return nil, nil, nil, nil, fmt.Errorf("grid: the samples of dimension %d span no finite range (%g to %g)", c, a, b)
				}
				lo[c], width[c] = a-span/10, 1.2*span
			}
			width[c] /= float64(pts)
			c++
		}
	}
	pos = make([]float64, cells*dim)
	v := 1.0
	for _, w := range width {
		v *= w
	}
	vol = make([]float64, cells)
	for g := range cells {
		vol[g] = v
		k := g
		for c := dim - 1; c >= 0; c-- { // the last axis runs fastest
			pos[g*dim+c] = lo[c] + (float64(k%pts)+0.5)*width[c]
			k /= pts
		}
	}
	if logp, err = m.logDensity(pos, cells, cond); err != nil {
		return nil, nil, nil, nil, err
	}
	return pos, vol, logp, gridSpread(logp, dim, pts), nil
}

// gridSpread estimates the spread of the log-density over every cell of a grid with pts points
// per dimension: the length of its gradient in cell units, from central differences (one-sided
// at the edges and next to cells without a finite log-density).
func gridSpread(logp []float64, dim, pts int) []float64 {
	out := make([]float64, len(logp))
	for g := range logp {
		var g2 float64
		stride := 1
		for c := dim - 1; c >= 0; c-- {
			k := g / stride % pts
			var sum, steps float64
			if k > 0 && !math.IsInf(logp[g-stride], 0) {
				sum, steps = sum+logp[g]-logp[g-stride], steps+1
			}
			if k < pts-1 && !math.IsInf(logp[g+stride], 0) {
				sum, steps = sum+logp[g+stride]-logp[g], steps+1
			}
			if steps > 0 {
				d := sum / steps
				g2 += d * d
			}
			stride *= pts
		}
		out[g] = math.Sqrt(g2)
	}
	return out
}

// skyCells evaluates a PDF on S2 for one conditional row on an adaptive HEALPix mesh guided by
// the samples x (θ, φ rows). It returns the mesh, the cell centres (θ, φ rows), areas,
// log-densities and their spreads over the cells.
func skyCells(m model, cond, x []float64, opt healpix.AdaptiveOptions) (mesh healpix.Mesh, pos, vol, logp, spread []float64, err error) {
	n := len(x) / 2
	theta, phi := make([]float64, n), make([]float64, n)
	for i := range n {
		theta[i], phi[i] = x[2*i], x[2*i+1]
	}
	var pts []float64
	mesh, logp, err = healpix.Adaptive(opt, theta, phi, func(th, ph, out []float64) error {
		pts = grow(pts, 2*len(th))
		for i := range th {
			pts[2*i], pts[2*i+1] = th[i], ph[i]
		}
		lp, err := m.logDensity(pts, len(th), cond)
		copy(out, lp)
		return err
	})
	if err != nil {
		return mesh, nil, nil, nil, nil, err
	}
	pos, vol = make([]float64, 2*mesh.Len()), make([]float64, mesh.Len())
	spread = mesh.Gradient(logp, opt.MaxOrder)
	for i := range vol {
		vol[i] = mesh.Area(i)
		spread[i] *= math.Sqrt(vol[i])
		pos[2*i], pos[2*i+1] = healpix.Centre(int(mesh.Order[i]), mesh.Pix[i])
	}
	return mesh, pos, vol, logp, spread, nil
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
