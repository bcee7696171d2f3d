package nn

import "github.com/gojammy/gojammy/flowcore/ad"

// rowLinear returns y_i = W_i·x_i + b_i, with W_i (out x in, row-major) and b_i read in place from
// row i of p (or from its only row, shared by all rows of x) at columns wOff and bOff (bOff < 0:
// no bias), as one op with its vector-Jacobian product. Reading the parameters in place spares
// copying per-event weight blocks out of a wide parameter matrix.
func rowLinear(x, p *ad.Node, wOff, bOff, in, out int) *ad.Node {
	t := x.Tape()
	r := max(x.R, p.R)
	xRow := func(i int) int { return i * x.RowStep() * in }
	pRow := func(i int) int { return i * p.RowStep() * p.C }
	y := t.New(r, out)
	for i := 0; i < r; i++ {
		xi := x.Val[xRow(i) : xRow(i)+in]
		po := pRow(i)
		wi := p.Val[po+wOff : po+wOff+in*out]
		for j := 0; j < out; j++ {
			s := 0.0
			if bOff >= 0 {
				s = p.Val[po+bOff+j]
			}
			for k, v := range wi[j*in : (j+1)*in] {
				s += v * xi[k]
			}
			y.Val[i*out+j] = s
		}
	}
	if !t.Tracks(x, p) {
		return y
	}
	t.Record([]*ad.Node{y}, []*ad.Node{x, p}, func() {
		g := y.Grad()
		for i := 0; i < r; i++ {
			xo, po := xRow(i), pRow(i)
			xi, wi, gi := x.Val[xo:xo+in], p.Val[po+wOff:po+wOff+in*out], g[i*out:(i+1)*out]
			if x.NeedsGrad() {
				gx := x.Grad()[xo : xo+in]
				for j, gj := range gi {
					for k, v := range wi[j*in : (j+1)*in] {
						gx[k] += gj * v
					}
				}
			}
			if !p.NeedsGrad() {
				continue
			}
			gp := p.Grad()[po : po+p.C]
			gw := gp[wOff : wOff+in*out]
			for j, gj := range gi {
				for k, v := range xi {
					gw[j*in+k] += gj * v
				}
			}
			if bOff >= 0 {
				gb := gp[bOff : bOff+out]
				for j, gj := range gi {
					gb[j] += gj
				}
			}
		}
	})
	return y
}
