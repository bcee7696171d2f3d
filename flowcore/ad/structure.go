package ad

import (
	"fmt"

	"github.com/gojammy/gojammy/simd"
)

// Cols returns the columns [start, start+n) of a. For a one-row node they are contiguous and the
// result is a view: its values (and its gradient, when a needs one) are a's, nothing is copied.
func Cols(a *Node, start, n int) *Node {
	if start < 0 || n < 0 || start+n > a.C {
		panic(fmt.Sprintf("ad.Cols: columns [%d,%d) of a %d-column node", start, start+n, a.C))
	}
	t := a.tape
	if n == a.C {
		return a
	}
	if a.R == 1 {
		return a.view(1, n, start)
	}
	out := t.NewRaw(a.R, n)
	for i := 0; i < a.R; i++ {
		copy(out.Val[i*n:(i+1)*n], a.Val[i*a.C+start:i*a.C+start+n])
	}
	if t.Tracks(a) {
		t.Record([]*Node{out}, []*Node{a}, func() {
			if out.grad == nil {
				return
			}
			ga := a.Grad()
			for i := 0; i < a.R; i++ {
				dst := ga[i*a.C+start : i*a.C+start+n]
				for j, g := range out.grad[i*n : (i+1)*n] {
					dst[j] += g
				}
			}
		})
	}
	return out
}

// Gather returns the columns idx of a, in that order (columns may repeat).
func Gather(a *Node, idx []int) *Node {
	t := a.tape
	out := t.NewRaw(a.R, len(idx))
	for i := 0; i < a.R; i++ {
		row, orow := a.Val[i*a.C:(i+1)*a.C], out.Val[i*out.C:(i+1)*out.C]
		for j, k := range idx {
			orow[j] = row[k]
		}
	}
	if t.Tracks(a) {
		t.Record([]*Node{out}, []*Node{a}, func() {
			if out.grad == nil {
				return
			}
			ga := a.Grad()
			for i := 0; i < a.R; i++ {
				for j, k := range idx {
					ga[i*a.C+k] += out.grad[i*out.C+j]
				}
			}
		})
	}
	return out
}

// Concat joins nodes side by side (same number of rows, or one row broadcast to the others).
func Concat(parts ...*Node) *Node {
	t := parts[0].tape
	r, c := 1, 0
	for _, p := range parts {
		if p.R != 1 {
			if r != 1 && r != p.R {
				panic(fmt.Sprintf("ad.Concat: %d rows and %d rows", r, p.R))
			}
			r = p.R
		}
		c += p.C
	}
	out := t.NewRaw(r, c)
	off := 0
	for _, p := range parts {
		switch {
		case p.C == c && p.R == r: // the only part
			copy(out.Val, p.Val)
		case p.C == 1 && p.R == r: // one column: element by element, not a copy call per row
			for i, v := range p.Val {
				out.Val[i*c+off] = v
			}
		default:
			for i := 0; i < r; i++ {
				pi := i
				if p.R == 1 {
					pi = 0
				}
				copy(out.Val[i*c+off:i*c+off+p.C], p.Val[pi*p.C:(pi+1)*p.C])
			}
		}
		off += p.C
	}
	if t.Tracks(parts...) {
		t.Record([]*Node{out}, parts, func() {
			if out.grad == nil {
				return
			}
			off := 0
			for _, p := range parts {
				if p.needsGrad {
					gp := p.Grad()
					for i := 0; i < r; i++ {
						pi := i
						if p.R == 1 {
							pi = 0
						}
						src := out.grad[i*c+off : i*c+off+p.C]
						dst := gp[pi*p.C : (pi+1)*p.C]
						for j, g := range src {
							dst[j] += g
						}
					}
				}
				off += p.C
			}
		})
	}
	return out
}

// SumCols returns the R x 1 row sums of a.
func SumCols(a *Node) *Node {
	t := a.tape
	out := t.New(a.R, 1)
	for i := 0; i < a.R; i++ {
		s := 0.0
		for _, v := range a.Val[i*a.C : (i+1)*a.C] {
			s += v
		}
		out.Val[i] = s
	}
	if t.Tracks(a) {
		t.Record([]*Node{out}, []*Node{a}, func() {
			if out.grad == nil {
				return
			}
			ga := a.Grad()
			for i := 0; i < a.R; i++ {
				g := out.grad[i]
				for j := i * a.C; j < (i+1)*a.C; j++ {
					ga[j] += g
				}
			}
		})
	}
	return out
}

// SumRows returns the 1 x C column sums of a.
func SumRows(a *Node) *Node {
	t := a.tape
	out := t.New(1, a.C)
	for i := 0; i < a.R; i++ {
		for j := 0; j < a.C; j++ {
			out.Val[j] += a.Val[i*a.C+j]
		}
	}
	if t.Tracks(a) {
		t.Record([]*Node{out}, []*Node{a}, func() {
			if out.grad == nil {
				return
			}
			ga := a.Grad()
			for i := 0; i < a.R; i++ {
				for j := 0; j < a.C; j++ {
					ga[i*a.C+j] += out.grad[j]
				}
			}
		})
	}
	return out
}

// BroadcastRows returns a with its single row repeated r times (a must have one row or r rows).
func BroadcastRows(a *Node, r int) *Node {
	if a.R == r {
		return a
	}
	return Add(a, a.tape.New(r, 1))
}

// Linear returns x·Wᵀ + b for x (R x in), W (out x in, row-major, as torch.nn.Linear stores it) and
// b (1 x out); the matrix products run in simd.Dgemm.
func Linear(x, w, b *Node) *Node {
	if w.C != x.C || b.C != w.R || b.R != 1 {
		panic(fmt.Sprintf("ad.Linear: x %dx%d, W %dx%d, b %dx%d", x.R, x.C, w.R, w.C, b.R, b.C))
	}
	t := x.tape
	out := t.NewRaw(x.R, w.R)
	for i := 0; i < x.R; i++ {
		copy(out.Val[i*out.C:(i+1)*out.C], b.Val)
	}
	simd.Dgemm(false, true, x.R, w.R, x.C, 1, x.Val, x.C, w.Val, w.C, 1, out.Val, out.C)
	if t.Tracks(x, w, b) {
		t.Record([]*Node{out}, []*Node{x, w, b}, func() {
			if out.grad == nil {
				return
			}
			g := out.grad
			if x.needsGrad {
				simd.Dgemm(false, false, out.R, x.C, out.C, 1, g, out.C, w.Val, w.C, 1, x.Grad(), x.C)
			}
			if w.needsGrad {
				simd.Dgemm(true, false, w.R, w.C, out.R, 1, g, out.C, x.Val, x.C, 1, w.Grad(), w.C)
			}
			if b.needsGrad {
				gb := b.Grad()
				for i := 0; i < out.R; i++ {
					for j, v := range out.grad[i*out.C : (i+1)*out.C] {
						gb[j] += v
					}
				}
			}
		})
	}
	return out
}

// Reshape returns a's values as an r x c node (r*c must equal a's size).
func Reshape(a *Node, r, c int) *Node {
	if r*c != len(a.Val) {
		panic(fmt.Sprintf("ad.Reshape: %dx%d to %dx%d", a.R, a.C, r, c))
	}
	return a.view(r, c, 0)
}

// SelectRows returns, row by row, the row of a where pick is true and the row of b elsewhere
// (a and b have len(pick) rows or one broadcast row, and the same columns); gradients go to the
// chosen operand only.
func SelectRows(pick []bool, a, b *Node) *Node {
	t := a.tape
	r, c := len(pick), a.C
	out := t.New(r, c)
	src := func(n *Node, i int) int {
		if n.R == 1 {
			return 0
		}
		return i * c
	}
	chosen := func(i int) *Node {
		if pick[i] {
			return a
		}
		return b
	}
	for i := range pick {
		n := chosen(i)
		copy(out.Val[i*c:(i+1)*c], n.Val[src(n, i):src(n, i)+c])
	}
	t.Record([]*Node{out}, []*Node{a, b}, func() {
		g := out.Grad()
		for i := range pick {
			n := chosen(i)
			if !n.needsGrad {
				continue
			}
			gn := n.Grad()
			for j := 0; j < c; j++ {
				gn[src(n, i)+j] += g[i*c+j]
			}
		}
	})
	return out
}

// GatherRows copies the listed rows of p onto tape t as a constant (p itself, copied, if it has
// one broadcast row).
func GatherRows(t *Tape, p *Node, rows []int) *Node {
	if p.R == 1 {
		return t.Const(1, p.C, p.Val)
	}
	vals := make([]float64, 0, len(rows)*p.C)
	for _, i := range rows {
		vals = append(vals, p.Val[i*p.C:(i+1)*p.C]...)
	}
	return t.Const(len(rows), p.C, vals)
}
