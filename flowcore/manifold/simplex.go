package manifold

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/spec"
	"github.com/gojammy/gojammy/simd"
)

// SimplexTolerance is how far the components of a simplex point may sum beyond 1 (intrinsic
// coordinates) or away from 1 (embedding coordinates) and still lie on the simplex.
const SimplexTolerance = 1e-9

// simplex is the d-simplex a<d>: d+1 non-negative components summing to 1.
//
// Intrinsic coordinates are jammy_flows' "base simplex" x ∈ R^d with x_i >= 0 and Σx <= 1; the
// embedding is the canonical simplex e = (1 − Σx, x_1, …, x_d) in R^{d+1}. The embedded simplex
// has √(d+1) times the volume of the intrinsic one, so log p_embedding = log p_intrinsic −
// ½·log(d+1), as upstream.
//
// The base projection is upstream's: box coordinates u_i = Φ(z_i), the first d−1 of them skewed
// by u ↦ 1 − √(1−u) (the marginal of the uniform 2-simplex), then stick breaking x_i = v_i·r_i
// with the remaining length r_0 = 1, r_{i+1} = r_i·(1 − v_i). Both directions carry the exact
// log-Jacobian; upstream's sampling direction uses a wrong one for d >= 2 and its density
// direction lacks log 2 per skewed coordinate after the first (docs/differences.md).
type simplex struct {
	def spec.ManifoldDef
}

func (m simplex) Def() spec.ManifoldDef { return m.def }
func (m simplex) Dim() int              { return m.def.Dim }
func (m simplex) EmbeddingDim() int     { return m.def.Dim + 1 }
func (m simplex) BaseDim() int          { return m.def.Dim }

// skewed reports whether box coordinate i goes through the skew u ↦ 1 − √(1−u).
func (m simplex) skewed(i int) bool { return i < m.def.Dim-1 }

// FromBase maps standard-normal z to the simplex: u = Φ(z) (its complement 1−u = Φ(−z) computed
// directly), the skew, then stick breaking.
func (m simplex) FromBase(z *ad.Node) (*ad.Node, *ad.Node) {
	logDet := ad.NormalLogPDF(z)
	v, w := make([]*ad.Node, m.def.Dim), make([]*ad.Node, m.def.Dim)
	for i := range v {
		zi := ad.Cols(z, i, 1)
		// u and 1 − u; the complement kept at minUnit beyond z ≈ 38.5, where it underflows
		v[i], w[i] = ad.NormalCDF(zi), ad.Clamp(ad.NormalCDF(ad.Neg(zi)), minUnit, 1)
		if m.skewed(i) {
			// 1 − v = √(1−u), v = u/(1 + √(1−u)); log dv/du = −log 2 − log(1 − v).
			w[i] = ad.Sqrt(w[i])
			v[i] = ad.Div(v[i], ad.AddScalar(w[i], 1))
			logDet = ad.Sub(ad.AddScalar(logDet, -math.Ln2), ad.Log(w[i]))
		}
	}
	x, ld := StickBreak(v, w)
	return x, ad.Add(logDet, ld)
}

// ToBase inverts FromBase: inverse stick breaking, the inverse skew u = v(2 − v) with 1 − u =
// (1−v)², and z = Φ⁻¹(u) from whichever of u, 1−u is smaller. Points on a face of the simplex
// get the finite limit of the density there, points at a vertex a finite value.
func (m simplex) ToBase(x *ad.Node) (*ad.Node, *ad.Node) {
	v, w, logDet := StickUnbreak(x)
	zs := make([]*ad.Node, m.def.Dim)
	for i := range zs {
		if m.skewed(i) {
			logDet = ad.Add(ad.AddScalar(logDet, math.Ln2), ad.Log(w[i]))
			// (1−v)² underflows only at a vertex (1 − v below 1.5e-154): kept at minUnit, which
			// gives a finite log-density there (not its limit).
			v[i], w[i] = ad.Mul(v[i], ad.AddScalar(w[i], 1)), ad.Clamp(ad.Square(w[i]), minUnit, 1)
		}
		zs[i] = quantileOf(v[i], w[i])
	}
	z := ad.Concat(zs...)
	return z, ad.Sub(logDet, ad.NormalLogPDF(z))
}

// StickBreak maps box coordinates to the simplex: x_i = v_i·r_i with the remaining length r_0 = 1,
// r_{i+1} = r_i·w_i. v and w hold one R x 1 column per coordinate, w_i = 1 − v_i computed by the
// caller to its own precision (the remaining lengths are kept at or above minUnit). It returns
// x (R x d) and log|det ∂x/∂v| = Σ_{i≥1} log r_i.
func StickBreak(v, w []*ad.Node) (x, logDet *ad.Node) {
	xs := make([]*ad.Node, len(v))
	xs[0], logDet = v[0], v[0].Tape().New(v[0].R, 1)
	rest := w[0]
	for i := 1; i < len(v); i++ {
		logDet = ad.Add(logDet, ad.Log(rest))
		xs[i] = ad.Mul(v[i], rest)
		if i+1 < len(v) {
			rest = ad.Clamp(ad.Mul(rest, w[i]), minUnit, 1)
		}
	}
	return ad.Concat(xs...), logDet
}

// StickUnbreak inverts StickBreak: v_i = x_i/r_i and w_i = 1 − v_i, r_{i+1} = r_i·w_i, and
// log|det ∂v/∂x| = −Σ_{i≥1} log r_i. Box values and remaining lengths are kept within [minUnit,
// 1], v and w together (w = minUnit where v = 1), so that points on the boundary of the simplex
// stay finite; the gradient is zero where that clamp acts.
func StickUnbreak(x *ad.Node) (v, w []*ad.Node, logDet *ad.Node) {
	d := x.C
	v, w = make([]*ad.Node, d), make([]*ad.Node, d)
	logDet = x.Tape().New(x.R, 1)
	var rest *ad.Node // r_i; nil stands for r_0 = 1
	for i := 0; i < d; i++ {
		q := ad.Cols(x, i, 1)
		if rest != nil {
			logDet = ad.Sub(logDet, ad.Log(rest))
			q = ad.Div(q, rest)
		}
		v[i], w[i] = ad.Clamp(q, minUnit, 1), ad.Clamp(ad.AddScalar(ad.Neg(q), 1), minUnit, 1)
		if rest == nil {
			rest = w[i]
		} else {
			rest = ad.Clamp(ad.Mul(rest, w[i]), minUnit, 1)
		}
	}
	return v, w, logDet
}

// quantileOf returns Φ⁻¹(u) given u and its complement s = 1 − u, each computed to full relative
// precision: from u where u <= ½ and as −Φ⁻¹(s) otherwise.
func quantileOf(u, s *ad.Node) *ad.Node {
	return ad.Binary("quantileOf", u, s, func(u, s float64) float64 {
		if u <= 0.5 {
			return simd.NormalQuantileOf(u)
		}
		return -simd.NormalQuantileOf(s)
	}, func(u, _, z float64) float64 {
		if u <= 0.5 {
			return 1 / ad.NormalPDFF(z)
		}
		return 0
	}, func(u, _, z float64) float64 {
		if u <= 0.5 {
			return 0
		}
		return -1 / ad.NormalPDFF(z)
	})
}

// ToEmbedding is e = (1 − Σx, x_1, …, x_d).
func (m simplex) ToEmbedding(x *ad.Node) *ad.Node {
	return ad.Concat(ad.AddScalar(ad.Neg(ad.SumCols(x)), 1), x)
}

// FromEmbedding is upstream's least-squares inverse of ToEmbedding, x_j = e_{j+1} + (1 − Σe)/(d+1):
// exact on the simplex, the orthogonal projection onto its plane elsewhere.
func (m simplex) FromEmbedding(e *ad.Node) *ad.Node {
	excess := ad.Scale(ad.AddScalar(ad.Neg(ad.SumCols(e)), 1), 1/float64(m.def.Dim+1))
	return ad.Add(ad.Cols(e, 1, m.def.Dim), excess)
}

// LogVolume is ½·log(d+1), the log of the embedded simplex's volume per intrinsic volume.
func (m simplex) LogVolume(x *ad.Node) *ad.Node {
	out := x.Tape().New(x.R, 1)
	for i := range out.Val {
		out.Val[i] = 0.5 * math.Log(float64(m.def.Dim+1))
	}
	return out
}

// Center is the barycentre.
func (m simplex) Center() []float64 {
	c := make([]float64, m.def.Dim)
	for i := range c {
		c[i] = 1 / float64(m.def.Dim+1)
	}
	return c
}

// InSupport reports x_i >= 0 and Σx <= 1 (within SimplexTolerance).
func (m simplex) InSupport(x []float64) bool {
	s, ok := nonNegativeSum(x)
	return ok && s <= 1+SimplexTolerance
}

// InEmbeddingSupport reports e_i >= 0 and |Σe − 1| <= SimplexTolerance.
func (m simplex) InEmbeddingSupport(e []float64) bool {
	s, ok := nonNegativeSum(e)
	return ok && math.Abs(s-1) <= SimplexTolerance
}

// nonNegativeSum returns Σx and whether every x_i >= 0 (false for NaN).
func nonNegativeSum(x []float64) (float64, bool) {
	s := 0.0
	for _, v := range x {
		if !(v >= 0) {
			return 0, false
		}
		s += v
	}
	return s, true
}
