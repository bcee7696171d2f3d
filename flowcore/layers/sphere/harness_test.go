package sphere

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/manifold"
)

// layerCase is one configuration checked by the property harness.
type layerCase struct {
	name, pdf, flow string
	opts            map[string]map[string]any
	// scale > 0 replaces the default initial parameters by N(0, scale²) draws.
	scale float64
	// tol is the round-trip tolerance (default 1e-9); normTol the normalization tolerance
	// (default 1e-4 on s1, 1e-3 on s2).
	tol, normTol float64
	// grid overrides the quadrature points per dimension (θ gets grid, φ 2·grid on s2).
	grid int
	// noGrad skips the finite-difference gradient checks (large parameter blocks).
	noGrad bool
}

type built struct {
	m      manifold.Manifold
	ls     []layers.Layer
	params []float64
}

func (c layerCase) build(t *testing.T) built {
	t.Helper()
	m, ls := buildFlow(t, c.pdf, c.flow, c.opts)
	rng := rand.New(rand.NewPCG(3, uint64(len(c.name))))
	var p []float64
	for _, l := range ls {
		if c.scale > 0 {
			p = append(p, normals(rng, l.NumParams())...)
		} else {
			p = append(p, l.InitialParams(rng)...)
		}
	}
	if c.scale > 0 {
		for i := range p {
			p[i] *= c.scale
		}
	}
	return built{m, ls, p}
}

// inverse maps points through all layers in the density direction (no projection).
func (b built) inverse(x, params *ad.Node) (*ad.Node, *ad.Node) {
	return layers.NewChain(b.ls...).Inverse(x, params, nil)
}

// forward maps points through all layers in the sampling direction (no projection).
func (b built) forward(z, params *ad.Node) (*ad.Node, *ad.Node) {
	return layers.NewChain(b.ls...).Forward(z, params, nil)
}

// interiorPoints draws n intrinsic points away from the poles and the seam.
func interiorPoints(rng *rand.Rand, dim, n int) []float64 {
	var x []float64
	for i := 0; i < n; i++ {
		if dim == 2 {
			x = append(x, 0.15+rng.Float64()*(math.Pi-0.3))
		}
		x = append(x, 0.15+rng.Float64()*(twoPi-0.3))
	}
	return x
}

// angleDiff is a-b wrapped into (-π, π] for azimuth columns (the last column).
func angleDiff(a, b float64, azimuth bool) float64 {
	d := a - b
	if azimuth {
		d = math.Remainder(d, twoPi)
	}
	return d
}

// runHarness checks round trip, log-det against finite differences, gradients (shared and per-row
// parameters), sampling/density consistency, finiteness at poles and seam, and normalization.
func runHarness(t *testing.T, c layerCase) {
	b := c.build(t)
	dim := b.m.Dim()
	tol := c.tol
	if tol == 0 {
		tol = 1e-9
	}
	rng := rand.New(rand.NewPCG(5, 9))
	n := 24
	xs := interiorPoints(rng, dim, n)
	tp := ad.NewTape(false)
	params := tp.Const(1, len(b.params), b.params)

	// Round trip x -> base side -> x.
	y, ldi := b.inverse(tp.Const(n, dim, xs), params)
	back, ldf := b.forward(y, params)
	for i := 0; i < n; i++ {
		for j := 0; j < dim; j++ {
			if d := angleDiff(back.Val[i*dim+j], xs[i*dim+j], j == dim-1); math.Abs(d) > tol {
				t.Errorf("round trip row %d: %v -> %v -> %v", i, xs[i*dim:(i+1)*dim], y.Val[i*dim:(i+1)*dim], back.Val[i*dim:(i+1)*dim])
				break
			}
		}
		if math.Abs(ldi.Val[i]+ldf.Val[i]) > 10*tol*math.Max(1, math.Abs(ldi.Val[i])) {
			t.Errorf("round trip row %d: log-dets %g and %g do not cancel", i, ldi.Val[i], ldf.Val[i])
		}
	}

	// log-det against a finite-difference Jacobian of the density-direction map.
	h := 1e-6
	for i := 0; i < 6; i++ {
		row := xs[i*dim : (i+1)*dim]
		jac := make([]float64, dim*dim)
		for j := 0; j < dim; j++ {
			p, m := append([]float64(nil), row...), append([]float64(nil), row...)
			p[j] += h
			m[j] -= h
			yp, _ := b.inverse(tp.Const(1, dim, p), params)
			ym, _ := b.inverse(tp.Const(1, dim, m), params)
			for k := 0; k < dim; k++ {
				jac[k*dim+j] = angleDiff(yp.Val[k], ym.Val[k], k == dim-1) / (2 * h)
			}
		}
		det := jac[0]
		if dim == 2 {
			det = jac[0]*jac[3] - jac[1]*jac[2]
		}
		if want := math.Log(math.Abs(det)); math.Abs(want-ldi.Val[i]) > 1e-5*math.Max(1, math.Abs(want)) {
			t.Errorf("log-det row %d: %.10g, finite difference %.10g", i, ldi.Val[i], want)
		}
	}

	// Gradients with respect to points and parameters, through both directions; angles enter the
	// checked output through cos and sin (no seam).
	smooth := func(x, ld *ad.Node) *ad.Node { return ad.Concat(ad.Cos(x), ad.Sin(x), ld) }
	k := 4
	inv := func(_ *ad.Tape, in []*ad.Node) *ad.Node { return smooth(b.inverse(in[0], in[1])) }
	fwd := func(_ *ad.Tape, in []*ad.Node) *ad.Node { return smooth(b.forward(in[0], in[1])) }
	pts := adtest.Input{R: k, C: dim, Val: xs[:k*dim]}
	base := adtest.Input{R: k, C: dim, Val: y.Val[:k*dim]}
	shared := adtest.Input{R: 1, C: len(b.params), Val: b.params}
	if !c.noGrad {
		adtest.CheckGradients(t, inv, []adtest.Input{pts, shared}, 1e-6, 2e-5)
		adtest.CheckGradients(t, fwd, []adtest.Input{base, shared}, 1e-6, 2e-5)
		k = 2
		perRow := adtest.Input{R: k, C: len(b.params)}
		pts.R, pts.Val, base.R, base.Val = k, pts.Val[:k*dim], k, base.Val[:k*dim]
		for i := 0; i < k; i++ {
			for _, v := range b.params {
				perRow.Val = append(perRow.Val, v+0.05*rng.NormFloat64())
			}
		}
		adtest.CheckGradients(t, inv, []adtest.Input{pts, perRow}, 1e-6, 2e-5)
		adtest.CheckGradients(t, fwd, []adtest.Input{base, perRow}, 1e-6, 2e-5)
	}

	// Sampling and density agree.
	zs := make([]float64, 16*b.m.BaseDim())
	for i := range zs {
		zs[i] = rng.NormFloat64()
	}
	sx, slp := flowSample(b.m, b.ls, tp.Const(16, b.m.BaseDim(), zs), params)
	lp, _ := flowLogPDF(b.m, b.ls, sx, params)
	for i := range slp.Val {
		if math.Abs(slp.Val[i]-lp.Val[i]) > 1e3*tol*math.Max(1, math.Abs(lp.Val[i])) {
			t.Errorf("sample %d at %v: sampled log p %.12g, density %.12g", i, sx.Val[i*dim:(i+1)*dim], slp.Val[i], lp.Val[i])
		}
	}

	// Finite log p at the poles and the seam.
	var edge []float64
	if dim == 1 {
		edge = []float64{0, 2 * math.Pi, math.Pi, 1e-12}
	} else {
		edge = []float64{0, 0, 0, 2 * math.Pi, math.Pi, 0, math.Pi, 2 * math.Pi, 1, 0, 2, 2 * math.Pi, 0, 1, math.Pi, 4}
	}
	lp, _ = flowLogPDF(b.m, b.ls, tp.Const(len(edge)/dim, dim, edge), params)
	for i, v := range lp.Val {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("log p at %v = %g", edge[i*dim:(i+1)*dim], v)
		}
	}

	checkNormalization(t, b, c)
}

// checkNormalization integrates p over the manifold by the midpoint rule.
func checkNormalization(t *testing.T, b built, c layerCase) {
	tp := ad.NewTape(false)
	params := tp.Const(1, len(b.params), b.params)
	total := 0.0
	if b.m.Dim() == 1 {
		n := c.grid
		if n == 0 {
			n = 2000
		}
		x := make([]float64, n)
		for i := range x {
			x[i] = (float64(i) + 0.5) * twoPi / float64(n)
		}
		lp, _ := flowLogPDF(b.m, b.ls, tp.Const(n, 1, x), params)
		for _, v := range lp.Val {
			total += math.Exp(v) * twoPi / float64(n)
		}
		tol := c.normTol
		if tol == 0 {
			tol = 1e-4
		}
		if math.Abs(total-1) > tol {
			t.Errorf("s1 normalization %.8f", total)
		}
		t.Logf("normalization %.8f", total)
		return
	}
	nt := c.grid
	if nt == 0 {
		nt = 150
	}
	np := 2 * nt
	dt, dp := math.Pi/float64(nt), twoPi/float64(np)
	x := make([]float64, 0, 2*np)
	for i := 0; i < nt; i++ {
		x = x[:0]
		for j := 0; j < np; j++ {
			x = append(x, (float64(i)+0.5)*dt, (float64(j)+0.5)*dp)
		}
		tp.Reset()
		lp, _ := flowLogPDF(b.m, b.ls, tp.Const(np, 2, x), tp.Const(1, len(b.params), b.params))
		for _, v := range lp.Val {
			total += math.Exp(v) * dt * dp
		}
	}
	tol := c.normTol
	if tol == 0 {
		tol = 1e-3
	}
	if math.Abs(total-1) > tol {
		t.Errorf("s2 normalization %.8f", total)
	}
	t.Logf("normalization %.8f", total)
}

func TestLayerHarness(t *testing.T) {
	cases := []layerCase{
		{name: "s1 y", pdf: "s1", flow: "y"},
		{name: "s1 y rotation", pdf: "s1", flow: "y", opts: map[string]map[string]any{"y": {"add_rotation": 1}}},
		{name: "s2 y rotation", pdf: "s2", flow: "y", opts: map[string]map[string]any{"y": {"add_rotation": 1}}},
		{name: "s1 m", pdf: "s1", flow: "m"},
		{name: "s1 mm random", pdf: "s1", flow: "mm", scale: 1.5},
		{name: "s1 m natural rotation", pdf: "s1", flow: "m", opts: map[string]map[string]any{"m": {"natural_direction": 1, "add_rotation": 1, "num_basis_functions": 3}}},
		{name: "s1 o", pdf: "s1", flow: "o"},
		{name: "s1 oo random", pdf: "s1", flow: "oo", scale: 1},
		{name: "s1 o periodic", pdf: "s1", flow: "o", scale: 0.7, opts: map[string]map[string]any{"o": {"smooth_second_derivative": 0, "num_basis_functions": 4}}},
		{name: "s1 o fixed natural 0", pdf: "s1", flow: "o", scale: 0.7, opts: map[string]map[string]any{"o": {"smooth_second_derivative": 0, "num_basis_functions": 3, "fix_boundary_derivatives": 1.0, "natural_direction": 0, "fix_first_width_n_height_to_zero": 1, "independent_width_height_parametrization": 1}}},
		{name: "s1 o smooth fixed", pdf: "s1", flow: "o", scale: 0.7, opts: map[string]map[string]any{"o": {"fix_first_width_n_height_to_zero": 1, "also_fix_second_width_to_zero": 1, "independent_width_height_parametrization": 1, "add_rotation": 0}}},
		{name: "s2 f", pdf: "s2", flow: "f"},
		{name: "s2 ff random", pdf: "s2", flow: "ff", scale: 0.8},
		{name: "s2 fff recommended", pdf: "s2", flow: "fff", scale: 0.8, opts: map[string]map[string]any{"f": RecommendedF}, grid: 300},
		{name: "s2 f vertical+circular", pdf: "s2", flow: "f", scale: 0.5, opts: map[string]map[string]any{"f": {
			"add_vertical_rq_spline_flow": 1, "add_circular_rq_spline_flow": 1, "vertical_flow_defs": "rz", "circular_flow_defs": "ooo",
			"spline_num_basis_functions": 4, "vertical_fix_boundary_derivative": 0}}},
		{name: "s2 f boundary region", pdf: "s2", flow: "ff", scale: 0.5, opts: map[string]map[string]any{"f": {
			"add_vertical_rq_spline_flow": 1, "add_circular_rq_spline_flow": 1, "boundary_cos_theta_identity_region": 0.4}}, grid: 300},
		{name: "s2 f extra rotation angles", pdf: "s2", flow: "f", scale: 0.7, opts: map[string]map[string]any{"f": {
			"add_extra_rotation_inbetween": 1, "rotation_mode": "angles", "add_circular_rq_spline_flow": 1, "kappa_prediction": "softplus_real_bounded"}}},
		{name: "s2 f xyz mu", pdf: "s2", flow: "f", scale: 0.7, opts: map[string]map[string]any{"f": {"rotation_mode": "xyz", "kappa_prediction": "mu"}}},
		{name: "s2 f xyz mu squared", pdf: "s2", flow: "f", scale: 0.7, opts: map[string]map[string]any{"f": {"rotation_mode": "xyz", "kappa_prediction": "mu_squared"}}},
		{name: "s2 f quaternion", pdf: "s2", flow: "f", scale: 0.7, opts: map[string]map[string]any{"f": {"rotation_mode": "quaternion", "kappa_prediction": "quatvec"}}},
		{name: "s2 f quaternion squared", pdf: "s2", flow: "f", scale: 0.7, opts: map[string]map[string]any{"f": {"rotation_mode": "quaternion", "kappa_prediction": "quatvec_squared"}}},
		{name: "s2 f log bounded no rotation", pdf: "s2", flow: "f", scale: 0.7, opts: map[string]map[string]any{"f": {
			"add_rotation": 0, "kappa_prediction": "log_bounded", "inverse_z_scaling": 0, "kappa_clamping": 1}}},
		{name: "s2 f correlated", pdf: "s2", flow: "f", scale: 0.3, noGrad: true, opts: map[string]map[string]any{"f": {"add_correlated_rq_spline_flow": 1}}},
		{name: "s2 f correlated small", pdf: "s2", flow: "f", scale: 0.4, opts: map[string]map[string]any{"f": {
			"add_correlated_rq_spline_flow": 1, "vertical_flow_defs": "r", "circular_flow_defs": "o", "correlated_max_rank": 1,
			"boundary_cos_theta_identity_region": 0.2}}, grid: 250},
		{name: "s2 v", pdf: "s2", flow: "v", tol: 1e-7},
		{name: "s2 vv natural", pdf: "s2", flow: "vv", tol: 1e-7, grid: 80, opts: map[string]map[string]any{"v": {"natural_direction": 1}}},
		{name: "s2 v linear rotation", pdf: "s2", flow: "v", tol: 1e-7, opts: map[string]map[string]any{"v": {"exp_map_type": "linear", "add_rotation": 1}}},
		{name: "s2 v quadratic", pdf: "s2", flow: "v", tol: 1e-7, opts: map[string]map[string]any{"v": {"exp_map_type": "quadratic", "num_components": 4}}},
		{name: "s2 v splines", pdf: "s2", flow: "v", tol: 1e-7, scale: 0.7, opts: map[string]map[string]any{"v": {"exp_map_type": "splines", "num_components": 3}}},
		{name: "s2 v householder means", pdf: "s2", flow: "v", tol: 1e-7, opts: map[string]map[string]any{"v": {"mean_parametrization": "householder", "num_components": 4}}},
		{name: "s2 n", pdf: "s2", flow: "n", noGrad: true},
		{name: "s2 n small random", pdf: "s2", flow: "n", scale: 0.5, opts: map[string]map[string]any{"n": {"hidden_dims": "5", "num_basis_functions": 3}}},
		{name: "s2 n rr angles", pdf: "s2", flow: "n", scale: 0.3, grid: 200, opts: map[string]map[string]any{"n": {"hidden_dims": "4", "num_basis_functions": 2, "zenith_type_layers": "rr", "rotation_mode": "angles"}}},
		{name: "s2 n affine zenith", pdf: "s2", flow: "n", scale: 0.3, opts: map[string]map[string]any{"n": {"hidden_dims": "3", "num_basis_functions": 2, "zenith_type_layers": "tx"}}},
		{name: "s2 n gaussianization zenith", pdf: "s2", flow: "n", scale: 0.3, opts: map[string]map[string]any{"n": {"hidden_dims": "3", "num_basis_functions": 2, "zenith_type_layers": "g", "add_rotation": 0}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runHarness(t, c)
		})
	}
}
