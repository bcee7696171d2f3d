package geom

import "github.com/gojammy/gojammy/flowcore/ad"

// Vec3 is a batch of 3-vectors as three R x 1 (or 1 x 1, or R x C) columns on the tape; the
// operations broadcast like the ad ops.
type Vec3 [3]*ad.Node

// SplitVec3 returns the columns of an R x 3 node.
func SplitVec3(e *ad.Node) Vec3 {
	return Vec3{ad.Cols(e, 0, 1), ad.Cols(e, 1, 1), ad.Cols(e, 2, 1)}
}

// Node joins the columns into an R x 3 node.
func (a Vec3) Node() *ad.Node { return ad.Concat(a[0], a[1], a[2]) }

// Add returns a + b.
func (a Vec3) Add(b Vec3) Vec3 {
	return Vec3{ad.Add(a[0], b[0]), ad.Add(a[1], b[1]), ad.Add(a[2], b[2])}
}

// Sub returns a - b.
func (a Vec3) Sub(b Vec3) Vec3 {
	return Vec3{ad.Sub(a[0], b[0]), ad.Sub(a[1], b[1]), ad.Sub(a[2], b[2])}
}

// Scale multiplies every component by s (broadcasting).
func (a Vec3) Scale(s *ad.Node) Vec3 {
	return Vec3{ad.Mul(a[0], s), ad.Mul(a[1], s), ad.Mul(a[2], s)}
}

// Cross returns the cross product a × b.
func (a Vec3) Cross(b Vec3) Vec3 {
	return Vec3{
		ad.Sub(ad.Mul(a[1], b[2]), ad.Mul(a[2], b[1])),
		ad.Sub(ad.Mul(a[2], b[0]), ad.Mul(a[0], b[2])),
		ad.Sub(ad.Mul(a[0], b[1]), ad.Mul(a[1], b[0])),
	}
}

// SumCols returns the row sums of every component (R x C -> R x 1).
func (a Vec3) SumCols() Vec3 {
	return Vec3{ad.SumCols(a[0]), ad.SumCols(a[1]), ad.SumCols(a[2])}
}

// Dot is a·b = Σ_k a_k b_k elementwise over the three components (broadcasting), as one custom op.
func (a Vec3) Dot(b Vec3) *ad.Node {
	ins := []*ad.Node{a[0], a[1], a[2], b[0], b[1], b[2]}
	r, c, st := ad.Broadcast("Vec3.Dot", ins...)
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
				av, bv := a[k].Val[i*st[k].Row:], b[k].Val[i*st[k+3].Row:]
				ac, bc := st[k].Col, st[k+3].Col
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
			gs[k] = n.OptGrad()
		}
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				gij := g[i*c+j]
				if gij == 0 {
					continue
				}
				for k := 0; k < 3; k++ {
					ia, ib := i*st[k].Row+j*st[k].Col, i*st[k+3].Row+j*st[k+3].Col
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

// sameLen reports whether every node has n values (then all have the result's shape).
func sameLen(n int, ns []*ad.Node) bool {
	for _, in := range ns {
		if len(in.Val) != n {
			return false
		}
	}
	return true
}
