package gaussianization

import "github.com/gojammy/gojammy/flowcore/ad"

// batchChunk is the number of points whose kernel terms are evaluated together: enough independent
// exponentials and divisions to keep the floating-point units busy, few enough to stay in L1.
const batchChunk = 128

// batch is the work space of the batched (one shared, unskewed parameter block) paths for n points
// of one dimension at a time.
type batch struct {
	// y holds the points, F, S and f the mixture values at them; e is the kernel-term scratch.
	y, F, S, f, e []float64
	// t is the tape that holds the work space.
	t *ad.Tape
}

// newBatch returns work space on tape t.
func newBatch(t *ad.Tape, n, k int) *batch {
	buf := t.Floats(4*n + k*min(n, batchChunk))
	return &batch{y: buf[:n], F: buf[n : 2*n], S: buf[2*n : 3*n], f: buf[3*n : 4*n], e: buf[4*n:], t: t}
}

// column copies column j of the row-major n x d values v into b.y.
func (b *batch) column(v []float64, d, j int) {
	for i := range b.y {
		b.y[i] = v[i*d+j]
	}
}

// linear evaluates the unskewed mixture of one dimension (a prepared part) at the points ys in
// linear space, giving F, S and f per point in b (ys may be a prefix of b.y's length; the values are
// those of evalLinear). Kernel j's exponentials run over all points of a chunk before their sums,
// so that many independent ones are in flight. If q is not nil, the kernel terms σ(u) and σ(−u) of
// kernel j at point i are kept in q[j·len(ys) + i] and sb[j·len(ys) + i] for the gradient.
func (b *batch) linear(part, ys, q, sb []float64) {
	k, n := len(part)/nf, len(ys)
	mu, invh := part[fMu*k:(fMu+1)*k], part[fInvH*k:(fInvH+1)*k]
	w, wInvh := part[fW*k:(fW+1)*k], part[fWInvH*k:(fWInvH+1)*k]
	for lo := 0; lo < n; lo += batchChunk {
		hi := min(n, lo+batchChunk)
		c := hi - lo
		ex := b.e[:k*c]
		yc := ys[lo:hi]
		for j := 0; j < k; j++ {
			row := ex[j*c : (j+1)*c]
			m, ih := mu[j], invh[j]
			for i, y := range yc[:len(row)] {
				row[i] = clampExpArg((m - y) * ih)
			}
		}
		ad.ExpInPlace(ex)
		F, S, f := b.F[lo:hi], b.S[lo:hi], b.f[lo:hi]
		clear(F)
		clear(S)
		clear(f)
		for j := 0; j < k; j++ {
			row := ex[j*c : (j+1)*c]
			F, S, f := F[:len(row)], S[:len(row)], f[:len(row)]
			wj, wh := w[j], wInvh[j]
			if q == nil {
				for i, x := range row {
					qq := 1 / (1 + x)
					s := x * qq
					F[i] += wj * qq
					S[i] += wj * s
					f[i] += wh * s * qq
				}
				continue
			}
			qj, sj := q[j*n+lo:j*n+hi], sb[j*n+lo:j*n+hi]
			qj, sj = qj[:len(row)], sj[:len(row)]
			for i, x := range row {
				qq := 1 / (1 + x)
				s := x * qq
				F[i] += wj * qq
				S[i] += wj * s
				f[i] += wh * s * qq
				qj[i], sj[i] = qq, s
			}
		}
	}
}

// linearAt reports whether the linear sums at point i are trustworthy (see point.linear).
func (b *batch) linearAt(i int) bool { return b.F[i] >= tiny && b.S[i] >= tiny && b.f[i] >= tiny }

// pointTo writes the mixture at point i after linear to dst, switching to the log-space evaluation
// where the linear sums underflowed. scratch must hold 3K values.
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
