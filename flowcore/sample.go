package flowcore

import (
	"fmt"
	"slices"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
)

// Samples holds n draws from a PDF.
type Samples struct {
	// X holds the samples, n x Dim(c) row-major.
	X []float64
	// Base holds the standard-normal base points, n x BaseDim.
	Base []float64
	// LogPDF is log p of each sample, BaseLogPDF the base log-density.
	LogPDF, BaseLogPDF []float64
}

// SampleSeeds holds the seeds of a vector-Jacobian product through sampling: SampleVJP returns
// the gradients of Σ X·SeedX + Σ LogPDF·SeedLogPDF (SeedX n x Dim, SeedLogPDF n values: the
// gradients of a loss with respect to the samples and their log-densities; either may be nil).
type SampleSeeds struct {
	SeedX, SeedLogPDF []float64
}

// SampleGradients holds the gradients of a vector-Jacobian product through sampling
// (reparameterization gradients: the base draws held fixed, implicit-function gradients through
// every root finder).
type SampleGradients struct {
	// Params is the gradient with respect to the flat parameter vector.
	Params []float64
	// Cond is the gradient with respect to the conditional inputs (n x ConditionalDim; nil for an
	// unconditional PDF).
	Cond []float64
	// Base is the gradient with respect to the standard-normal base draws (n x BaseDim).
	Base []float64
	// Amortization is the gradient with respect to the amortization parameters of an
	// amortize-everything PDF (n x NumAmortizationParams); nil for other PDFs.
	Amortization []float64
}

// Sample draws n events (one per conditional row if the PDF is conditional: then cond holds n rows).
// The same seed gives the same samples whatever the number of threads.
func (p *PDF) Sample(n int, cond []float64, seed uint64, c Coords) (Samples, error) {
	s, _, err := p.sample(n, cond, false, nil, drawNormals(seed), c, nil, nil)
	return s, err
}

// SampleInto is SampleAmortized (amort nil for other PDFs) writing the results into dst's slices
// instead of new ones: n×Dim(c) values for X, n×BaseDim for Base, n each for LogPDF and
// BaseLogPDF; a nil slice is a result not wanted.
func (p *PDF) SampleInto(dst Samples, n int, cond, amort []float64, seed uint64, c Coords) error {
	_, _, err := p.sample(n, cond, false, amort, drawNormals(seed), c, nil, &dst)
	return err
}

// FromBase maps n given standard-normal base points z (n x BaseDim) to samples, as Sample does
// with the points it draws.
func (p *PDF) FromBase(z []float64, n int, cond []float64, c Coords) (Samples, error) {
	if err := p.checkBase(z, n); err != nil {
		return Samples{}, err
	}
	s, _, err := p.sample(n, cond, false, nil, givenBase(z, p.BaseDim()), c, nil, nil)
	return s, err
}

// FromBaseVJP is FromBase with the gradients of SampleVJP.
func (p *PDF) FromBaseVJP(z []float64, n int, cond []float64, c Coords, seeds SampleSeeds) (Samples, SampleGradients, error) {
	return p.FromBaseVJPAmortized(z, n, cond, nil, c, seeds)
}

// FromBaseVJPAmortized is FromBaseVJP with the amortization parameters of an
// amortize-everything PDF (amort: n rows, nil for other PDFs); the gradient with respect to them
// is SampleGradients.Amortization.
func (p *PDF) FromBaseVJPAmortized(z []float64, n int, cond, amort []float64, c Coords, seeds SampleSeeds) (Samples, SampleGradients, error) {
	if err := p.checkBase(z, n); err != nil {
		return Samples{}, SampleGradients{}, err
	}
	return p.sample(n, cond, false, amort, givenBase(z, p.BaseDim()), c, &seeds, nil)
}

func (p *PDF) checkBase(z []float64, n int) error {
	if n >= 0 && len(z) != n*p.BaseDim() {
		return fmt.Errorf("base: got %d values for %d rows of base dimension %d", len(z), n, p.BaseDim())
	}
	return nil
}

// baseSource fills the base points of block b (rows lo to hi) into z.
type baseSource func(z []float64, b, lo, hi int)

// drawNormals draws the base points from the generator of seed, one stream per block, so that
// the samples do not depend on the number of threads.
func drawNormals(seed uint64) baseSource {
	return func(z []float64, b, _, _ int) {
		rng := newRNG(seed, uint64(b))
		for i := range z {
			z[i] = rng.NormFloat64()
		}
	}
}

// givenBase copies the base points from z (rows of width bd).
func givenBase(z []float64, bd int) baseSource {
	return func(dst []float64, _, lo, hi int) { copy(dst, z[lo*bd:hi*bd]) }
}

// SampleVJP draws like Sample (the same seed gives the same samples) and returns the gradients of
// Σ X·seeds.SeedX + Σ LogPDF·seeds.SeedLogPDF with respect to the parameters, the conditional
// inputs and the base draws.
func (p *PDF) SampleVJP(n int, cond []float64, seed uint64, c Coords, seeds SampleSeeds) (Samples, SampleGradients, error) {
	return p.sample(n, cond, false, nil, drawNormals(seed), c, &seeds, nil)
}

// SampleAt draws n events that share one conditional input row c (ConditionalDim values): the
// conditioning networks of sub-manifold 0 run once per block instead of once per event. The
// samples equal Sample's with c repeated for every row up to rounding (1e-12 relative; 1e-10
// for the ill-conditioned n layer).
func (p *PDF) SampleAt(n int, c []float64, seed uint64, coords Coords) (Samples, error) {
	if err := p.checkCond(c, 1); err != nil {
		return Samples{}, err
	}
	shared := p.canShareCond(c)
	if !shared && c != nil {
		c = slices.Repeat(c, max(n, 0))
	}
	s, _, err := p.sample(n, c, shared, nil, drawNormals(seed), coords, nil, nil)
	return s, err
}

// sample maps n base points to samples; amort holds the amortization parameters of an
// amortize-everything PDF (n rows; nil otherwise). With shared (value-only calls), cond is one
// conditional row for all n events. The results go to dst's slices (checked by checkSamplesDst;
// nil ones are not kept) or, for dst nil, to new ones.
func (p *PDF) sample(n int, cond []float64, shared bool, amort []float64, base baseSource, c Coords, seeds *SampleSeeds,
	dst *Samples) (Samples, SampleGradients, error) {
	if n < 0 {
		return Samples{}, SampleGradients{}, fmt.Errorf("samplesize: must be >= 0, got %d", n)
	}
	if !shared {
		if err := p.checkCond(cond, n); err != nil {
			return Samples{}, SampleGradients{}, err
		}
	}
	if err := p.checkAmortization(amort, n); err != nil {
		return Samples{}, SampleGradients{}, err
	}
	l, err := p.resolve(c)
	if err != nil {
		return Samples{}, SampleGradients{}, err
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	dim, bd, cd := p.width(l), p.BaseDim(), p.condWidth
	if err := CheckMemory(fmt.Sprintf("samplesize=%d", n), int64(n), int64(dim+bd+2)); err != nil {
		return Samples{}, SampleGradients{}, err
	}
	if seeds != nil {
		if seeds.SeedX != nil && len(seeds.SeedX) != n*dim {
			return Samples{}, SampleGradients{}, fmt.Errorf("seed for samples: got %d values, want %d", len(seeds.SeedX), n*dim)
		}
		if seeds.SeedLogPDF != nil && len(seeds.SeedLogPDF) != n {
			return Samples{}, SampleGradients{}, fmt.Errorf("seed for log_pdf: got %d values, want %d", len(seeds.SeedLogPDF), n)
		}
	}
	var out Samples
	if dst != nil {
		if err := checkSamplesDst(*dst, n, dim, bd); err != nil {
			return Samples{}, SampleGradients{}, err
		}
		out = *dst
	} else {
		buf := make([]float64, n*(dim+bd+2)) // one allocation for the four results
		out = Samples{X: buf[: n*dim : n*dim], Base: buf[n*dim : n*(dim+bd) : n*(dim+bd)],
			LogPDF: buf[n*(dim+bd) : n*(dim+bd+1) : n*(dim+bd+1)], BaseLogPDF: buf[n*(dim+bd+1):]}
	}
	grad := seeds != nil
	var g SampleGradients
	var blockGrads [][]float64
	if grad {
		blockGrads = make([][]float64, (n+blockRows-1)/blockRows)
		g.Base = make([]float64, n*bd)
		if cd > 0 {
			g.Cond = make([]float64, n*cd)
		}
		if amort != nil {
			g.Amortization = make([]float64, n*p.nAmort)
		}
	}
	err = forBlocks(n, blockRows, func(b, lo, hi int) error {
		rows := hi - lo
		t := getTape(grad)
		defer putTape(t)
		t.SetCallRows(n)
		z := t.Floats(rows * bd)
		base(z, b, lo, hi)
		var cn, zn *ad.Node
		if grad {
			zn = t.Var(rows, bd, z)
			if cd > 0 {
				cn = t.Var(rows, cd, cond[lo*cd:hi*cd])
			}
		} else {
			zn = t.Wrap(rows, bd, z)
			switch {
			case shared:
				cn = t.Wrap(1, cd, cond)
			case cd > 0:
				cn = t.Wrap(rows, cd, cond[lo*cd:hi*cd])
			}
		}
		src, params, an := p.blockParams(t, cn, amort, lo, hi)
		x, logp, baseLogp := p.sampleBlock(src, zn, cn, l)
		copy(rowsOf(out.X, lo, hi, dim), x.Val)
		copy(rowsOf(out.Base, lo, hi, bd), z)
		copy(rowsOf(out.LogPDF, lo, hi, 1), logp.Val)
		copy(rowsOf(out.BaseLogPDF, lo, hi, 1), baseLogp.Val)
		if !grad {
			return nil
		}
		var loss *ad.Node
		if seeds.SeedX != nil {
			loss = ad.SumCols(ad.Mul(x, t.Const(rows, dim, seeds.SeedX[lo*dim:hi*dim])))
		}
		if seeds.SeedLogPDF != nil {
			term := ad.Mul(logp, t.Const(rows, 1, seeds.SeedLogPDF[lo:hi]))
			if loss == nil {
				loss = term
			} else {
				loss = ad.Add(loss, term)
			}
		}
		if loss != nil && loss.NeedsGrad() {
			t.Backward(loss, nil)
		}
		blockGrads[b] = blockGrad(params.Grad())
		copy(g.Base[lo*bd:hi*bd], zn.Grad())
		if cn != nil {
			copy(g.Cond[lo*cd:hi*cd], cn.Grad())
		}
		if an != nil {
			copy(g.Amortization[lo*p.nAmort:hi*p.nAmort], an.Grad())
		}
		return nil
	})
	if err != nil {
		return Samples{}, SampleGradients{}, err
	}
	if grad {
		g.Params = sumBlockGrads(p.nParams, blockGrads)
	}
	return out, g, nil
}

// checkSamplesDst checks the slices a caller gave for n samples: n×dim values for X, n×bd for
// Base, n for LogPDF and BaseLogPDF, or nil for a result not wanted.
func checkSamplesDst(s Samples, n, dim, bd int) error {
	return checkOutputs([]output{{"samples", s.X, n * dim}, {"base", s.Base, n * bd},
		{"log_pdf", s.LogPDF, n}, {"base_log_pdf", s.BaseLogPDF, n}})
}

// sampleBlock pushes base points z through every sub-flow in sampling direction.
func (p *PDF) sampleBlock(params, z, cond *ad.Node, l layout) (x, logp, baseLogp *ad.Node) {
	var logDet *ad.Node // nil: zero
	var earlier, parts []*ad.Node
	for k, s := range p.subs {
		xi, ld := s.manifold.FromBase(ad.Cols(z, s.baseOffset, s.manifold.BaseDim()))
		xi, logDet = s.chain.Forward(xi, s.layerParams(params, cond, earlier), layers.AddLogDet(logDet, ld))
		var emb *ad.Node // needed for embedding output and as input of later sub-flows
		if l[k] || k+1 < len(p.subs) {
			emb = s.manifold.ToEmbedding(xi)
		}
		if l[k] {
			parts = append(parts, emb)
			logDet = layers.AddLogDet(logDet, s.manifold.LogVolume(xi))
		} else {
			parts = append(parts, xi)
		}
		earlier = append(earlier, emb)
	}
	baseLogp = ad.NormalLogPDF(z)
	return ad.Concat(parts...), ad.Sub(baseLogp, logDet), baseLogp
}
