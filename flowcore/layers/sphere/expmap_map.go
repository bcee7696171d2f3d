package sphere

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/geom"
	"github.com/gojammy/gojammy/flowcore/manifold"
	"github.com/gojammy/gojammy/flowcore/spline"
	"github.com/gojammy/gojammy/simd"
)

// Potential types and mean parametrizations.
const (
	potLinear       = "linear"
	potQuadratic    = "quadratic"
	potExponential  = "exponential"
	potSplines      = "splines"
	meanOld         = "old"
	meanHouseholder = "householder"
	// splineBins is the number of bins of the spline potentials.
	splineBins = 10
)

// expMap is the core of v.
type expMap struct {
	m              manifold.Manifold
	kind, mean     string
	comps, maxIter int
	natural        bool
	meanRot        rotator
	splineCfg      spline.Config
}

// numMean is the number of mean parameters per component.
func (e *expMap) numMean() int {
	if e.mean == meanHouseholder {
		return 10
	}
	return 3
}

// perComponent is the number of parameters per component.
func (e *expMap) perComponent() int {
	n := e.numMean() + 1
	switch e.kind {
	case potExponential:
		n++
	case potSplines:
		n += 3*splineBins + 1
	}
	return n
}

func (e *expMap) numParams() int { return e.perComponent() * e.comps }

// potential holds the per-component coefficients of a v layer, each (rows of params) x C.
type potential struct {
	mu geom.Vec3
	// w are the weights softmax(log-weights)·strength.
	w *ad.Node
	// beta are the exponential rates e^raw (exponential potentials).
	beta *ad.Node
	// spl are the spline parameters, component-major (spline potentials).
	spl spline.Params
}

// row returns parameter row j of the (per component) x C layout: one column per component.
func (e *expMap) row(p *ad.Node, j, n int) *ad.Node {
	idx := make([]int, 0, n*e.comps)
	for k := 0; k < e.comps; k++ {
		for i := 0; i < n; i++ {
			idx = append(idx, (j+i)*e.comps+k)
		}
	}
	return ad.Gather(p, idx)
}

// coefs derives the potential coefficients from the raw block.
func (e *expMap) coefs(p *ad.Node) potential {
	var pot potential
	var strength *ad.Node
	if e.mean == meanHouseholder {
		pot.mu, strength = e.householderMeans(p), ad.Sigmoid(e.row(p, 9, 1))
	} else {
		raw := geom.Vec3{e.row(p, 0, 1), e.row(p, 1, 1), e.row(p, 2, 1)}
		norm := ad.Sqrt(raw.Dot(raw))
		pot.mu = geom.Vec3{ad.Div(raw[0], norm), ad.Div(raw[1], norm), ad.Div(raw[2], norm)}
		strength = ad.MapBatched(norm, meanStrength, meanStrengthDerivs)
	}
	nm := e.numMean()
	pot.w = ad.Mul(ad.Softmax(e.row(p, nm, 1)), strength)
	switch e.kind {
	case potExponential:
		pot.beta = ad.Exp(e.row(p, nm+1, 1))
	case potSplines:
		pot.spl = spline.Params{Widths: e.row(p, nm+1, splineBins), Heights: e.row(p, nm+1+splineBins, splineBins),
			Derivatives: e.row(p, nm+1+2*splineBins, splineBins+1)}
	}
	return pot
}

// meanStrength sets dst[i] to the strength 1 − log(1 + (e−1) e^{−n/10}) ∈ (0, 1) of a mean of
// norm n = src[i] (dst may be src), with the vector kernels.
func meanStrength(dst, src []float64) {
	dst = dst[:len(src)]
	for i, n := range src {
		dst[i] = -n / 10
	}
	simd.Exp(dst, dst)
	for i, e := range dst {
		dst[i] = (math.E - 1) * e
	}
	simd.Log1p(dst, dst)
	for i, l := range dst {
		dst[i] = 1 - l
	}
}

// meanStrengthDerivs sets dst[i] to the derivative of meanStrength at n[i]: a/10/(1 + a) with
// a = (e−1) e^{−n/10}.
func meanStrengthDerivs(dst, n, _ []float64) {
	dst = dst[:len(n)]
	for i, v := range n {
		dst[i] = -v / 10
	}
	simd.Exp(dst, dst)
	for i, e := range dst {
		a := (math.E - 1) * e
		dst[i] = a / 10 / (1 + a)
	}
}

// householderMeans returns μ_k = H₁H₂H₃·e_z from the 9 householder values of each component.
// (jammy_flows' "householder" mean parametrization fails at run time in v1.1.0 — a missing
// argument; this follows its evident intent.)
func (e *expMap) householderMeans(p *ad.Node) geom.Vec3 {
	rows, c := p.R, e.comps
	hv := ad.Reshape(e.row(p, 0, 9), rows*c, 9)
	ez := p.Tape().Const(1, 3, []float64{0, 0, 1})
	mu := ad.Reshape(e.meanRot.Apply(ez, hv, false), rows, 3*c)
	col := func(j int) *ad.Node {
		idx := make([]int, c)
		for k := range idx {
			idx[k] = 3*k + j
		}
		return ad.Gather(mu, idx)
	}
	return geom.Vec3{col(0), col(1), col(2)}
}

// profile returns ψ(t) and ψ'(t) for the projections t = x·μ (R x C).
func (e *expMap) profile(t *ad.Node, pot potential) (psi, dpsi *ad.Node) {
	tp := t.Tape()
	switch e.kind {
	case potLinear:
		return tp.Const(1, 1, []float64{1}), nil
	case potQuadratic:
		return t, tp.Const(1, 1, []float64{1})
	case potExponential:
		psi = ad.Exp(ad.Mul(pot.beta, ad.AddScalar(t, -1)))
		return psi, ad.Mul(pot.beta, psi)
	}
	y, ld := spline.Forward(t, pot.spl, e.splineCfg)
	return y, ad.Exp(ld)
}

// mapWithDerivatives returns T(x) and its derivatives along the tangent vectors p1 and p2 at x:
// with g = Σ w_k ψ_k(x·μ_k) μ_k (the ambient gradient of the potential), v = g - (g·x)x its tangent
// part and q = |v|², T = x cos|v| + v sin|v|/|v|, written with the smooth functions
// C(q) = cos√q and S(q) = sin√q/√q.
func (e *expMap) mapWithDerivatives(x, p1, p2 geom.Vec3, pot potential) (t, d1, d2 geom.Vec3) {
	proj := pot.mu.Dot(x)
	psi, dpsi := e.profile(proj, pot)
	g := pot.mu.Scale(ad.Mul(pot.w, psi)).SumCols()
	gx := g.Dot(x)
	v := g.Sub(x.Scale(gx))
	q := v.Dot(v)
	c, s, s1 := sincFuncs(q)
	t = x.Scale(c).Add(v.Scale(s))
	dir := func(p geom.Vec3) geom.Vec3 {
		dg := geom.Vec3{}
		if dpsi != nil {
			dg = pot.mu.Scale(ad.Mul(ad.Mul(pot.w, dpsi), pot.mu.Dot(p))).SumCols()
		}
		dgx := g.Dot(p)
		if dpsi != nil {
			dgx = ad.Add(dgx, dg.Dot(x))
		}
		dv := p.Scale(ad.Neg(gx)).Sub(x.Scale(dgx))
		if dpsi != nil {
			dv = dv.Add(dg)
		}
		dq := ad.Scale(v.Dot(dv), 2)
		return p.Scale(c).Add(x.Scale(ad.Mul(ad.Scale(s, -0.5), dq))).Add(dv.Scale(s)).Add(v.Scale(ad.Mul(s1, dq)))
	}
	return t, dir(p1), dir(p2)
}

// Series thresholds of the smooth functions of q = |v|².
const sincSeries = 1e-3

// sincFuncs returns C(q) = cos√q, S(q) = sin√q/√q and S1(q) = S'(q) = (C - S)/(2q) as one custom
// op (one sqrt and one sincos per entry), with C' = -S/2, S' = S1 and S1' = (-S/2 - 3 S1)/(2q)
// (by their series below sincSeries).
func sincFuncs(q *ad.Node) (c, s, s1 *ad.Node) {
	t := q.Tape()
	c, s, s1 = t.New(q.R, q.C), t.New(q.R, q.C), t.New(q.R, q.C)
	sincValues(c.Val, s.Val, s1.Val, q.Val)
	if !t.Tracks(q) {
		return c, s, s1
	}
	t.Record([]*ad.Node{c, s, s1}, []*ad.Node{q}, func() {
		gc, gs, gs1, gq := c.Grad(), s.Grad(), s1.Grad(), q.Grad()
		for i, v := range q.Val {
			if gc[i] == 0 && gs[i] == 0 && gs1[i] == 0 {
				continue
			}
			d1 := 1.0/60 - v/840 + v*v/30240
			if v >= sincSeries {
				d1 = (-s.Val[i]/2 - 3*s1.Val[i]) / (2 * v)
			}
			gq[i] += -gc[i]*s.Val[i]/2 + gs[i]*s1.Val[i] + gs1[i]*d1
		}
	})
	return c, s, s1
}

// sincValues sets c, s and s1 to C(q), S(q) and S1(q) of every entry of q (the square roots in
// one loop, their sines and cosines as one vector kernel).
func sincValues(c, s, s1, q []float64) {
	r := s1 // √q until the last loop
	for i, v := range q {
		r[i] = math.Sqrt(v)
	}
	simd.Sincos(s, c, r)
	for i, v := range q {
		if v < sincSeries {
			s[i], s1[i] = sincSeriesF(v), sincDerivSeriesF(v)
			continue
		}
		s[i] /= r[i]
		s1[i] = (c[i] - s[i]) / (2 * v)
	}
}

// sincSeriesF is S(q) by its series, for q < sincSeries.
func sincSeriesF(q float64) float64 { return 1 - q/6 + q*q/120 - q*q*q/5040 }

// sincDerivSeriesF is S1(q) by its series, for q < sincSeries.
func sincDerivSeriesF(q float64) float64 { return -1.0/6 + q/60 - q*q/1680 + q*q*q/90720 }
