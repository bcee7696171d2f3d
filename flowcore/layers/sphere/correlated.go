package sphere

import (
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/nn"
)

// correlatedHidden is the hidden width of the correlated sub-flow's MLP.
const correlatedHidden = 64

// correlatedFlow is the correlated sub-flow of f (jammy_flows' autoregressive passthrough pdf
// "i1+s1" with amortize_everything): the vertical layers on cos θ with default options, then the
// circular layers on φ with default options whose parameters an MLP (1 → 64 → …, factors of rank
// correlated_max_rank) predicts from the data-side cos θ. Block: [vertical layers][MLP]; 416
// parameters for the default "rr" and "oo".
type correlatedFlow struct {
	vertical, circular layers.Chain
	mlp                nn.MLP
}

func newCorrelatedFlow(b float64, opts fOptions) (*correlatedFlow, error) {
	vert, err := verticalChain(b, opts.VerticalFlowDefs, func(int) map[string]any { return nil })
	if err != nil {
		return nil, err
	}
	circ, err := circularChain(opts.CircularFlowDefs, nil)
	if err != nil {
		return nil, err
	}
	return &correlatedFlow{vertical: vert, circular: circ,
		mlp: nn.NewLowRank(1, []int{correlatedHidden}, circ.NumParams(), opts.CorrelatedMaxRank)}, nil
}

func (c *correlatedFlow) numParams() int { return c.vertical.NumParams() + c.mlp.NumParams() }

// initialParams: the vertical layers' defaults, then the MLP with weights damped by 1000 and its
// final bias at the circular layers' defaults (upstream's init_params of the passthrough pdf).
func (c *correlatedFlow) initialParams(rng *rand.Rand) []float64 {
	p := c.vertical.InitialParams(rng)
	return append(p, c.mlp.InitParams(rng, 1000, c.circular.InitialParams(rng))...)
}

// apply maps (cos θ, φ) (R x 2) through the sub-flow's density direction (inverse) or sampling
// direction.
func (c *correlatedFlow) apply(x, p *ad.Node, inverse bool) (*ad.Node, *ad.Node) {
	cos, phi := ad.Cols(x, 0, 1), ad.Cols(x, 1, 1)
	nv := c.vertical.NumParams()
	vp, mp := ad.Cols(p, 0, nv), ad.Cols(p, nv, c.mlp.NumParams())
	var ldV, ldC *ad.Node
	if inverse {
		phi, ldC = c.circular.Inverse(phi, c.mlp.Apply(cos, mp), nil)
		cos, ldV = c.vertical.Inverse(cos, vp, nil)
	} else {
		cos, ldV = c.vertical.Forward(cos, vp, nil)
		phi, ldC = c.circular.Forward(phi, c.mlp.Apply(cos, mp), nil)
	}
	return ad.Concat(cos, phi), ad.Add(ldV, ldC)
}
