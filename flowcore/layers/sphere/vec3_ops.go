package sphere

import (
	"fmt"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// bcast is how a node broadcasts to an R x C result: the offset of entry (i, j) is i·rs + j·cs.
type bcast struct{ rs, cs int }

// broadcastTo returns the common R x C shape of the nodes (each 1 x 1, 1 x C, R x 1 or R x C) and
// their offsets; it panics on incompatible shapes, as the ad ops do.
func broadcastTo(op string, ns ...*ad.Node) (r, c int, bs []bcast) {
	r, c = 1, 1
	for _, n := range ns {
		r, c = max(r, n.R), max(c, n.C)
	}
	bs = make([]bcast, len(ns))
	for k, n := range ns {
		if (n.R != 1 && n.R != r) || (n.C != 1 && n.C != c) {
			panic(fmt.Sprintf("%s: cannot broadcast %dx%d to %dx%d", op, n.R, n.C, r, c))
		}
		if n.R > 1 {
			bs[k].rs = n.C
		}
		if n.C > 1 {
			bs[k].cs = 1
		}
	}
	return r, c, bs
}

// dotVec3 is a·b = Σ_k a_k b_k elementwise over the three components (broadcasting) as one custom op.
func dotVec3(a, b vec3) *ad.Node {
	ins := []*ad.Node{a[0], a[1], a[2], b[0], b[1], b[2]}
	r, c, bs := broadcastTo("dotVec3", ins...)
	t := a[0].Tape()
	out := t.New(r, c)
	if n := len(out.Val); sameLen(n, ins) {
		a0, a1, a2, b0, b1, b2 := a[0].Val[:n], a[1].Val[:n], a[2].Val[:n], b[0].Val[:n], b[1].Val[:n], b[2].Val[:n]
		for i := range out.Val {
			out.Val[i] = a0[i]*b0[i] + a1[i]*b1[i] + a2[i]*b2[i]
		}
	} else {
		for i := 0; i < r; i++ {
			o := out.Val[i*c : (i+1)*c]
			for k := 0; k < 3; k++ {
				av, bv := a[k].Val[i*bs[k].rs:], b[k].Val[i*bs[k+3].rs:]
				ac, bc := bs[k].cs, bs[k+3].cs
				for j := range o {
					o[j] += av[j*ac] * bv[j*bc]
				}
			}
		}
	}
	if !t.Tracks(ins...) {
		return out
	}
	t.Record([]*ad.Node{out}, ins, func() {
		g := out.Grad()
		var gs [6][]float64
		for k, n := range ins {
			gs[k] = optGrad(n)
		}
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				gij := g[i*c+j]
				if gij == 0 {
					continue
				}
				for k := 0; k < 3; k++ {
					ia, ib := i*bs[k].rs+j*bs[k].cs, i*bs[k+3].rs+j*bs[k+3].cs
					if gs[k] != nil {
						gs[k][ia] += gij * b[k].Val[ib]
					}
					if gs[k+3] != nil {
						gs[k+3][ib] += gij * a[k].Val[ia]
					}
				}
			}
		}
	})
	return out
}

// mul is a·b elementwise (broadcasting) as a custom op without a function call per element.
func mul(a, b *ad.Node) *ad.Node {
	r, c, bs := broadcastTo("mul", a, b)
	t := a.Tape()
	out := t.New(r, c)
	switch n := len(out.Val); {
	case len(a.Val) == n && len(b.Val) == n:
		av, bv := a.Val[:n], b.Val[:n]
		for k, x := range av {
			out.Val[k] = x * bv[k]
		}
	case len(b.Val) == 1:
		mulScalar(out.Val, a.Val[:n], b.Val[0])
	case len(a.Val) == 1:
		mulScalar(out.Val, b.Val[:n], a.Val[0])
	default:
		for i := 0; i < r; i++ {
			o, ao, bo := out.Val[i*c:(i+1)*c], i*bs[0].rs, i*bs[1].rs
			switch {
			case bs[0].cs == 0: // (with b's cs also 0, c is 1)
				mulScalar(o, b.Val[bo:bo+c], a.Val[ao])
			case bs[1].cs == 0:
				mulScalar(o, a.Val[ao:ao+c], b.Val[bo])
			default:
				bv := b.Val[bo : bo+c]
				for j, x := range a.Val[ao : ao+c] {
					o[j] = x * bv[j]
				}
			}
		}
	}
	if !t.Tracks(a, b) {
		return out
	}
	t.Record([]*ad.Node{out}, []*ad.Node{a, b}, func() {
		g, ga, gb := out.Grad(), optGrad(a), optGrad(b)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				gij := g[i*c+j]
				if gij == 0 {
					continue
				}
				ia, ib := i*bs[0].rs+j*bs[0].cs, i*bs[1].rs+j*bs[1].cs
				if ga != nil {
					ga[ia] += gij * b.Val[ib]
				}
				if gb != nil {
					gb[ib] += gij * a.Val[ia]
				}
			}
		}
	})
	return out
}

// mulScalar sets dst = a·s.
func mulScalar(dst, a []float64, s float64) {
	for k, x := range a {
		dst[k] = x * s
	}
}

// sameLen reports whether every node has n values (then all have the result's shape).
func sameLen(n int, ns []*ad.Node) bool {
	for _, in := range ns {
		if len(in.Val) != n {
			return false
		}
	}
	return true
}
