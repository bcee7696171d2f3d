package nn

import "github.com/gojammy/gojammy/flowcore/ad"

// rowLinear returns y_i = W_i·x_i + b_i for weights w (1 or R rows of out·in values, row-major
// out x in) and biases b (1 or R rows of out values, or nil for none), as one op with its
// vector-Jacobian product; one-row weights are shared by all rows of x.
func rowLinear(x, w, b *ad.Node, in, out int) *ad.Node {
	t := x.Tape()
	r := max(x.R, w.R)
	row := func(n *ad.Node, i, size int) int {
		if n.R == 1 {
			return 0
		}
		return i * size
	}
	y := t.New(r, out)
	for i := 0; i < r; i++ {
		xi := x.Val[row(x, i, in) : row(x, i, in)+in]
		wi := w.Val[row(w, i, in*out) : row(w, i, in*out)+in*out]
		for j := 0; j < out; j++ {
			s := 0.0
			if b != nil {
				s = b.Val[row(b, i, out)+j]
			}
			for k, v := range wi[j*in : (j+1)*in] {
				s += v * xi[k]
			}
			y.Val[i*out+j] = s
		}
	}
	t.Record([]*ad.Node{y}, []*ad.Node{x, w, b}, func() {
		g := y.Grad()
		for i := 0; i < r; i++ {
			xo, wo := row(x, i, in), row(w, i, in*out)
			xi, wi, gi := x.Val[xo:xo+in], w.Val[wo:wo+in*out], g[i*out:(i+1)*out]
			if x.NeedsGrad() {
				gx := x.Grad()[xo : xo+in]
				for j, gj := range gi {
					for k, v := range wi[j*in : (j+1)*in] {
						gx[k] += gj * v
					}
				}
			}
			if w.NeedsGrad() {
				gw := w.Grad()[wo : wo+in*out]
				for j, gj := range gi {
					for k, v := range xi {
						gw[j*in+k] += gj * v
					}
				}
			}
			if b != nil && b.NeedsGrad() {
				gb := b.Grad()[row(b, i, out) : row(b, i, out)+out]
				for j, gj := range gi {
					gb[j] += gj
				}
			}
		}
	})
	return y
}
