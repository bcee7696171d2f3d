package flowcore

import (
	"fmt"
	"math"
	"slices"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/manifold"
)

// Density holds the result of a log-density evaluation of n events.
type Density struct {
	// LogPDF is log p(x) per event (-inf outside the support, NaN for rows with NaN).
	LogPDF []float64
	// BaseLogPDF is the standard-normal log-density of the base point per event.
	BaseLogPDF []float64
	// Base holds the base points, n x BaseDim row-major.
	Base []float64
	// SubLogPDF holds, from SubLogDensity (or LogDensityInto given it), the conditional
	// log-density of every sub-manifold given the earlier ones, log p_k(x_k | x_<k), n x
	// NumSubManifolds row-major (the row sums to LogPDF; -inf rows outside the support, NaN
	// rows NaN).
	SubLogPDF []float64
}

// Gradients holds the gradients of Σ_i w_i log p(x_i) (w_i = 1 for LogDensityGrad; rows with
// non-finite log p left out).
type Gradients struct {
	// Params is the gradient with respect to the flat parameter vector.
	Params []float64
	// X is the gradient with respect to the points (n x Dim row-major; 0 for rows outside the
	// support, NaN for NaN rows).
	X []float64
	// Cond is the gradient with respect to the conditional inputs (n x ConditionalDim, rows as X;
	// nil for an unconditional PDF).
	Cond []float64
	// Amortization is the gradient with respect to the amortization parameters of an
	// amortize-everything PDF (n x NumAmortizationParams, rows as X); nil for other PDFs.
	Amortization []float64
}

// checkInputs validates the shapes of a batch.
func (p *PDF) checkInputs(x []float64, n int, cond []float64, l layout) error {
	if err := p.checkPoints(x, n, l); err != nil {
		return err
	}
	return p.checkCond(cond, n)
}

// checkPoints validates the shape of n points x in the coordinates l.
func (p *PDF) checkPoints(x []float64, n int, l layout) error {
	if n < 0 {
		return fmt.Errorf("x: negative number of rows %d", n)
	}
	if d := p.width(l); len(x) != n*d {
		return fmt.Errorf("x: got %d values for %d rows of dimension %d", len(x), n, d)
	}
	return nil
}

func (p *PDF) checkCond(cond []float64, n int) error {
	cd := p.condWidth
	switch {
	case cd == 0 && cond != nil:
		return fmt.Errorf("conditional_input: the PDF is unconditional; pass none")
	case cd > 0 && len(cond) != n*cd:
		return fmt.Errorf("conditional_input: got %d values for %d rows of dimension %d", len(cond), n, cd)
	}
	return nil
}

// sanitize classifies the rows of a block into status (one entry per row): 0 valid, 1 outside
// the support, 2 contains NaN.
// Invalid rows of xs (a copy) are replaced by centerRow so that the computation stays finite; the
// caller overwrites their outputs.
func (p *PDF) sanitize(status []byte, xs []float64, cond []float64, l layout) {
	d, cd, rows := p.width(l), p.condWidth, len(status)
	clear(status)
	if p.allValid(xs, cond, l) {
		return
	}
	var center []float64 // the stand-in row, made at the first invalid row
	// Per sub-manifold: its width in these coordinates, and whether every finite point is in its
	// support (then rows of finite values skip its check).
	widths := make([]int, len(p.subs))
	free := make([]bool, len(p.subs))
	for k, s := range p.subs {
		widths[k], free[k] = s.dim(l[k]), manifold.FiniteSupport(s.manifold)
	}
	for i := 0; i < rows; i++ {
		row := xs[i*d : (i+1)*d]
		finite, huge := true, false
		for _, v := range row {
			if v-v != 0 { // NaN or ±Inf
				finite = false
				if v != v {
					status[i] = 2
				}
			} else if math.Abs(v) >= MaxMagnitude {
				huge = true
			}
		}
		if huge && status[i] == 0 {
			status[i] = 1
		}
		if cond != nil {
			for _, v := range cond[i*cd : (i+1)*cd] {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					status[i] = 2
				}
			}
		}
		off := 0
		for k, s := range p.subs {
			part := row[off : off+widths[k]]
			off += widths[k]
			if finite && free[k] {
				continue
			}
			var inside bool
			if l[k] {
				inside = s.manifold.InEmbeddingSupport(part)
			} else {
				inside = s.manifold.InSupport(part)
			}
			if !inside && status[i] == 0 {
				status[i] = 1
			}
		}
		if status[i] != 0 {
			if center == nil {
				center = p.centerRow(l)
			}
			copy(row, center)
			if cond != nil {
				clear(cond[i*cd : (i+1)*cd])
			}
		}
	}
}

// allValid reports whether every row of a block is valid: all values of xs and cond finite and
// every part inside its manifold's support. It is the common case, checked in a few tight loops
// before sanitize looks at rows one by one.
func (p *PDF) allValid(xs, cond []float64, l layout) bool {
	if !allModerate(xs) || !allFinite(cond) {
		return false
	}
	d, off := p.width(l), 0
	for k, s := range p.subs {
		w := s.dim(l[k])
		if !manifold.FiniteSupport(s.manifold) && !manifold.AllInSupport(s.manifold, xs, off, d, l[k]) {
			return false
		}
		off += w
	}
	return true
}

// MaxMagnitude bounds the coordinates a density is computed for: beyond it squares overflow
// float64 inside the layers, so a point with a coordinate of magnitude >= MaxMagnitude (where
// every density of the library is 0 to float64 precision) gets log p = -inf, as a point outside
// the support.
const MaxMagnitude = 1e154

// allModerate reports whether every value of s has magnitude < MaxMagnitude (false for NaN).
func allModerate(s []float64) bool {
	for _, v := range s {
		if !(math.Abs(v) < MaxMagnitude) {
			return false
		}
	}
	return true
}

// allFinite reports whether no value of s is NaN or ±Inf (v·0 is NaN exactly for those).
func allFinite(s []float64) bool {
	var a, b float64
	for i := 0; i+1 < len(s); i += 2 {
		a += s[i] * 0
		b += s[i+1] * 0
	}
	if len(s)%2 == 1 {
		a += s[len(s)-1] * 0
	}
	return a == 0 && b == 0
}

// centerRow is a point made of each manifold's center in the coordinates l: the stand-in for
// invalid rows (whose conditional inputs become zeros), so that the computation stays finite.
func (p *PDF) centerRow(l layout) []float64 {
	var row []float64
	for k, s := range p.subs {
		center := s.manifold.Center()
		if l[k] {
			t := ad.NewTape(false)
			center = s.manifold.ToEmbedding(t.Const(1, len(center), center)).Val
		}
		row = append(row, center...)
	}
	return row
}

// densityBlock evaluates log p on one block of rows on tape t. With parts non-nil (one entry
// per sub-manifold), it also records the conditional log-density of every sub-manifold given
// the earlier ones in parts.
func (p *PDF) densityBlock(params, x, cond *ad.Node, l layout, parts []*ad.Node) (logp, baseLogp, base *ad.Node) {
	var logDet *ad.Node // nil: zero
	var earlier, zs []*ad.Node
	off := 0
	for k, s := range p.subs {
		before := logDet
		if parts != nil { // this sub-manifold's log-determinant on its own
			logDet = nil
		}
		w := s.dim(l[k])
		xk := ad.Cols(x, off, w)
		off += w
		var xi, emb *ad.Node
		if l[k] {
			emb = xk
			xi = s.manifold.FromEmbedding(xk)
			logDet = layers.AddLogDet(logDet, ad.Neg(s.manifold.LogVolume(xi)))
		} else {
			xi = xk
			if k+1 < len(p.subs) { // only later sub-flows are conditioned on the embedding
				emb = s.manifold.ToEmbedding(xk)
			}
		}
		xi, logDet = s.chain.Inverse(xi, s.layerParams(params, cond, earlier), logDet)
		z, ld := s.manifold.ToBase(xi)
		logDet = layers.AddLogDet(logDet, ld)
		if parts != nil {
			parts[k] = ad.Add(ad.NormalLogPDF(z), logDet)
			logDet = layers.AddLogDet(before, logDet)
		}
		zs = append(zs, z)
		earlier = append(earlier, emb)
	}
	base = ad.Concat(zs...)
	baseLogp = ad.NormalLogPDF(base)
	return ad.Add(baseLogp, logDet), baseLogp, base
}

// LogDensity evaluates log p(x) for n events x (row-major n x Dim(c)); cond holds n x
// ConditionalDim conditional inputs (nil for an unconditional PDF).
func (p *PDF) LogDensity(x []float64, n int, cond []float64, c Coords) (Density, error) {
	d, _, err := p.evaluate(x, n, cond, false, nil, c, false, nil, nil)
	return d, err
}

// LogDensityInto is LogDensityAmortized (amort nil for other PDFs) writing the results into
// dst's slices instead of new ones: n values each for LogPDF and BaseLogPDF, n×BaseDim for Base;
// a nil slice is a result not wanted. It saves the allocation and the copy of the results,
// e.g. for callers that hand over their own arrays (the C API).
func (p *PDF) LogDensityInto(dst Density, x []float64, n int, cond, amort []float64, c Coords) error {
	_, _, err := p.evaluate(x, n, cond, false, amort, c, false, nil, &dst)
	return err
}

// LogDensityGrad evaluates log p(x) and the gradients of Σ log p with respect to the parameters,
// to x and to the conditional inputs.
func (p *PDF) LogDensityGrad(x []float64, n int, cond []float64, c Coords) (Density, Gradients, error) {
	return p.evaluate(x, n, cond, false, nil, c, true, nil, nil)
}

// LogDensityVJP is the vector-Jacobian product of the log-density: it evaluates log p(x) and the
// gradients of Σ_i weights[i]·log p(x_i) with respect to the parameters, to x and to the
// conditional inputs (weights: n values, the gradient of a loss with respect to log p; nil means
// all ones, as LogDensityGrad).
func (p *PDF) LogDensityVJP(x []float64, n int, cond []float64, c Coords, weights []float64) (Density, Gradients, error) {
	return p.LogDensityVJPAmortized(x, n, cond, nil, c, weights)
}

// LogDensityVJPAmortized is LogDensityVJP with the amortization parameters of an
// amortize-everything PDF (amort: n rows, nil for other PDFs); the gradient with respect to them
// is Gradients.Amortization.
func (p *PDF) LogDensityVJPAmortized(x []float64, n int, cond, amort []float64, c Coords, weights []float64) (Density, Gradients, error) {
	if weights != nil && len(weights) != n {
		return Density{}, Gradients{}, fmt.Errorf("weights: got %d values for %d rows", len(weights), n)
	}
	return p.evaluate(x, n, cond, false, amort, c, true, weights, nil)
}

// LogDensityAt evaluates log p(x | c) for n events x that share one conditional input row c
// (ConditionalDim values), e.g. the points of a scan: the conditioning networks of sub-manifold
// 0 run once per block instead of once per point. Results equal LogDensity with c repeated
// for every row up to rounding (1e-12 relative; 1e-10 for the ill-conditioned n layer).
func (p *PDF) LogDensityAt(x []float64, n int, c []float64, coords Coords) (Density, error) {
	if err := p.checkCond(c, 1); err != nil {
		return Density{}, err
	}
	shared := p.canShareCond(c)
	if !shared && c != nil {
		c = slices.Repeat(c, max(n, 0))
	}
	d, _, err := p.evaluate(x, n, c, shared, nil, coords, false, nil, nil)
	return d, err
}

// canShareCond reports whether the blocks of a value-only call may use one conditional row c
// for all their points: a finite row of a PDF whose parameters come from conditioning MLPs (not
// a fully amortized one). Otherwise the row is repeated for every point.
func (p *PDF) canShareCond(c []float64) bool {
	return p.condWidth > 0 && p.outer == nil && !p.TakesAmortizationParams() && allFinite(c)
}

// evaluate runs the log-density (and with grad its weighted gradients) on n rows; amort holds
// the amortization parameters of an amortize-everything PDF (n rows; nil otherwise). With
// shared (value-only calls), cond is one conditional row for all n points. The results go to
// dst's slices (checked by checkDensityDst; nil ones are not computed) or, for dst nil, to new ones.
func (p *PDF) evaluate(x []float64, n int, cond []float64, shared bool, amort []float64, c Coords, grad bool, weights []float64,
	dst *Density) (Density, Gradients, error) {
	l, err := p.resolve(c)
	if err != nil {
		return Density{}, Gradients{}, err
	}
	if shared { // LogDensityAt checked the one row
		err = p.checkPoints(x, n, l)
	} else {
		err = p.checkInputs(x, n, cond, l)
	}
	if err != nil {
		return Density{}, Gradients{}, err
	}
	if err := p.checkAmortization(amort, n); err != nil {
		return Density{}, Gradients{}, err
	}
	dim, bd, cd, nsub := p.width(l), p.BaseDim(), p.condWidth, len(p.subs)
	var res Density
	if dst != nil {
		if err := checkDensityDst(*dst, n, bd, nsub); err != nil {
			return Density{}, Gradients{}, err
		}
		res = *dst
	} else {
		out := make([]float64, n*(2+bd)) // one allocation for the three results
		res = Density{LogPDF: out[:n:n], BaseLogPDF: out[n : 2*n : 2*n], Base: out[2*n:]}
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	// gx, gCond and blockGrads are set before the blocks run and only read by them (captured by
	// value: no heap cell for the single-event path).
	var gx, gCond, gAmort []float64
	var blockGrads [][]float64
	size := blockRows
	if grad {
		size = gradBlockRows
		gx = make([]float64, n*dim)
		if cd > 0 {
			gCond = make([]float64, n*cd)
		}
		if amort != nil {
			gAmort = make([]float64, n*p.nAmort)
		}
		blockGrads = make([][]float64, (n+size-1)/size)
	}
	err = forBlocks(n, size, func(b, lo, hi int) error {
		rows := hi - lo
		t := getTape(grad)
		defer putTape(t)
		// The block's points (and conditional rows) are copied to the tape: sanitize replaces the
		// invalid ones by a stand-in.
		xn := t.Var(rows, dim, x[lo*dim:hi*dim])
		var cn *ad.Node
		var cs []float64
		switch {
		case shared: // one finite row for the block: nothing for sanitize to check
			cn = t.Const(1, cd, cond)
		case cd > 0 && grad:
			cn = t.Var(rows, cd, cond[lo*cd:hi*cd])
		case cd > 0:
			cn = t.Const(rows, cd, cond[lo*cd:hi*cd])
		}
		if cn != nil && !shared {
			cs = cn.Val
		}
		var statusBuf [max(blockRows, gradBlockRows)]byte
		status := statusBuf[:rows]
		p.sanitize(status, xn.Val, cs, l)
		p.markNonFinite(status, amort, lo, hi)
		src, params, an := p.blockParams(t, cn, amort, lo, hi)
		var parts []*ad.Node
		if res.SubLogPDF != nil {
			parts = make([]*ad.Node, nsub)
		}
		logp, baseLogp, base := p.densityBlock(src, xn, cn, l, parts)
		logPDF, baseLogPDF, baseRows := rowsOf(res.LogPDF, lo, hi, 1), rowsOf(res.BaseLogPDF, lo, hi, 1), rowsOf(res.Base, lo, hi, bd)
		subRows := rowsOf(res.SubLogPDF, lo, hi, nsub)
		for k, part := range parts {
			for i, v := range part.Val {
				subRows[i*nsub+k] = v
			}
		}
		copy(logPDF, logp.Val)
		copy(baseLogPDF, baseLogp.Val)
		copy(baseRows, base.Val)
		seed := t.Floats(rows)
		checked, finiteParams := false, false // checked at the first NaN row only
		for i, st := range status {
			if st == 0 && math.IsNaN(logp.Val[i]) {
				if !checked {
					checked, finiteParams = true, allFinite(p.params)
				}
				if finiteParams {
					// a finite point with finite parameters: NaN only comes from overflow in the
					// far tails (|x| beyond ~1e150), where the density is 0 to float64 precision
					st, status[i] = 1, 1
				}
			}
			switch st {
			case 1, 2:
				v := math.NaN()
				if st == 1 {
					v = math.Inf(-1)
				}
				setRow(logPDF, i, 1, v)
				setRow(baseLogPDF, i, 1, math.NaN())
				setRow(baseRows, i, bd, math.NaN())
				setRow(subRows, i, nsub, v)
			default:
				if !math.IsInf(logp.Val[i], 0) && !math.IsNaN(logp.Val[i]) {
					seed[i] = 1
					if weights != nil {
						seed[i] = weights[lo+i]
					}
				}
			}
		}
		if !grad {
			return nil
		}
		if logp.NeedsGrad() {
			t.Backward(logp, seed)
		}
		blockGrads[b] = blockGrad(params.Grad())
		rowGrads(gx[lo*dim:hi*dim], xn.Grad(), status, dim)
		if cn != nil {
			rowGrads(gCond[lo*cd:hi*cd], cn.Grad(), status, cd)
		}
		if an != nil {
			rowGrads(gAmort[lo*p.nAmort:hi*p.nAmort], an.Grad(), status, p.nAmort)
		}
		return nil
	})
	if err != nil {
		return Density{}, Gradients{}, err
	}
	if grad {
		return res, Gradients{Params: sumBlockGrads(p.nParams, blockGrads), X: gx, Cond: gCond, Amortization: gAmort}, nil
	}
	return res, Gradients{}, nil
}

// rowGrads copies the per-row gradients of a block (rows of width w) to dst: valid rows as
// computed, rows outside the support 0, NaN rows NaN.
func rowGrads(dst, src []float64, status []byte, w int) {
	for i, st := range status {
		row := dst[i*w : (i+1)*w]
		switch st {
		case 0:
			copy(row, src[i*w:(i+1)*w])
		case 2:
			fill(row, math.NaN())
		}
	}
}

// checkDensityDst checks the slices a caller gave for the results of n events: n values for
// LogPDF and BaseLogPDF, n×bd for Base, n×nsub for SubLogPDF, or nil for a result not wanted.
func checkDensityDst(d Density, n, bd, nsub int) error {
	return checkOutputs([]output{{"log_pdf", d.LogPDF, n}, {"base_log_pdf", d.BaseLogPDF, n}, {"base", d.Base, n * bd},
		{"sub_log_pdf", d.SubLogPDF, n * nsub}})
}

// output is a result slice given by a caller, with its name and the number of values it must hold.
type output struct {
	name string
	s    []float64
	want int
}

// checkOutputs checks that every non-nil output holds the number of values it must.
func checkOutputs(outs []output) error {
	for _, o := range outs {
		if o.s != nil && len(o.s) != o.want {
			return fmt.Errorf("%s: output holds %d values, expected %d", o.name, len(o.s), o.want)
		}
	}
	return nil
}

// rowsOf returns rows lo to hi (of width w) of s, or nil for a nil s (a result not asked for).
func rowsOf(s []float64, lo, hi, w int) []float64 {
	if s == nil {
		return nil
	}
	return s[lo*w : hi*w]
}

// setRow sets row i (of width w) of s to v; a nil s is left alone.
func setRow(s []float64, i, w int, v float64) {
	if s != nil {
		fill(s[i*w:(i+1)*w], v)
	}
}

func fill(s []float64, v float64) {
	for i := range s {
		s[i] = v
	}
}

// SubLogDensity is LogDensity that also returns the conditional log-density of every
// sub-manifold given the earlier ones (Density.SubLogPDF): the pieces of the autoregressive
// factorization log p(x) = Σ_k log p_k(x_k | x_<k), as needed by marginal entropies.
func (p *PDF) SubLogDensity(x []float64, n int, cond []float64, c Coords) (Density, error) {
	return p.SubLogDensityAmortized(x, n, cond, nil, c)
}

// SubLogDensityAmortized is SubLogDensity with the amortization parameters of an
// amortize-everything PDF (amort: n rows, nil for other PDFs).
func (p *PDF) SubLogDensityAmortized(x []float64, n int, cond, amort []float64, c Coords) (Density, error) {
	if n < 0 {
		return Density{}, fmt.Errorf("x: negative number of rows %d", n)
	}
	bd, nsub := p.BaseDim(), len(p.subs)
	out := make([]float64, n*(2+bd+nsub))
	d := Density{LogPDF: out[:n:n], BaseLogPDF: out[n : 2*n : 2*n], Base: out[2*n : n*(2+bd) : n*(2+bd)], SubLogPDF: out[n*(2+bd):]}
	_, _, err := p.evaluate(x, n, cond, false, amort, c, false, nil, &d)
	return d, err
}
