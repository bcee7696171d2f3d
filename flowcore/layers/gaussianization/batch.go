package gaussianization

import (
	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/simd"
)

// batch is the work space of the batched (one shared, unskewed parameter block) paths for n points
// of one dimension at a time.
type batch struct {
	// y holds the points, F, S and f the mixture values at them, lg logits.
	y, F, S, f, lg []float64
	// t is the tape that holds the work space.
	t *ad.Tape
}

// newBatch returns work space on tape t.
func newBatch(t *ad.Tape, n int) *batch {
	buf := t.Floats(5 * n)
	return &batch{y: buf[:n], F: buf[n : 2*n], S: buf[2*n : 3*n], f: buf[3*n : 4*n], lg: buf[4*n:], t: t}
}

// column copies column j of the row-major n x d values v into b.y.
func (b *batch) column(v []float64, d, j int) {
	for i := range b.y {
		b.y[i] = v[i*d+j]
	}
}

// linear evaluates the unskewed mixture of one dimension (a prepared part) at the points ys in
// linear space with simd.LogisticMixture, giving F, S and f per point in b (ys may be a prefix of
// b.y's length; the values are those of evalLinear). If q is not nil, the kernel terms σ(u) and
// σ(−u) of kernel j at point i are kept in q[j·len(ys) + i] and sb[j·len(ys) + i] for the gradient.
func (b *batch) linear(part, ys, q, sb []float64) {
	k, n := len(part)/nf, len(ys)
	if q == nil {
		simd.LogisticMixture(b.F[:n], b.S[:n], b.f[:n], ys, part, k, nf)
		return
	}
	simd.LogisticMixtureTerms(b.F[:n], b.S[:n], b.f[:n], q, sb, ys, part, k, nf)
}

// logits returns log(F/S) of the first n points after linear, in one vector-kernel call (values
// at points off the linear path are not meaningful).
func (b *batch) logits(n int) []float64 {
	lg := b.lg[:n]
	for i := range lg {
		lg[i] = b.F[i] / b.S[i]
	}
	simd.Log(lg, lg)
	return lg
}

// psiZ returns ψ at the first n points after linear for the forms psiLinear covers (values at other
// points are not meaningful), bit for bit as psiLinear: log(F/S) for the logistic inverse, the
// normal quantile of the smaller of F and S for the exact middle, each in one vector-kernel
// call. It returns nil for the full Padé form, which psiLinear never covers.
func (b *batch) psiZ(k invKind, n int) []float64 {
	switch k {
	case fullPade:
		return nil
	case isigmoid:
		return b.logits(n)
	}
	zs := b.lg[:n]
	// middleZ: Φ⁻¹(F) for F ≤ 1/2, −Φ⁻¹(S) otherwise.
	for i := range zs {
		zs[i] = b.S[i]
		if b.F[i] <= 0.5 {
			zs[i] = b.F[i]
		}
	}
	simd.NormalQuantile(zs, zs)
	for i := range zs {
		if !(b.F[i] <= 0.5) {
			zs[i] = -zs[i]
		}
	}
	return zs
}

// logDets sets dst[i] to sums[i].value() for all i with one vector log over the products.
func logDets(dst []float64, sums []logSum, sign float64) {
	for i := range sums {
		dst[i] = sums[i].prod
	}
	simd.Log(dst[:len(sums)], dst[:len(sums)])
	for i := range sums {
		dst[i] = sign * (sums[i].sum + dst[i])
	}
}

// linearAt reports whether the linear sums at point i are trustworthy (see point.linear).
func (b *batch) linearAt(i int) bool { return b.F[i] >= tiny && b.S[i] >= tiny && b.f[i] >= tiny }

// pointTo writes the mixture at point i after linear to dst, switching to the log-space evaluation
// where the linear sums underflowed. scratch must hold scratchLen() values.
func (b *batch) pointTo(dst *point, m mixture, i int, part, scratch []float64) {
	if b.linearAt(i) {
		dst.F, dst.S, dst.f, dst.hasLogs = b.F[i], b.S[i], b.f[i], false
		return
	}
	*dst = m.evalLog(b.y[i], part, scratch)
}

// minBatch is the number of points from which the batched paths pay off.
const minBatch = 8

// batched reports whether the batched paths apply to n points: one shared parameter block, no
// skewness, at least minBatch points.
func (m mixture) batched(rp *rowParams, n int) bool { return rp.shared && !m.skew && n >= minBatch }
