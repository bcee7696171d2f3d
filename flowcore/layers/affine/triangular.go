package affine

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// lowerPairs lists the (row, column) positions of the strictly-lower entries of a d x d matrix in
// jammy_flows' fill order: diagonal by diagonal from the farthest, offset −(d−1) (one entry) to
// offset −1 (d−1 entries), each from the top.
func lowerPairs(d int) [][2]int {
	var pairs [][2]int
	for off := d - 1; off >= 1; off-- {
		for j := 0; j+off < d; j++ {
			pairs = append(pairs, [2]int{j + off, j})
		}
	}
	return pairs
}

// factors holds the lower-triangular matrices L (diagonal exp(logDiag), strictly-lower entries from
// lower in lowerPairs order) of one call: one d x d row-major matrix per parameter row.
type factors struct {
	d, rows        int
	logDiag, lower *ad.Node // lower may be nil (diagonal L)
	pairs          [][2]int
	l              []float64
}

func newFactors(logDiag, lower *ad.Node, points *ad.Node, pairs [][2]int) *factors {
	d := logDiag.C
	if points.C != d || (lower != nil && lower.C != len(pairs)) {
		panic(fmt.Sprintf("affine: %d-column points for %d log-diagonal entries (lower entries: %v)", points.C, d, lower != nil))
	}
	rows := 1
	for _, n := range []*ad.Node{logDiag, lower} {
		if n != nil && n.R != 1 {
			if n.R != points.R {
				panic(fmt.Sprintf("affine: %d parameter rows for %d points", n.R, points.R))
			}
			rows = n.R
		}
	}
	f := &factors{d: d, rows: rows, logDiag: logDiag, lower: lower, pairs: pairs, l: make([]float64, rows*d*d)}
	for r := 0; r < rows; r++ {
		m := f.matrix(r)
		ld := rowOf(logDiag, r)
		for i := 0; i < d; i++ {
			m[i*d+i] = math.Exp(ld[i])
		}
		if lower != nil {
			for k, v := range rowOf(lower, r) {
				m[pairs[k][0]*d+pairs[k][1]] = v
			}
		}
	}
	return f
}

// matrix returns L of parameter row r.
func (f *factors) matrix(r int) []float64 { return f.l[r*f.d*f.d : (r+1)*f.d*f.d] }

// rowOf returns row r of n (row 0 when n has one row).
func rowOf(n *ad.Node, r int) []float64 {
	if n.R == 1 {
		r = 0
	}
	return n.Val[r*n.C : (r+1)*n.C]
}

// paramRow is the parameter row used by point row i.
func (f *factors) paramRow(i int) int {
	if f.rows == 1 {
		return 0
	}
	return i
}

// lowerMul returns L·z row by row (R x d).
func lowerMul(z, logDiag, lower *ad.Node, pairs [][2]int) *ad.Node {
	t := z.Tape()
	f := newFactors(logDiag, lower, z, pairs)
	d := f.d
	out := t.New(z.R, d)
	for i := 0; i < z.R; i++ {
		m, zi, oi := f.matrix(f.paramRow(i)), z.Val[i*d:(i+1)*d], out.Val[i*d:(i+1)*d]
		for a := 0; a < d; a++ {
			s := 0.0
			for b := 0; b <= a; b++ {
				s += m[a*d+b] * zi[b]
			}
			oi[a] = s
		}
	}
	t.Record([]*ad.Node{out}, []*ad.Node{z, logDiag, lower}, func() {
		g := out.Grad()
		gl := f.newGrad()
		for i := 0; i < z.R; i++ {
			r := f.paramRow(i)
			m, zi, gi := f.matrix(r), z.Val[i*d:(i+1)*d], g[i*d:(i+1)*d]
			if z.NeedsGrad() {
				gz := z.Grad()[i*d : (i+1)*d]
				for b := 0; b < d; b++ {
					for a := b; a < d; a++ {
						gz[b] += m[a*d+b] * gi[a]
					}
				}
			}
			if gl != nil {
				// ∂(Lz)_a/∂L_ab = z_b.
				gm := gl[r*d*d : (r+1)*d*d]
				for a := 0; a < d; a++ {
					for b := 0; b <= a; b++ {
						gm[a*d+b] += gi[a] * zi[b]
					}
				}
			}
		}
		f.backward(gl)
	})
	return out
}

// lowerSolve returns L⁻¹·x row by row (R x d) by forward substitution.
func lowerSolve(x, logDiag, lower *ad.Node, pairs [][2]int) *ad.Node {
	t := x.Tape()
	f := newFactors(logDiag, lower, x, pairs)
	d := f.d
	out := t.New(x.R, d)
	for i := 0; i < x.R; i++ {
		m, xi, zi := f.matrix(f.paramRow(i)), x.Val[i*d:(i+1)*d], out.Val[i*d:(i+1)*d]
		for a := 0; a < d; a++ {
			s := xi[a]
			for b := 0; b < a; b++ {
				s -= m[a*d+b] * zi[b]
			}
			zi[a] = s / m[a*d+a]
		}
	}
	t.Record([]*ad.Node{out}, []*ad.Node{x, logDiag, lower}, func() {
		g := out.Grad()
		gl := f.newGrad()
		u := make([]float64, d)
		for i := 0; i < x.R; i++ {
			r := f.paramRow(i)
			m, zi, gi := f.matrix(r), out.Val[i*d:(i+1)*d], g[i*d:(i+1)*d]
			// u = L⁻ᵀ g by back substitution; then ∂/∂x = u and ∂/∂L = −u zᵀ (lower part).
			for a := d - 1; a >= 0; a-- {
				s := gi[a]
				for b := a + 1; b < d; b++ {
					s -= m[b*d+a] * u[b]
				}
				u[a] = s / m[a*d+a]
			}
			if x.NeedsGrad() {
				gx := x.Grad()[i*d : (i+1)*d]
				for a, v := range u {
					gx[a] += v
				}
			}
			if gl != nil {
				gm := gl[r*d*d : (r+1)*d*d]
				for a := 0; a < d; a++ {
					for b := 0; b <= a; b++ {
						gm[a*d+b] -= u[a] * zi[b]
					}
				}
			}
		}
		f.backward(gl)
	})
	return out
}

// newGrad returns zeroed storage for ∂/∂L of every parameter row, or nil when no parameter needs a
// gradient.
func (f *factors) newGrad() []float64 {
	if !f.logDiag.NeedsGrad() && (f.lower == nil || !f.lower.NeedsGrad()) {
		return nil
	}
	return make([]float64, len(f.l))
}

// backward maps ∂/∂L to the log-diagonal (∂L_ii/∂logDiag_i = L_ii) and lower-entry nodes.
func (f *factors) backward(gl []float64) {
	if gl == nil {
		return
	}
	d := f.d
	for r := 0; r < f.rows; r++ {
		m, gm := f.matrix(r), gl[r*d*d:(r+1)*d*d]
		if f.logDiag.NeedsGrad() {
			g := gradRow(f.logDiag, r)
			for i := 0; i < d; i++ {
				g[i] += gm[i*d+i] * m[i*d+i]
			}
		}
		if f.lower != nil && f.lower.NeedsGrad() {
			g := gradRow(f.lower, r)
			for k, p := range f.pairs {
				g[k] += gm[p[0]*d+p[1]]
			}
		}
	}
}

// gradRow returns the gradient of row r of n (row 0 when n has one row).
func gradRow(n *ad.Node, r int) []float64 {
	if n.R == 1 {
		r = 0
	}
	return n.Grad()[r*n.C : (r+1)*n.C]
}
