package flowcore

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/flowcore/nn"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// The range of InitParams' damping factor: the conditioning MLPs' initial weights are divided by
// it, so a smaller one makes them overflow and a larger one underflow to zero.
const (
	MinDamping = 1e-6
	MaxDamping = 1e15
)

// InitParams re-initializes all parameters as jammy_flows' init_params(data, damping_factor):
// every sub-flow gets its layers' desired initial parameters — fitted to the data for Euclidean
// sub-manifolds when data is given (n rows in coordinates c), walking the layers from the data
// side — and every conditioning MLP gets torch's default initialization divided by damping,
// with its final bias set to those desired parameters. Random parts are drawn from seed. An
// amortize-everything PDF keeps the resulting vector as AmortizationInit (upstream's return
// value); a fully amortized PDF sets it as its outer MLP's final bias.
func (p *PDF) InitParams(data []float64, n int, c Coords, damping float64, seed uint64) error {
	l, err := p.resolve(c)
	if err != nil {
		return err
	}
	dim := p.width(l)
	if data != nil {
		if n < 1 || len(data) != n*dim {
			return fmt.Errorf("init_params data: got %d values for %d rows of dimension %d", len(data), n, dim)
		}
		for _, v := range data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("init_params data: contains NaN or infinite values")
			}
		}
	}
	if !(damping >= MinDamping && damping <= MaxDamping) {
		return fmt.Errorf("damping_factor must be a finite number in [%g, %g], got %g", MinDamping, MaxDamping, damping)
	}
	rng := newRNG(seed, 0x1417)
	params := make([]float64, 0, p.nParams)
	for k, s := range p.subs {
		var desired []float64
		if data != nil && s.manifold.Def().Kind == spec.Euclidean {
			cols := make([]float64, 0, n*s.manifold.Dim())
			off := p.offset(k, l)
			for i := 0; i < n; i++ {
				cols = append(cols, data[i*dim+off:i*dim+off+s.manifold.Dim()]...)
			}
			if desired, err = s.chain.InitFromData(cols, n, s.manifold.Dim(), rng); err != nil {
				return fmt.Errorf("init_params for sub-manifold %d: %w", k, err)
			}
		} else {
			desired = s.chain.InitialParams(rng)
		}
		if joinedPoissonOutputs(p.cfg, k) > 0 {
			desired = append(desired, 0.1) // upstream's initial log λ
		}
		if s.mlp != nil {
			params = append(params, s.mlp.InitParams(rng, damping, desired)...)
		} else {
			params = append(params, desired...)
		}
	}
	params = append(params, p.poissonInit(rng.NormFloat64, func(m *nn.MLP) []float64 {
		return m.InitParams(rng, 1000, []float64{-1})
	})...)
	var amortInit []float64
	if p.nAmort > 0 {
		amortInit, params = params, nil
		if p.outer != nil {
			params = p.outer.InitParams(rng, damping, amortInit)
		}
	}
	p.mu.Lock()
	p.params, p.amortInit = params, amortInit
	p.mu.Unlock()
	return nil
}
