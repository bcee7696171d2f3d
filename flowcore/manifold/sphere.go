package manifold

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/geom"
	"github.com/gojammy/gojammy/flowcore/spec"
	"github.com/gojammy/gojammy/simd"
)

// Pole and seam guards of the spheres, as in jammy_flows.
const (
	// CircleMargin keeps an S1 angle inside [CircleMargin, 2π-CircleMargin] before it is mapped to
	// the Gaussian base, so that φ = 0 and φ = 2π give finite base points.
	CircleMargin = 1e-8
	// UnitTolerance is the largest |‖e‖-1| accepted for an embedding point of a sphere.
	UnitTolerance = 1e-6
)

const twoPi = 2 * math.Pi

// circle is S1: one angle φ in [0, 2π], embedded as (cos φ, sin φ). The base map is
// φ = 2π(1-Φ(z)), uniform on the circle; densities are per dφ.
type circle struct {
	def spec.ManifoldDef
}

func (m circle) Def() spec.ManifoldDef { return m.def }
func (m circle) Dim() int              { return 1 }
func (m circle) EmbeddingDim() int     { return 2 }
func (m circle) BaseDim() int          { return 1 }
func (m circle) Center() []float64     { return []float64{math.Pi} }

// FromBase maps z to φ = 2π(1-Φ(z)) with log|det| = log 2π + log N(z), as one custom op.
func (m circle) FromBase(z *ad.Node) (*ad.Node, *ad.Node) {
	t := z.Tape()
	phi, logDet := t.NewRaw(z.R, 1), t.NewRaw(z.R, 1)
	for i, v := range z.Val {
		phi.Val[i], logDet.Val[i] = -v, -0.5*v*v+ad.LogSqrt2Pi
	}
	simd.NormalCDF(phi.Val, phi.Val)
	for i, p := range phi.Val {
		phi.Val[i] = twoPi * p
	}
	if t.Tracks(z) {
		t.Record([]*ad.Node{phi, logDet}, []*ad.Node{z}, func() {
			gp, gl, gz := phi.Grad(), logDet.Grad(), z.Grad()
			for i, v := range z.Val {
				if gp[i] != 0 || gl[i] != 0 {
					gz[i] += -gp[i]*twoPi*ad.NormalPDFF(v) - gl[i]*v
				}
			}
		})
	}
	return phi, logDet
}

// ToBase is z = Φ⁻¹(1 − φ/2π) with log|det| = z²/2 − log √(2π), as one custom op.
func (m circle) ToBase(x *ad.Node) (*ad.Node, *ad.Node) {
	t := x.Tape()
	z, logDet := t.NewRaw(x.R, 1), t.NewRaw(x.R, 1)
	circleToGauss(z.Val, x.Val)
	for i, v := range z.Val {
		logDet.Val[i] = 0.5*v*v - ad.LogSqrt2Pi
	}
	if t.Tracks(x) {
		t.Record([]*ad.Node{z, logDet}, []*ad.Node{x}, func() {
			gz, gl, gx := z.Grad(), logDet.Grad(), x.Grad()
			for i, phi := range x.Val {
				g := gz[i] + gl[i]*z.Val[i]
				if g == 0 || phi < CircleMargin || phi > twoPi-CircleMargin {
					continue // zero gradient where φ is clamped; keeps NaN rows out
				}
				gx[i] -= g / (twoPi * ad.NormalPDFF(z.Val[i]))
			}
		})
	}
	return z, logDet
}

// circleToGauss sets z[i] to the inverse of φ = 2π(1-Φ(z)) at phi[i] (z may be phi), evaluated on
// the side of the smaller tail for accuracy, with φ kept CircleMargin away from 0 and 2π; the
// quantiles run as one vector kernel.
func circleToGauss(z, phi []float64) {
	z = z[:len(phi)]
	// branch-free (angles on both sides of π are equally likely): the smaller tail's CDF value,
	// its quantile (≤ 0), then the sign of π − φ
	for i, p := range phi {
		p = ad.ClampF(p, CircleMargin, twoPi-CircleMargin)
		z[i] = min(p, twoPi-p) / twoPi
	}
	simd.NormalQuantile(z, z)
	for i, p := range phi {
		z[i] = math.Copysign(z[i], math.Pi-ad.ClampF(p, CircleMargin, twoPi-CircleMargin))
	}
}

func (m circle) ToEmbedding(x *ad.Node) *ad.Node {
	return ad.Concat(ad.Cos(x), ad.Sin(x))
}

func (m circle) FromEmbedding(e *ad.Node) *ad.Node {
	return geom.PolarAngles(ad.Cols(e, 0, 1), ad.Cols(e, 1, 1))
}

func (m circle) LogVolume(x *ad.Node) *ad.Node { return x.Tape().New(x.R, 1) }

func (m circle) InSupport(x []float64) bool { return x[0] >= 0 && x[0] <= twoPi }

func (m circle) InEmbeddingSupport(e []float64) bool { return isUnit(e) }

// sphere is S2: zenith θ in [0, π] and azimuth φ in [0, 2π], embedded as
// (sin θ cos φ, sin θ sin φ, cos θ). The base map is jammy_flows' flipped equal-area projection:
// the Gaussian origin goes to the south pole θ = π, |z|² = -2 log((1-cos θ)/2) and φ is the polar
// angle of z. Densities are per dθ dφ (the area element sin θ is part of the density).
type sphere struct {
	def spec.ManifoldDef
}

func (m sphere) Def() spec.ManifoldDef { return m.def }
func (m sphere) Dim() int              { return 2 }
func (m sphere) EmbeddingDim() int     { return 3 }
func (m sphere) BaseDim() int          { return 2 }
func (m sphere) Center() []float64     { return []float64{math.Pi / 2, math.Pi} }

// FromBase maps z to (θ, φ) with log|det| = log tan(θ/2) = log|dθ/dq|, q = |z|²/2 (the polar
// coordinates (q, φ) of the plane preserve area), as one custom op. θ is kept ThetaMargin away
// from the poles (zero θ-gradient where clamped); φ is the polar angle of z (zero gradient at the
// origin).
func (m sphere) FromBase(z *ad.Node) (*ad.Node, *ad.Node) {
	t := z.Tape()
	x, logDet := t.NewRaw(z.R, 2), t.NewRaw(z.R, 1)
	// zenithOfHalfRadius2 and the log-det over all rows with the vector kernels: e^{-q}, expm1,
	// asin, log and the polar angle.
	n := z.R
	buf := t.FloatsRaw(6 * n)
	s2, c2, as, ld, z0, z1 := buf[:n], buf[n:2*n], buf[2*n:3*n], buf[3*n:4*n], buf[4*n:5*n], buf[5*n:]
	for i := 0; i < n; i++ {
		z0[i], z1[i] = z.Val[2*i], z.Val[2*i+1]
		ld[i] = -(z0[i]*z0[i] + z1[i]*z1[i]) / 2
	}
	simd.Exp(s2, ld)
	simd.Expm1(c2, ld)
	for i := range c2 {
		c2[i] = -c2[i]
		as[i] = math.Sqrt(min(s2[i], c2[i]))
		ld[i] = s2[i] / c2[i]
	}
	simd.Asin(as, as)
	simd.Log(ld, ld)
	geom.PolarAnglesInto(z0, z0, z1)
	for i := 0; i < n; i++ {
		// θ = 2 asin √s2 in the north, π − 2 asin √c2 in the south (s2 > 1/2), blended
		// exactly instead of a branch that the random points would mispredict.
		south := float64(math.Float64bits(0.5-s2[i]) >> 63)
		th := 2*as[i]*(1-2*south) + math.Pi*south
		theta, l := geom.ClampTheta(th), 0.5*ld[i]
		if th != theta {
			s, c := halfAngle(theta)
			l = math.Log(s / c)
		}
		x.Val[2*i], x.Val[2*i+1], logDet.Val[i] = theta, z0[i], l
	}
	if t.Tracks(z) {
		t.Record([]*ad.Node{x, logDet}, []*ad.Node{z}, func() { fromBaseBackward(z, x, logDet) })
	}
	return x, logDet
}

// fromBaseBackward is the vector-Jacobian product of the sphere's FromBase.
func fromBaseBackward(z, x, logDet *ad.Node) {
	gx, gl, gz := x.Grad(), logDet.Grad(), z.Grad()
	for i := 0; i < z.R; i++ {
		gt, gp := gx[2*i], gx[2*i+1]
		if gt == 0 && gp == 0 && gl[i] == 0 {
			continue // also keeps NaN rows out of the gradient
		}
		z0, z1 := z.Val[2*i], z.Val[2*i+1]
		r2 := z0*z0 + z1*z1
		var g0, g1 float64
		if r2 > 0 {
			g0, g1 = -gp*z1/r2, gp*z0/r2
		}
		q := r2 / 2
		if th, s2, c2 := zenithOfHalfRadius2(q); th == geom.ClampTheta(th) {
			// d log tan(θ/2)/dθ = 1/sin θ; cos θ = 1-2e^{-q}: dθ/dq = -sqrt(u/(1-u)), u = e^{-q}.
			gq := -(gt + gl[i]/math.Sin(th)) * math.Sqrt(s2/c2)
			g0 += gq * z0
			g1 += gq * z1
		}
		gz[2*i] += g0
		gz[2*i+1] += g1
	}
}

// zenithOfHalfRadius2 is θ(q) = acos(1-2e^{-q}), computed without cancellation near both poles,
// with sin²(θ/2) = e^{-q} and cos²(θ/2) = 1-e^{-q}.
func zenithOfHalfRadius2(q float64) (theta, s2, c2 float64) {
	s2, c2 = math.Exp(-q), -math.Expm1(-q)
	if s2 <= 0.5 {
		return 2 * math.Asin(math.Sqrt(s2)), s2, c2
	}
	return math.Pi - 2*math.Asin(math.Sqrt(c2)), s2, c2
}

// ToBase is the exact inverse of FromBase on [ThetaMargin, π-ThetaMargin]: |z|² = -4 log sin(θ/2),
// with log|det| = log cot(θ/2). (jammy_flows additionally clamps cos θ to ±(1-1e-6) here, which
// makes its projection non-invertible within about 1.4e-3 rad of the poles; gojammy keeps the
// exact inverse there.)
func (m sphere) ToBase(x *ad.Node) (*ad.Node, *ad.Node) {
	t := x.Tape()
	z, logDet := t.NewRaw(x.R, 2), t.NewRaw(x.R, 1)
	tracks := t.Tracks(x)
	// keep holds r, sin φ, cos φ per row for the backward step.
	var keep []float64
	if tracks {
		keep = t.FloatsRaw(3 * x.R)
	}
	// The transcendental functions run as vector kernels over all rows: sin and cos of φ and of
	// the half angle (halfAngle's), then the logs of halfRadius2OfZenith and of cot(θ/2).
	n := x.R
	buf := t.FloatsRaw(10 * n)
	half, phi, hs, hc, sp, cp := buf[:n], buf[n:2*n], buf[2*n:3*n], buf[3*n:4*n], buf[4*n:5*n], buf[5*n:6*n]
	la, lb, cot := buf[6*n:7*n], buf[7*n:8*n], buf[8*n:9*n]
	// south holds 1 for θ > π/2 and 0 otherwise: the rows take halfAngle's swap and the second
	// form of |z|²/2 by exact blends instead of branches (the points of a batch fall on both
	// hemispheres at random).
	south := buf[9*n:]
	for i := 0; i < n; i++ {
		theta := geom.ClampTheta(x.Val[2*i])
		half[i], phi[i] = min(theta, math.Pi-theta)/2, x.Val[2*i+1]
		south[i] = float64(math.Float64bits(math.Pi/2-theta) >> 63)
	}
	simd.Sincos(hs, hc, half)
	simd.Sincos(sp, cp, phi)
	for i := 0; i < n; i++ {
		w := south[i]
		s, c := hs[i]*(1-w)+hc[i]*w, hc[i]*(1-w)+hs[i]*w // halfAngle's swap
		// |z|²/2 = -2 log sin(θ/2) = -log(1 - cos²(θ/2)): the second form where cos(θ/2) is
		// the smaller (more accurate near the south pole).
		la[i], lb[i], cot[i] = s, -c*c, c/s
	}
	simd.Log(la, la)
	simd.Log1p(lb, lb)
	simd.Log(cot, cot)
	for i := 0; i < n; i++ {
		w := south[i]
		h := -2*la[i]*(1-w) - lb[i]*w
		r := math.Sqrt(h * 2)
		z.Val[2*i], z.Val[2*i+1], logDet.Val[i] = r*cp[i], r*sp[i], cot[i]
		if tracks {
			keep[3*i], keep[3*i+1], keep[3*i+2] = r, sp[i], cp[i]
		}
	}
	if tracks {
		t.Record([]*ad.Node{z, logDet}, []*ad.Node{x}, func() {
			gz, gl, gx := z.Grad(), logDet.Grad(), x.Grad()
			for i := 0; i < x.R; i++ {
				g0, g1, g2 := gz[2*i], gz[2*i+1], gl[i]
				if g0 == 0 && g1 == 0 && g2 == 0 {
					continue // also keeps NaN rows out of the gradient
				}
				r, sp, cp := keep[3*i], keep[3*i+1], keep[3*i+2]
				gx[2*i+1] += r * (g1*cp - g0*sp)
				theta := x.Val[2*i]
				if theta < geom.ThetaMargin || theta > math.Pi-geom.ThetaMargin {
					continue
				}
				// dr/dθ = -cot(θ/2)/r and d log cot(θ/2)/dθ = -1/sin θ.
				s, c := halfAngle(theta)
				gx[2*i] += -(g0*cp+g1*sp)*c/s/r - g2/math.Sin(theta)
			}
		})
	}
	return z, logDet
}

// halfAngle returns sin(θ/2) and cos(θ/2), both with their relative accuracy near the poles
// (from the half of the smaller of θ and π-θ).
func halfAngle(theta float64) (s, c float64) {
	if theta <= math.Pi/2 {
		return math.Sincos(theta / 2)
	}
	c, s = math.Sincos((math.Pi - theta) / 2)
	return s, c
}

// ToEmbedding is one custom op: (θ, φ) ↦ (sin θ cos φ, sin θ sin φ, cos θ).
func (m sphere) ToEmbedding(x *ad.Node) *ad.Node {
	t := x.Tape()
	out := t.NewRaw(x.R, 3)
	tracks := t.Tracks(x)
	// trig holds sin θ, cos θ, sin φ, cos φ per row for the backward step.
	var trig []float64
	if tracks {
		trig = t.FloatsRaw(4 * x.R)
	}
	sc := geom.NewSinCos(x) // θ and φ interleaved, as x
	for i := 0; i < x.R; i++ {
		st, ct, sp, cp := sc.Sin[2*i], sc.Cos[2*i], sc.Sin[2*i+1], sc.Cos[2*i+1]
		if tracks {
			trig[4*i], trig[4*i+1], trig[4*i+2], trig[4*i+3] = st, ct, sp, cp
		}
		out.Val[3*i], out.Val[3*i+1], out.Val[3*i+2] = st*cp, st*sp, ct
	}
	if tracks {
		t.Record([]*ad.Node{out}, []*ad.Node{x}, func() {
			g, gx := out.Grad(), x.Grad()
			for i := 0; i < x.R; i++ {
				st, ct, sp, cp := trig[4*i], trig[4*i+1], trig[4*i+2], trig[4*i+3]
				g0, g1, g2 := g[3*i], g[3*i+1], g[3*i+2]
				if g0 == 0 && g1 == 0 && g2 == 0 {
					continue // also keeps NaN rows out of the gradient
				}
				gx[2*i] += ct*(g0*cp+g1*sp) - g2*st
				gx[2*i+1] += st * (g1*cp - g0*sp)
			}
		})
	}
	return out
}

// FromEmbedding returns (θ, φ) of e/‖e‖ as one custom op, with θ kept ThetaMargin away from the
// poles as jammy_flows does (zero θ-gradient where clamped), and φ = 0 on the polar axis (zero
// gradients there).
func (m sphere) FromEmbedding(e *ad.Node) *ad.Node {
	t := e.Tape()
	out := t.NewRaw(e.R, 2)
	for i := 0; i < e.R; i++ {
		x, y, z := e.Val[3*i], e.Val[3*i+1], e.Val[3*i+2]
		theta := math.Atan2(math.Sqrt(x*x+y*y), z)
		out.Val[2*i], out.Val[2*i+1] = geom.ClampTheta(theta), geom.PolarAngle(x, y)
	}
	if t.Tracks(e) {
		t.Record([]*ad.Node{out}, []*ad.Node{e}, func() {
			g, ge := out.Grad(), e.Grad()
			for i := 0; i < e.R; i++ {
				x, y, z := e.Val[3*i], e.Val[3*i+1], e.Val[3*i+2]
				rho2 := x*x + y*y
				gt, gp := g[2*i], g[2*i+1]
				if rho2 == 0 || (gt == 0 && gp == 0) {
					continue // the polar axis, and rows without gradient (NaN rows among them)
				}
				rho := math.Sqrt(rho2)
				if theta := math.Atan2(rho, z); theta < geom.ThetaMargin || theta > math.Pi-geom.ThetaMargin {
					gt = 0
				}
				// θ = atan2(ρ, z): dθ/dz = -ρ/r², dθ/dρ = z/r², dρ/d(x, y) = (x, y)/ρ.
				r2 := rho2 + z*z
				a := gt * z / (r2 * rho)
				ge[3*i] += a*x - gp*y/rho2
				ge[3*i+1] += a*y + gp*x/rho2
				ge[3*i+2] -= gt * rho / r2
			}
		})
	}
	return out
}

// LogVolume is log sin θ (θ kept ThetaMargin away from the poles).
func (m sphere) LogVolume(x *ad.Node) *ad.Node { return geom.LogSinTheta(ad.Cols(x, 0, 1)) }

func (m sphere) InSupport(x []float64) bool {
	return x[0] >= 0 && x[0] <= math.Pi && x[1] >= 0 && x[1] <= twoPi
}

func (m sphere) InEmbeddingSupport(e []float64) bool { return isUnit(e) }

// isUnit reports whether e is finite with |‖e‖-1| <= UnitTolerance.
func isUnit(e []float64) bool {
	s := 0.0
	for _, v := range e {
		s += v * v
	}
	return math.Abs(math.Sqrt(s)-1) <= UnitTolerance
}
