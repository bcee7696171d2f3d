// Package simplex holds the flow layers on the d-simplex a<d>, in its intrinsic ("base simplex")
// coordinates: w, jammy_flows' autoregressive interval flow inside the simplex, and u, the
// Gumbel-softmax flow.
package simplex

import (
	"fmt"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/layers/interval"
	"github.com/gojammy/gojammy/flowcore/manifold"
	"github.com/gojammy/gojammy/flowcore/nn"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// WEntry registers the layer w (jammy_flows' inner_loop_simplex); it has no options.
var WEntry = layers.Entry{Letter: 'w', Manifold: spec.Simplex, Schema: spec.Schema{},
	New: func(ctx layers.Context, _ spec.Values) (layers.Layer, error) { return newW(ctx.Manifold.Dim) }}

// Upstream's fixed inner flow of w: "rr" on every box coordinate, r with 10 bins, and a custom
// MLP with one hidden layer of 128 (full rank, highway mode 0) per coordinate after the first.
const (
	wInnerLetters = "rr"
	wInnerBins    = 10
	wInnerHidden  = 128
	// wInitDamping divides the inner MLPs' initial weights (upstream's init_params default).
	wInitDamping = 1000
)

// wLayer maps the simplex to the unit box by inverse stick breaking, applies an autoregressive
// flow on the box (coordinate k: the chain of r layers, whose parameters an MLP predicts from the
// box coordinates before k on the data side) and breaks the stick again. It is upstream's
// passthrough pdf "i1_0.0_1.0+…" / "rr+…" with amortize_everything. Parameter block: [chain of
// coordinate 0][MLP of coordinate 1]…[MLP of coordinate d−1]; 8,316 parameters on a2.
type wLayer struct {
	chains []layers.Chain
	// mlps[k] predicts chain k's parameters (k >= 1; mlps[0] is unused).
	mlps []nn.MLP
	// offsets[k] is where coordinate k's share starts in the block.
	offsets   []int
	numParams int
}

func newW(dim int) (*wLayer, error) {
	box := spec.ManifoldDef{Kind: spec.Interval, Dim: 1, Low: 0, High: 1, Text: "i1_0.0_1.0"}
	reg := layers.NewRegistry(interval.REntry)
	chain, err := reg.Chain(box, wInnerLetters, func(_ int, e layers.Entry, _ *layers.Context) (spec.Values, error) {
		vals := e.Schema.Defaults()
		return vals, e.Schema.Set(vals, "num_basis_functions", wInnerBins)
	})
	if err != nil {
		return nil, fmt.Errorf("inner flow of w: %w", err)
	}
	l := &wLayer{}
	for k := 0; k < dim; k++ {
		l.chains = append(l.chains, chain)
		l.offsets = append(l.offsets, l.numParams)
		if k == 0 {
			l.mlps = append(l.mlps, nn.MLP{})
			l.numParams += chain.NumParams()
			continue
		}
		mlp := nn.New(k, []int{wInnerHidden}, chain.NumParams())
		l.mlps = append(l.mlps, mlp)
		l.numParams += mlp.NumParams()
	}
	return l, nil
}

func (l *wLayer) NumParams() int { return l.numParams }

// InitialParams are upstream's: the r layers' defaults for coordinate 0, and MLPs whose weights
// are damped by 1000 and whose final bias holds the r layers' defaults.
func (l *wLayer) InitialParams(rng *rand.Rand) []float64 {
	p := l.chains[0].InitialParams(rng)
	for k := 1; k < len(l.chains); k++ {
		p = append(p, l.mlps[k].InitParams(rng, wInitDamping, l.chains[k].InitialParams(rng))...)
	}
	return p
}

// chainParams returns coordinate k's r-layer parameters, given the data-side box coordinates
// before k.
func (l *wLayer) chainParams(k int, params *ad.Node, before []*ad.Node) *ad.Node {
	if k == 0 {
		return ad.Cols(params, 0, l.chains[0].NumParams())
	}
	return l.mlps[k].ApplyAt(ad.Concat(before[:k]...), params, l.offsets[k])
}

// Inverse is the density direction: simplex → box, the inner flow inverted coordinate by
// coordinate (all data-side coordinates are known), box → simplex.
func (l *wLayer) Inverse(x, params *ad.Node) (*ad.Node, *ad.Node) { return l.apply(x, params, true) }

// Forward is the sampling direction: simplex → box, the inner flow coordinate after coordinate
// (each MLP sees the coordinates already mapped), box → simplex.
func (l *wLayer) Forward(z, params *ad.Node) (*ad.Node, *ad.Node) { return l.apply(z, params, false) }

// apply maps through the box in either direction; the MLP of coordinate k reads the data-side
// box coordinates before k: the inputs when inverting, the outputs when sampling.
func (l *wLayer) apply(x, params *ad.Node, inverse bool) (*ad.Node, *ad.Node) {
	box, _, logDet := manifold.StickUnbreak(x)
	out := make([]*ad.Node, len(box))
	dataSide := out
	if inverse {
		dataSide = box
	}
	for k := range box {
		p := l.chainParams(k, params, dataSide)
		var ld *ad.Node
		if inverse {
			out[k], ld = l.chains[k].Inverse(box[k], p, nil)
		} else {
			out[k], ld = l.chains[k].Forward(box[k], p, nil)
		}
		logDet = ad.Add(logDet, ld)
	}
	return breakStick(out, logDet)
}

// breakStick maps box coordinates back to the simplex and adds that map's log-determinant.
func breakStick(box []*ad.Node, logDet *ad.Node) (*ad.Node, *ad.Node) {
	rest := make([]*ad.Node, len(box))
	for k, b := range box {
		// 1 − b, kept at the smallest normal float64 for points on the boundary
		rest[k] = ad.Clamp(ad.AddScalar(ad.Neg(b), 1), 0x1p-1022, 1)
	}
	x, ld := manifold.StickBreak(box, rest)
	return x, ad.Add(logDet, ld)
}
