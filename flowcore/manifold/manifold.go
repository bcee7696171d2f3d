// Package manifold holds the manifolds of gojammy (Euclidean spaces, intervals, the circle S1 and
// the 2-sphere S2): their dimensions, support checks, coordinate conversions and the fixed
// projection between the standard-normal base and the manifold that jammy_flows applies in layer 0
// of each sub-flow.
package manifold

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/spec"
	"github.com/gojammy/gojammy/simd"
)

// Manifold is one sub-manifold of a PDF.
type Manifold interface {
	// Def is the parsed definition.
	Def() spec.ManifoldDef
	// Dim is the intrinsic dimension, EmbeddingDim the embedding-coordinate dimension and BaseDim
	// the dimension of the standard-normal base of its sub-flow.
	Dim() int
	EmbeddingDim() int
	BaseDim() int
	// FromBase maps standard-normal base points (R x BaseDim) to intrinsic coordinates and adds
	// the log-Jacobian of that map (R x 1).
	FromBase(z *ad.Node) (x, logDet *ad.Node)
	// ToBase is the inverse of FromBase, with its own log-Jacobian.
	ToBase(x *ad.Node) (z, logDet *ad.Node)
	// ToEmbedding converts intrinsic coordinates to embedding coordinates.
	ToEmbedding(x *ad.Node) *ad.Node
	// FromEmbedding is the inverse of ToEmbedding.
	FromEmbedding(e *ad.Node) *ad.Node
	// LogVolume is log(dV_embedding/dV_intrinsic) at intrinsic points x (R x 1), so that
	// log p_intrinsic = log p_embedding + LogVolume (log sin θ on S2, 0 where the coordinates agree).
	LogVolume(x *ad.Node) *ad.Node
	// Center is a point inside the support in intrinsic coordinates (a safe stand-in for rows
	// that are outside the support or NaN).
	Center() []float64
	// InSupport reports whether one intrinsic point lies on the manifold.
	InSupport(x []float64) bool
	// InEmbeddingSupport reports whether one embedding point lies on the manifold.
	InEmbeddingSupport(e []float64) bool
}

// New returns the manifold for a definition.
func New(d spec.ManifoldDef) (Manifold, error) {
	switch d.Kind {
	case spec.Euclidean:
		return euclidean{def: d}, nil
	case spec.Interval:
		return interval{def: d}, nil
	case spec.Sphere:
		if d.Dim == 1 {
			return circle{def: d}, nil
		}
		return sphere{def: d}, nil
	}
	return nil, fmt.Errorf("pdf_defs part %q: simplex manifolds (a<d>) are not supported by gojammy; available: e<d>, i1, s1, s2", d.Text)
}

// identityCoords is the coordinate conversion of manifolds whose embedding is their intrinsic space.
type identityCoords struct{}

func (identityCoords) ToEmbedding(x *ad.Node) *ad.Node   { return x }
func (identityCoords) FromEmbedding(e *ad.Node) *ad.Node { return e }
func (identityCoords) LogVolume(x *ad.Node) *ad.Node     { return x.Tape().New(x.R, 1) }

type euclidean struct {
	identityCoords
	def spec.ManifoldDef
}

func (m euclidean) Def() spec.ManifoldDef { return m.def }
func (m euclidean) Dim() int              { return m.def.Dim }
func (m euclidean) EmbeddingDim() int     { return m.def.Dim }
func (m euclidean) BaseDim() int          { return m.def.Dim }
func (m euclidean) FromBase(z *ad.Node) (*ad.Node, *ad.Node) {
	return z, z.Tape().New(z.R, 1)
}
func (m euclidean) ToBase(x *ad.Node) (*ad.Node, *ad.Node) {
	return x, x.Tape().New(x.R, 1)
}
func (m euclidean) InSupport(x []float64) bool {
	for _, v := range x {
		if math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
func (m euclidean) InEmbeddingSupport(e []float64) bool { return m.InSupport(e) }
func (m euclidean) Center() []float64                   { return make([]float64, m.def.Dim) }

// AllInSupport reports whether every point of xs lies in m's support, in intrinsic coordinates
// (embedding coordinates when embedding is set): the points are at columns off to off+width of
// rows of stride values. It equals InSupport (InEmbeddingSupport) on every row, with one tight
// loop per row for the intrinsic coordinates of intervals and spheres (boxes of bounds).
func AllInSupport(m Manifold, xs []float64, off, stride int, embedding bool) bool {
	var lo, hi [2]float64
	box := !embedding
	switch b := m.(type) {
	case interval:
		lo[0], hi[0] = b.def.Low, b.def.High
	case circle:
		hi[0] = twoPi
	case sphere:
		hi[0], hi[1] = math.Pi, twoPi
	default:
		box = false
	}
	if !box {
		inside, w := m.InSupport, m.Dim()
		if embedding {
			inside, w = m.InEmbeddingSupport, m.EmbeddingDim()
		}
		for i := off; i < len(xs); i += stride {
			if !inside(xs[i : i+w]) {
				return false
			}
		}
		return true
	}
	w := m.Dim()
	for i := off; i < len(xs); i += stride {
		for j, v := range xs[i : i+w] {
			if !(v >= lo[j] && v <= hi[j]) {
				return false
			}
		}
	}
	return true
}

// FiniteSupport reports whether every finite point lies in m's support (a Euclidean space), so
// that callers may skip the per-point check for rows of finite values.
func FiniteSupport(m Manifold) bool {
	_, ok := m.(euclidean)
	return ok
}

const (
	minUnit = 0x1p-1022 // smallest normal float64
	epsilon = 0x1p-53
)

// interval is [Low, High], reached from the base by x = Low + (High-Low)·Φ(z).
type interval struct {
	identityCoords
	def spec.ManifoldDef
}

func (m interval) Def() spec.ManifoldDef { return m.def }
func (m interval) Dim() int              { return 1 }
func (m interval) EmbeddingDim() int     { return 1 }
func (m interval) BaseDim() int          { return 1 }

// FromBase is x = Low + (High − Low)·Φ(z) with log dx/dz = log(High − Low) + log φ(z), one fused
// operation.
func (m interval) FromBase(z *ad.Node) (*ad.Node, *ad.Node) {
	low, width := m.def.Low, m.def.High-m.def.Low
	c := math.Log(width) - 0.5*math.Log(2*math.Pi)
	t := z.Tape()
	x, logDet := t.NewRaw(z.R, 1), t.NewRaw(z.R, 1)
	simd.NormalCDF(x.Val, z.Val)
	for i, v := range z.Val {
		x.Val[i] = width*x.Val[i] + low
		logDet.Val[i] = -0.5*(v*v) + c
	}
	if t.Tracks(z) {
		t.Record([]*ad.Node{x, logDet}, []*ad.Node{z}, func() {
			gz, gx, gl := z.Grad(), x.Grad(), logDet.Grad()
			for i, v := range z.Val {
				gz[i] += gx[i]*width*ad.NormalPDFF(v) - gl[i]*v
			}
		})
	}
	return x, logDet
}

// ToBase is z = Φ⁻¹(u) with u = (x − Low)/(High − Low) and log dz/dx = z²/2 + log √(2π) −
// log(High − Low), one fused operation. u is kept off 0 and 1 (minUnit, 1 − ε) so that the bounds
// themselves get the finite limit of the density rather than ∞ − ∞; the gradient is zero where
// that clamp acts.
func (m interval) ToBase(x *ad.Node) (*ad.Node, *ad.Node) {
	low, width := m.def.Low, m.def.High-m.def.Low
	inv := 1 / width
	c := 0.5*math.Log(2*math.Pi) - math.Log(width)
	t := x.Tape()
	z, logDet := t.NewRaw(x.R, 1), t.NewRaw(x.R, 1)
	for i, v := range x.Val {
		z.Val[i] = min(max(inv*(v-low), minUnit), 1-epsilon)
	}
	simd.NormalQuantile(z.Val, z.Val)
	for i, q := range z.Val {
		logDet.Val[i] = 0.5*(q*q) + c
	}
	if t.Tracks(x) {
		t.Record([]*ad.Node{z, logDet}, []*ad.Node{x}, func() {
			gx, gz, gl := x.Grad(), z.Grad(), logDet.Grad()
			for i, v := range x.Val {
				if u := inv * (v - low); u < minUnit || u > 1-epsilon {
					continue
				}
				q := z.Val[i]
				gx[i] += (gz[i] + gl[i]*q) * inv / ad.NormalPDFF(q)
			}
		})
	}
	return z, logDet
}

func (m interval) InSupport(x []float64) bool {
	return x[0] >= m.def.Low && x[0] <= m.def.High
}
func (m interval) InEmbeddingSupport(e []float64) bool { return m.InSupport(e) }
func (m interval) Center() []float64                   { return []float64{(m.def.Low + m.def.High) / 2} }
