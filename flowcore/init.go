package flowcore

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// InitParams re-initializes all parameters as jammy_flows' init_params(data, damping_factor):
// every sub-flow gets its layers' desired initial parameters — fitted to the data for Euclidean
// sub-manifolds when data is given (n rows in coordinates c), walking the layers from the data
// side — and every conditioning MLP gets torch's default initialization divided by damping,
// with its final bias set to those desired parameters. Random parts are drawn from seed.
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
	if !(damping > 0) {
		return fmt.Errorf("damping_factor must be > 0, got %g", damping)
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
			if desired, err = s.dataInit(cols, n, rng); err != nil {
				return fmt.Errorf("init_params for sub-manifold %d: %w", k, err)
			}
		} else {
			for _, layer := range s.layers {
				desired = append(desired, layer.InitialParams(rng)...)
			}
		}
		if s.mlp != nil {
			params = append(params, s.mlp.InitParams(rng, damping, desired)...)
		} else {
			params = append(params, desired...)
		}
	}
	p.mu.Lock()
	p.params = params
	p.mu.Unlock()
	return nil
}

// dataInit walks the layers from the data side: a layer with a data-driven initialization fits
// itself to the current points; any other layer takes its default; the points are then mapped to
// the base side of the layer for the next one.
func (s *subflow) dataInit(x []float64, n int, rng *rand.Rand) ([]float64, error) {
	blocks := make([][]float64, len(s.layers))
	d := s.manifold.Dim()
	for l := len(s.layers) - 1; l >= 0; l-- {
		layer := s.layers[l]
		if di, ok := layer.(layers.DataInitializer); ok {
			params, mapped, err := di.InitFromData(x, n, rng)
			if err != nil {
				return nil, fmt.Errorf("layer %d %q: %w", l, string(s.letters[l]), err)
			}
			blocks[l], x = params, mapped
			continue
		}
		blocks[l] = layer.InitialParams(rng)
		t := ad.NewTape(false)
		y, _ := layer.Inverse(t.Const(n, d, x), t.Const(1, len(blocks[l]), blocks[l]))
		x = y.Val
	}
	var out []float64
	for _, b := range blocks {
		out = append(out, b...)
	}
	return out, nil
}
