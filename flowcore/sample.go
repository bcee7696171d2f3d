package flowcore

import (
	"fmt"

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

// SampleSeeds holds the seeds of a vector-Jacobian product through sampling: the gradient of
// Σ X·SeedX + Σ LogPDF·SeedLogPDF with respect to the parameters is returned by SampleVJP.
type SampleSeeds struct {
	SeedX, SeedLogPDF []float64
}

// Sample draws n events (one per conditional row if the PDF is conditional: then cond holds n rows).
// The same seed gives the same samples whatever the number of threads.
func (p *PDF) Sample(n int, cond []float64, seed uint64, c Coords) (Samples, error) {
	s, _, _, err := p.sample(n, cond, nil, seed, c, nil)
	return s, err
}

// SampleVJP draws like Sample and returns the gradient, with respect to the flat parameter vector,
// of Σ X·seeds.SeedX + Σ LogPDF·seeds.SeedLogPDF (reparameterization gradients; either seed may be nil).
func (p *PDF) SampleVJP(n int, cond []float64, seed uint64, c Coords, seeds SampleSeeds) (Samples, []float64, error) {
	s, gp, _, err := p.sample(n, cond, nil, seed, c, &seeds)
	return s, gp, err
}

// sample draws n events; amort holds the amortization parameters of an amortize-everything PDF
// (n rows), whose gradient it returns beside the parameters' when seeds are given.
func (p *PDF) sample(n int, cond, amort []float64, seed uint64, c Coords, seeds *SampleSeeds) (Samples, []float64, []float64, error) {
	if n < 0 {
		return Samples{}, nil, nil, fmt.Errorf("samplesize: must be >= 0, got %d", n)
	}
	if err := p.checkCond(cond, n); err != nil {
		return Samples{}, nil, nil, err
	}
	if err := p.checkAmortization(amort, n); err != nil {
		return Samples{}, nil, nil, err
	}
	l, err := p.resolve(c)
	if err != nil {
		return Samples{}, nil, nil, err
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	dim, bd, cd := p.width(l), p.BaseDim(), p.condWidth
	if seeds != nil {
		if seeds.SeedX != nil && len(seeds.SeedX) != n*dim {
			return Samples{}, nil, nil, fmt.Errorf("seed for samples: got %d values, want %d", len(seeds.SeedX), n*dim)
		}
		if seeds.SeedLogPDF != nil && len(seeds.SeedLogPDF) != n {
			return Samples{}, nil, nil, fmt.Errorf("seed for log_pdf: got %d values, want %d", len(seeds.SeedLogPDF), n)
		}
	}
	out := Samples{X: make([]float64, n*dim), Base: make([]float64, n*bd), LogPDF: make([]float64, n), BaseLogPDF: make([]float64, n)}
	grad := seeds != nil
	var blockGrads [][]float64
	var amortGrad []float64
	if grad {
		blockGrads = make([][]float64, (n+blockRows-1)/blockRows)
		if amort != nil {
			amortGrad = make([]float64, n*p.nAmort)
		}
	}
	err = forBlocks(n, blockRows, func(b, lo, hi int) error {
		rows := hi - lo
		rng := newRNG(seed, uint64(b))
		t := getTape(grad)
		defer putTape(t)
		z := t.Floats(rows * bd)
		for i := range z {
			z[i] = rng.NormFloat64()
		}
		var cn *ad.Node
		if cd > 0 {
			cn = t.Wrap(rows, cd, cond[lo*cd:hi*cd])
		}
		src, params, an := p.blockParams(t, cn, amort, lo, hi)
		x, logp, baseLogp := p.sampleBlock(src, t.Wrap(rows, bd, z), cn, l)
		copy(out.X[lo*dim:hi*dim], x.Val)
		copy(out.Base[lo*bd:hi*bd], z)
		copy(out.LogPDF[lo:hi], logp.Val)
		copy(out.BaseLogPDF[lo:hi], baseLogp.Val)
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
		if an != nil {
			copy(amortGrad[lo*p.nAmort:hi*p.nAmort], an.Grad())
		}
		return nil
	})
	if err != nil {
		return Samples{}, nil, nil, err
	}
	var gp []float64
	if grad {
		gp = sumBlockGrads(p.nParams, blockGrads)
	}
	return out, gp, amortGrad, nil
}

// sampleBlock pushes base points z through every sub-flow in sampling direction.
func (p *PDF) sampleBlock(params, z, cond *ad.Node, l layout) (x, logp, baseLogp *ad.Node) {
	var logDet *ad.Node // nil: zero
	var earlier, parts []*ad.Node
	for k, s := range p.subs {
		xi, ld := s.manifold.FromBase(ad.Cols(z, s.baseOffset, s.manifold.BaseDim()))
		xi, logDet = s.chain.Forward(xi, s.layerParams(params, cond, earlier), layers.AddLogDet(logDet, ld))
		emb := s.manifold.ToEmbedding(xi)
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
