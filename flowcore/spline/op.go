package spline

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/simd"
)

// edgeTol is the relative distance beyond the box edges within which a point counts as lying on
// the edge (rounding of the maps that produced it); farther points are outside the support.
const edgeTol = 1e-12

// Forward evaluates the splines at the points x (R x C): y = spline(x) and log dy/dx per entry
// (both R x C). The configuration must be valid (Config.Validate); shapes that do not fit panic.
func Forward(x *ad.Node, p Params, cfg Config) (y, logDet *ad.Node) {
	return apply(x, p, cfg, false)
}

// Inverse solves spline(x) = y for the points y (R x C) analytically and returns x and log dx/dy
// per entry (both R x C).
func Inverse(y *ad.Node, p Params, cfg Config) (x, logDet *ad.Node) {
	return apply(y, p, cfg, true)
}

func apply(in *ad.Node, p Params, cfg Config, inverse bool) (*ad.Node, *ad.Node) {
	t := in.Tape()
	pl := newPlan(cfg, p, in)
	out, ld := t.New(in.R, in.C), t.New(in.R, in.C)
	for i := 0; i < in.R; i++ {
		r := 0
		if pl.rows > 1 {
			r = i
		}
		for c := 0; c < in.C; c++ {
			j := i*in.C + c
			out.Val[j], ld.Val[j] = pl.eval(r, c, in.Val[j], inverse)
		}
	}
	// ld holds the forward derivatives dy/dx; their logs in one vector-kernel pass.
	simd.Log(ld.Val, ld.Val)
	if inverse {
		for j, v := range ld.Val {
			ld.Val[j] = -v
		}
	}
	t.Record([]*ad.Node{out, ld}, []*ad.Node{in, p.Widths, p.Heights, p.Derivatives, p.Bounds}, func() {
		pl.backprop(in, out, ld, inverse)
	})
	return out, ld
}

// eval maps one value v through spline (r, c) and returns the image with the derivative dy/dx of
// the forward map there (NaN outside the support).
func (pl *plan) eval(r, c int, v float64, inverse bool) (float64, float64) {
	xs, ys, ds, rot := pl.set(r, c)
	if pl.cfg.Mode == Circular {
		return pl.evalCircular(r, c, xs, ys, rot, v, inverse)
	}
	k := pl.k
	from := xs
	if inverse {
		from = ys
	}
	lo, hi := from[0], from[k]
	if pl.cfg.LinearTails && (v <= lo || v >= hi) {
		e := 0
		if v >= hi {
			e = k
		}
		if inverse {
			return xs[e] + (v-ys[e])/ds[e], ds[e]
		}
		return ys[e] + (v-xs[e])*ds[e], ds[e]
	}
	v, ok := onBox(v, lo, hi)
	if !ok {
		return math.NaN(), math.NaN()
	}
	bn := pl.bin(r, c, search(from, v))
	if inverse {
		return bn.inverse(v)
	}
	return bn.forward(v)
}

// evalCircular maps v through a Circular spline (returning the image and dy/dx as eval): forward y = S(x − a mod 2π) + c mod 2π, inverse
// x = S⁻¹(y − c mod 2π) + a mod 2π; the end points 0 and 2π map to themselves.
func (pl *plan) evalCircular(r, c int, xs, ys, rot []float64, v float64, inverse bool) (float64, float64) {
	const twoPi = 2 * math.Pi
	v, ok := onBox(v, 0, twoPi)
	if !ok {
		return math.NaN(), math.NaN()
	}
	rotIn, rotOut := rot[0], rot[1]
	var out, der float64
	if inverse {
		u := wrapIn(v - rotOut)
		out, der = pl.bin(r, c, search(ys, u)).inverse(u)
		out += rotIn
	} else {
		u := wrapIn(v - rotIn)
		out, der = pl.bin(r, c, search(xs, u)).forward(u)
		out += rotOut
	}
	if out > twoPi {
		out -= twoPi
	}
	if v == 0 || v == twoPi {
		out = v
	}
	return out, der
}

// wrapIn brings u ∈ [−2π, 2π] into [0, 2π].
func wrapIn(u float64) float64 {
	if u < 0 {
		u += 2 * math.Pi
	}
	return ad.ClampF(u, 0, 2*math.Pi)
}

// onBox reports whether v lies in [lo, hi] up to the edge tolerance and returns it clamped.
func onBox(v, lo, hi float64) (float64, bool) {
	tol := edgeTol * (hi - lo)
	if !(v >= lo-tol && v <= hi+tol) {
		return v, false
	}
	return ad.ClampF(v, lo, hi), true
}

// backprop is the vector-Jacobian product of apply.
func (pl *plan) backprop(in, out, ld *ad.Node, inverse bool) {
	p := pl.p
	needParams := p.Widths.NeedsGrad() || p.Heights.NeedsGrad() ||
		(p.Derivatives != nil && p.Derivatives.NeedsGrad()) || (p.Bounds != nil && p.Bounds.NeedsGrad())
	if !needParams && !in.NeedsGrad() {
		return
	}
	gOut, gLd := out.Grad(), ld.Grad()
	var gk, gin []float64
	if needParams {
		gk = make([]float64, len(pl.knots))
	}
	if in.NeedsGrad() {
		gin = in.Grad()
	}
	scratch := make([]float64, pl.stride)
	for i := 0; i < in.R; i++ {
		r := 0
		if pl.rows > 1 {
			r = i
		}
		for c := 0; c < in.C; c++ {
			j := i*in.C + c
			gy, gl := gOut[j], gLd[j]
			if (gy == 0 && gl == 0) || math.IsNaN(out.Val[j]) || math.IsNaN(ld.Val[j]) {
				continue
			}
			s := (r*pl.cols + c) * pl.stride
			g := scratch
			if gk != nil {
				g = gk[s : s+pl.stride]
			}
			gv := pl.entryGrad(r, c, in.Val[j], gy, gl, inverse, g)
			if gin != nil {
				gin[j] += gv
			}
		}
	}
	if gk != nil {
		for r := 0; r < pl.rows; r++ {
			for c := 0; c < pl.cols; c++ {
				s := (r*pl.cols + c) * pl.stride
				pl.backward(r, c, gk[s:s+pl.stride])
			}
		}
	}
}

// entryGrad adds the gradient of gy·out + gl·logDet of one entry (input v of spline (r, c)) with
// respect to the knot set to g and returns the gradient with respect to v.
func (pl *plan) entryGrad(r, c int, v, gy, gl float64, inverse bool, g []float64) float64 {
	k := pl.k
	xs, ys, ds, rot := pl.set(r, c)
	gx, gyk, gd, grot := split(g, k)
	from := xs
	if inverse {
		from = ys
	}
	if pl.cfg.Mode == Circular {
		if v == 0 || v == 2*math.Pi {
			gy = 0
		}
		v = ad.ClampF(v, 0, 2*math.Pi)
		shift := rot[0]
		if inverse {
			shift = rot[1]
		}
		u := wrapIn(v - shift)
		b := search(from, u)
		gv := pl.binGrad(r, c, b, u, gy, gl, inverse, gx, gyk, gd)
		if inverse {
			grot[1] -= gv
			grot[0] += gy
		} else {
			grot[0] -= gv
			grot[1] += gy
		}
		return gv
	}
	if pl.cfg.LinearTails && (v <= from[0] || v >= from[k]) {
		e := 0
		if v >= from[k] {
			e = k
		}
		d := ds[e]
		if inverse {
			gx[e] += gy
			gyk[e] -= gy / d
			gd[e] -= gy*(v-ys[e])/(d*d) + gl/d
			return gy / d
		}
		gyk[e] += gy
		gx[e] -= gy * d
		gd[e] += gy*(v-xs[e]) + gl/d
		return gy * d
	}
	v = ad.ClampF(v, from[0], from[k])
	return pl.binGrad(r, c, search(from, v), v, gy, gl, inverse, gx, gyk, gd)
}

// binGrad adds the gradient of one bin evaluation to the knot gradients and returns the gradient
// with respect to the bin's input.
func (pl *plan) binGrad(r, c, b int, v, gy, gl float64, inverse bool, gx, gyk, gd []float64) float64 {
	bn := pl.bin(r, c, b)
	var g binGrad
	if inverse {
		g = bn.inverseGrad(bn.inverseXi(v), gy, gl)
	} else {
		g = bn.forwardGrad(v, gy, gl)
	}
	gx[b] += g.x0
	gx[b+1] += g.x1
	gyk[b] += g.y0
	gyk[b+1] += g.y1
	gd[b] += g.d0
	gd[b+1] += g.d1
	return g.in
}
