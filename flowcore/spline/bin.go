package spline

import "github.com/gojammy/gojammy/simd"

// bin is one rational-quadratic segment from knot (x0, y0) with slope d0 to knot (x1, y1) with
// slope d1. With ξ = (x − x0)/w, w = x1 − x0, h = y1 − y0 and s = h/w it maps
//
//	y = y0 + h (s ξ² + d0 ξ(1−ξ)) / (s + (d0 + d1 − 2s) ξ(1−ξ)),
//
// a monotone map of [x0, x1] onto [y0, y1] with slopes d0 and d1 at the ends. Values are
// computed by simd's spline kernels from the bin's record (putRecord); bin holds the same
// quantities for the gradient.
type bin struct {
	x0, x1, y0, y1, d0, d1 float64
	// w, h and s are as above, k = d0 + d1 − 2s.
	w, h, s, k float64
}

// putRecord writes the simd.RQRecordLen-long record of bin b of the knots xs, ys, ds to rec:
// x0, x1, y0, y1, d0, d1, w, h, s, k.
func putRecord(rec, xs, ys, ds []float64, b int) {
	x0, x1, y0, y1, d0, d1 := xs[b], xs[b+1], ys[b], ys[b+1], ds[b], ds[b+1]
	w, h := x1-x0, y1-y0
	s := h / w
	rec = rec[:simd.RQRecordLen]
	rec[0], rec[1], rec[2], rec[3], rec[4], rec[5] = x0, x1, y0, y1, d0, d1
	rec[6], rec[7], rec[8], rec[9] = w, h, s, d0+d1-2*s
}

// binOf returns the bin of a record written by putRecord.
func binOf(rec []float64) bin {
	rec = rec[:simd.RQRecordLen]
	return bin{x0: rec[0], x1: rec[1], y0: rec[2], y1: rec[3], d0: rec[4], d1: rec[5], w: rec[6], h: rec[7], s: rec[8], k: rec[9]}
}

// search returns the bin holding v among the knots (the number of interior knots ≤ v), so that a
// value exactly on an interior knot starts the upper bin and the top knot ends the last bin. It
// counts without branching on v, as the bins of consecutive points are unpredictable.
func search(knots []float64, v float64) int {
	b := 0
	for _, k := range knots[1 : len(knots)-1] {
		if k <= v {
			b++
		}
	}
	return b
}

// shape holds the quantities of a bin at a position ξ that value, log-derivative and their
// gradients share: t = ξ(1−ξ), den = s + k t and n2 = d1 ξ² + 2 s t + d0 (1−ξ)².
type shape struct {
	xi, t, den, n2 float64
}

func (b *bin) shapeAt(xi float64) shape {
	t := xi * (1 - xi)
	return shape{xi: xi, t: t, den: b.s + b.k*t, n2: b.d1*xi*xi + 2*b.s*t + b.d0*(1-xi)*(1-xi)}
}

// numer is the numerator s ξ² + d0 ξ(1−ξ) of y's rational part at the shape's position.
func (b *bin) numer(q shape) float64 { return b.s*q.xi*q.xi + b.d0*q.t }

// partials are the derivatives of y (f*) and of log dy/dx (l*) with respect to ξ, s, h, d0 and
// d1, holding the others fixed (y also depends on y0 with derivative 1).
type partials struct {
	fXi, fS, fH, fD0, fD1 float64
	lXi, lS, lD0, lD1     float64
}

func (b *bin) partials(q shape) partials {
	den2 := q.den * q.den
	xi, a := q.xi, b.numer(q)
	return partials{
		fXi: b.h * b.s * q.n2 / den2,
		fS:  b.h * (xi*xi*q.den - a*(1-2*q.t)) / den2,
		fH:  a / q.den,
		fD0: b.h * q.t * (q.den - a) / den2,
		fD1: -b.h * a * q.t / den2,
		lXi: (2*b.d1*xi+2*b.s*(1-2*xi)-2*b.d0*(1-xi))/q.n2 - 2*b.k*(1-2*xi)/q.den,
		lS:  2/b.s + 2*q.t/q.n2 - 2*(1-2*q.t)/q.den,
		lD0: (1-xi)*(1-xi)/q.n2 - 2*q.t/q.den,
		lD1: xi*xi/q.n2 - 2*q.t/q.den,
	}
}

// binGrad is the gradient with respect to the point and the six bin quantities.
type binGrad struct {
	in, x0, x1, y0, y1, d0, d1 float64
}

// finish converts gradients with respect to ξ's companions s, h and w of bin b into knot
// gradients, given the explicit gradients gS, gH, gW and the y0 gradient gY0.
func (g *binGrad) finish(b *bin, gS, gH, gW, gY0 float64) {
	gH += gS / b.w
	gW -= gS * b.s / b.w
	g.x0 -= gW
	g.x1 += gW
	g.y0 += gY0 - gH
	g.y1 += gH
}

// forwardGrad returns the gradient of gy·y + gl·log dy/dx (y = forward(x)) with respect to x and the
// bin quantities.
func (b *bin) forwardGrad(x, gy, gl float64) binGrad {
	w := b.w
	q := b.shapeAt((x - b.x0) / w)
	p := b.partials(q)
	gXi := gy*p.fXi + gl*p.lXi
	g := binGrad{in: gXi / w, x0: -gXi / w, d0: gy*p.fD0 + gl*p.lD0, d1: gy*p.fD1 + gl*p.lD1}
	g.finish(b, gy*p.fS+gl*p.lS, gy*p.fH, -gXi*q.xi/w, gy)
	return g
}

// inverseGrad returns the gradient of gx·x − gl·log(dy/dx) at the solution x = x0 + ξw of y =
// forward(x), with respect to y and the bin quantities, by the implicit-function rule at the root.
func (b *bin) inverseGrad(xi, gx, gl float64) binGrad {
	q := b.shapeAt(xi)
	p := b.partials(q)
	gXi := gx*b.w - gl*p.lXi
	r := gXi / p.fXi // dξ/dy; dξ/dθ = −(∂y/∂θ)/(∂y/∂ξ)
	g := binGrad{in: r, x0: gx, d0: -r*p.fD0 - gl*p.lD0, d1: -r*p.fD1 - gl*p.lD1}
	g.finish(b, -r*p.fS-gl*p.lS, -r*p.fH, gx*xi, -r)
	return g
}
