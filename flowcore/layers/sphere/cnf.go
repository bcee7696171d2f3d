package sphere

import (
	"fmt"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/geom"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/manifold"
	"github.com/gojammy/gojammy/flowcore/nn"
	"github.com/gojammy/gojammy/flowcore/ode"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// CEntry is the neural manifold ODE "c" on s2 (jammy_flows' cnf_sphere_charts, after Lou et al.
// 2020): the flow from t = 0 to 1 of the vector field F(y, t) = g − (y·g)·y, the tangent part of
// an MLP g(y, t): R⁴ → R³ (AmortizableMLP with cnf_network_hidden_dims, _rank, _highway_mode) at
// the unit vector y. The density direction integrates forwards, sampling backwards; the
// log-determinant is ∫ div F dt with the exact surface divergence div F = tr ∂g/∂y − yᵀ(∂g/∂y)y −
// 2·y·g (the MLP's input derivatives in forward mode), plus the log sin θ terms of the change to
// and from intrinsic coordinates.
//
// Upstream integrates in the tangent plane of a moving chart centre (four time segments whatever
// num_charts says) with torchdiffeq; the flow is the same map of the sphere. gojammy integrates
// the unit vector itself over num_charts time segments (renormalized at their ends), with
// torchdiffeq's methods and step control per row (package ode), so the two agree to the solver
// tolerance. Parameter block: the MLP's weights (259 by default).
var CEntry = layers.Entry{
	Letter:   'c',
	Manifold: spec.Sphere,
	Schema: spec.Schema{
		{Name: "num_charts", Kind: spec.Int, Default: 4, Check: spec.AtLeast(1)},
		{Name: "cnf_network_hidden_dims", Kind: spec.String, Default: "32"},
		{Name: "cnf_network_highway_mode", Kind: spec.Int, Default: 0, Check: highwayMode},
		{Name: "cnf_network_rank", Kind: spec.Int, Default: -1, Check: spec.PositiveOrMinusOne},
		{Name: "solver", Kind: spec.String, Default: "dopri5",
			Choices: []string{"rk4", "dopri5", "dopri8", "bosh3", "fehlberg2", "adaptive_heun", "euler", "midpoint"}},
		{Name: "rtol", Kind: spec.Float, Default: 1e-7, Check: openUnit},
		{Name: "atol", Kind: spec.Float, Default: 1e-7, Check: openUnit},
		{Name: "step_size", Kind: spec.Float, Default: 1.0 / 32, Check: spec.Positive},
	},
	New: layers.Typed(newCNF),
}

// cOptions are the options of c.
type cOptions struct {
	NumCharts int     `opt:"num_charts"`
	Hidden    string  `opt:"cnf_network_hidden_dims"`
	Highway   int     `opt:"cnf_network_highway_mode"`
	Rank      int     `opt:"cnf_network_rank"`
	Solver    string  `opt:"solver"`
	RTol      float64 `opt:"rtol"`
	ATol      float64 `opt:"atol"`
	StepSize  float64 `opt:"step_size"`
}

func highwayMode(v any) error {
	if m := v.(int); m < 0 || m > 4 {
		return fmt.Errorf("must be 0, 1, 2, 3 or 4")
	}
	return nil
}

func openUnit(v any) error {
	if f := v.(float64); !(f > 0 && f < 1) {
		return fmt.Errorf("must lie in (0, 1)")
	}
	return nil
}

// cnf is the core of c.
type cnf struct {
	m      manifold.Manifold
	mlp    nn.MLP
	charts int
	solver ode.Options
}

func newCNF(ctx layers.Context, o cOptions) (layers.Layer, error) {
	if ctx.Manifold.Dim != 2 {
		return nil, fmt.Errorf("layer \"c\" acts on s2, not %s", ctx.Manifold.Text)
	}
	m, err := manifold.New(ctx.Manifold)
	if err != nil {
		return nil, err
	}
	hidden, err := nn.ParseHidden(o.Hidden)
	if err != nil {
		return nil, fmt.Errorf("option \"cnf_network_hidden_dims\": %w", err)
	}
	ranks := make([]int, nn.NumMatrices(len(hidden), o.Highway))
	for i := range ranks {
		ranks[i] = max(o.Rank, 0)
	}
	mlp, err := nn.NewAmortizable(4, hidden, 3, ranks, o.Highway)
	if err != nil {
		return nil, err
	}
	c := &cnf{m: m, mlp: mlp, charts: o.NumCharts,
		solver: ode.Options{Method: o.Solver, RTol: o.RTol, ATol: o.ATol, StepSize: o.StepSize}}
	if err := c.solver.Check(); err != nil {
		return nil, fmt.Errorf("option \"solver\": %w", err)
	}
	return newRotated(m, "", 0, c)
}

func (c *cnf) numParams() int { return c.mlp.NumParams() }

// initialParams are AmortizableMLP's default initialization (no damping, no fixed bias).
func (c *cnf) initialParams(rng *rand.Rand) []float64 { return c.mlp.InitParams(rng, 1, nil) }

// inverse is the density direction: the flow from t = 0 to 1.
func (c *cnf) inverse(x, _, own *ad.Node) (*ad.Node, *ad.Node) { return c.flow(x, own, false) }

// forward is the sampling direction: the flow from t = 1 back to 0.
func (c *cnf) forward(z, _, own *ad.Node) (*ad.Node, *ad.Node) { return c.flow(z, own, true) }

// flow integrates the unit vectors of x with the log-determinant as a fourth state component,
// chart segment by chart segment (backwards in time if reverse).
func (c *cnf) flow(x, own *ad.Node, reverse bool) (*ad.Node, *ad.Node) {
	theta := ad.Cols(x, 0, 1)
	s := ad.Concat(c.m.ToEmbedding(x), x.Tape().New(x.R, 1))
	field := c.field(own)
	for k := 0; k < c.charts; k++ {
		t0, t1 := float64(k)/float64(c.charts), float64(k+1)/float64(c.charts)
		if reverse {
			t0, t1 = float64(c.charts-k)/float64(c.charts), float64(c.charts-k-1)/float64(c.charts)
		}
		s = ode.Integrate(field, s, t0, t1, c.solver)
		v := geom.SplitVec3(ad.Cols(s, 0, 3))
		s = ad.Concat(ad.Div(v.Node(), ad.Sqrt(v.Dot(v))), ad.Cols(s, 3, 1))
	}
	y := c.m.FromEmbedding(ad.Cols(s, 0, 3))
	logDet := ad.Add(ad.Cols(s, 3, 1), ad.Sub(geom.LogSinTheta(theta), geom.LogSinTheta(ad.Cols(y, 0, 1))))
	return y, logDet
}

// field is the augmented right-hand side (F(y, t), div F(y, t)) for the MLP parameters own.
func (c *cnf) field(own *ad.Node) ode.Func {
	return func(t, s *ad.Node) *ad.Node {
		tp := t.Tape()
		y := ad.Cols(s, 0, 3)
		dirs := []*ad.Node{tp.Const(1, 4, []float64{1, 0, 0, 0}), tp.Const(1, 4, []float64{0, 1, 0, 0}),
			tp.Const(1, 4, []float64{0, 0, 1, 0}), ad.Concat(y, tp.New(y.R, 1))}
		g, d := c.mlp.ApplyJVP(ad.Concat(y, t), own, 0, dirs)
		trace := ad.Add(ad.Add(ad.Cols(d[0], 0, 1), ad.Cols(d[1], 1, 1)), ad.Cols(d[2], 2, 1))
		yv, gv := geom.SplitVec3(y), geom.SplitVec3(g)
		yg := yv.Dot(gv)
		div := ad.Sub(ad.Sub(trace, yv.Dot(geom.SplitVec3(d[3]))), ad.Scale(yg, 2))
		return ad.Concat(gv.Sub(yv.Scale(yg)).Node(), div)
	}
}
