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
	pl.evalAll(t, in.Val, out.Val, ld.Val, inverse)
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

// evalAll maps the points vals (row-major, pl.cols per row) through their splines, with scratch
// space from tape t: out gets the images and der the derivatives dy/dx of the forward map there
// (NaN outside the support). The points inside the boxes go through simd's batched bin kernels;
// linear tails and points outside the support are set afterwards, and so are a Circular
// spline's output shifts.
func (pl *plan) evalAll(t *ad.Tape, vals, out, der []float64, inverse bool) {
	n, cols := len(vals), pl.cols
	u, at := t.Floats(n), make([]int32, n)
	recs := pl.recs
	if recs == nil {
		recs = t.Floats(n * simd.RQRecordLen)
	}
	// With one parameter row every point of a column shares its knots: look them up once.
	var shared []knots
	var few [4]knots
	if pl.rows == 1 {
		shared = few[:0]
		if cols > len(few) {
			shared = make([]knots, 0, cols)
		}
		shared = shared[:cols]
		for c := range shared {
			shared[c] = pl.knotsOf(0, c, inverse)
		}
	}
	var special []int // points outside the boxes: set after the kernel
	for i := 0; i < n/cols; i++ {
		for c := 0; c < cols; c++ {
			j := i*cols + c
			var kn knots
			if shared != nil {
				kn = shared[c]
			} else {
				kn = pl.knotsOf(i, c, inverse)
			}
			b, inside := pl.locate(kn, vals[j], &u[j])
			if !inside {
				special = append(special, j)
				b = 0 // any valid record: the result is overwritten
			}
			if shared != nil {
				at[j] = int32((c*pl.k + b) * simd.RQRecordLen)
			} else {
				at[j] = int32(j * simd.RQRecordLen)
				xs, ys, ds, _ := pl.set(i, c)
				putRecord(recs[j*simd.RQRecordLen:], xs, ys, ds, b)
			}
		}
	}
	if inverse {
		simd.RQSplineInverse(out, der, u, recs, at)
	} else {
		simd.RQSplineForward(out, der, u, recs, at)
	}
	if pl.cfg.Mode == Circular {
		pl.shiftCircular(vals, out, inverse)
	}
	for _, j := range special {
		r, c := 0, j%cols
		if pl.rows > 1 {
			r = j / cols
		}
		out[j], der[j] = pl.outside(r, c, vals[j], inverse)
	}
}

// knots are what locate needs of one spline in one direction: the knots of the input side and
// a Circular spline's input rotation.
type knots struct {
	from  []float64
	shift float64
}

// knotsOf returns the input-side knots of spline (r, c): x knots forward, y knots inverse.
func (pl *plan) knotsOf(r, c int, inverse bool) knots {
	xs, ys, _, rot := pl.set(r, c)
	if inverse {
		return knots{from: ys, shift: rot[1]}
	}
	return knots{from: xs, shift: rot[0]}
}

// locate finds the bin that maps the point v on the input side kn: it returns the bin and sets
// *u to the position inside it (v limited to the box; for a Circular spline v shifted by the
// input rotation, wrapped into [0, 2π]), or reports false for a point outside the box (a linear
// tail or outside the support).
func (pl *plan) locate(kn knots, v float64, u *float64) (int, bool) {
	if pl.cfg.Mode == Circular {
		v, ok := onBox(v, 0, 2*math.Pi)
		if !ok {
			return 0, false
		}
		*u = wrapIn(v - kn.shift)
		return search(kn.from, *u), true
	}
	lo, hi := kn.from[0], kn.from[pl.k]
	if pl.cfg.LinearTails && (v <= lo || v >= hi) {
		return 0, false
	}
	v, ok := onBox(v, lo, hi)
	if !ok {
		return 0, false
	}
	*u = v
	return search(kn.from, v), true
}

// outside returns the image and dy/dx of a point v that locate did not place in a bin: on a
// linear tail the line through the end knot with its slope, outside the support NaN.
func (pl *plan) outside(r, c int, v float64, inverse bool) (float64, float64) {
	xs, ys, ds, _ := pl.set(r, c)
	k := pl.k
	from := xs
	if inverse {
		from = ys
	}
	if pl.cfg.Mode == Circular || !pl.cfg.LinearTails || v != v || (v > from[0] && v < from[k]) {
		return math.NaN(), math.NaN()
	}
	e := 0
	if v >= from[k] {
		e = k
	}
	if inverse {
		return xs[e] + (v-ys[e])/ds[e], ds[e]
	}
	return ys[e] + (v-xs[e])*ds[e], ds[e]
}

// shiftCircular completes a Circular spline's map, S(x − a mod 2π) + c mod 2π forward and
// S⁻¹(y − c mod 2π) + a mod 2π inverse, on the kernel's results out: it adds the output shift
// and wraps; the end points 0 and 2π map to themselves.
func (pl *plan) shiftCircular(vals, out []float64, inverse bool) {
	const twoPi = 2 * math.Pi
	for j, v := range vals {
		r, c := 0, j%pl.cols
		if pl.rows > 1 {
			r = j / pl.cols
		}
		v = ad.ClampF(v, 0, twoPi) // points within the edge tolerance count as the end points
		_, _, _, rot := pl.set(r, c)
		shift := rot[1]
		if inverse {
			shift = rot[0]
		}
		o := out[j] + shift
		if o > twoPi {
			o -= twoPi
		}
		if v == 0 || v == twoPi {
			o = v
		}
		out[j] = o
	}
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
	rec := pl.record(r, c, b)
	bn := binOf(rec)
	var g binGrad
	if inverse {
		g = bn.inverseGrad(simd.RQInverseXiOf(rec, v), gy, gl)
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
