package sphere

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// newLayer builds one layer of an entry with option overrides on s1 or s2.
func newLayer(e layers.Entry, dim int, over map[string]any) (layers.Layer, error) {
	opts := e.Schema.Defaults()
	for k, v := range over {
		if err := e.Schema.Set(opts, k, v); err != nil {
			return nil, err
		}
	}
	def := spec.ManifoldDef{Kind: spec.Sphere, Dim: dim, Text: "s2"}
	if dim == 1 {
		def.Text = "s1"
	}
	return e.New(layers.Context{Manifold: def, Count: 1}, opts)
}

// TestParamCounts checks jammy_flows' parameter counts (reference §7, measured upstream) and that
// the initial parameters have that length.
func TestParamCounts(t *testing.T) {
	cases := []struct {
		e    layers.Entry
		dim  int
		over map[string]any
		want int
	}{
		{YEntry, 1, nil, 0}, {YEntry, 1, map[string]any{"add_rotation": 1}, 4}, {YEntry, 2, map[string]any{"add_rotation": 1}, 9},
		{MEntry, 1, nil, 20}, {MEntry, 1, map[string]any{"add_rotation": 1}, 24},
		{OEntry, 1, nil, 8}, {OEntry, 1, map[string]any{"smooth_second_derivative": 0, "num_basis_functions": 4}, 16},
		{OEntry, 1, map[string]any{"fix_first_width_n_height_to_zero": 1, "also_fix_second_width_to_zero": 1, "independent_width_height_parametrization": 1}, 5},
		{FEntry, 2, nil, 10},
		{FEntry, 2, map[string]any{"add_vertical_rq_spline_flow": 1}, 38},
		{FEntry, 2, map[string]any{"add_circular_rq_spline_flow": 1}, 18},
		{FEntry, 2, RecommendedF, 14},
		{FEntry, 2, map[string]any{"add_correlated_rq_spline_flow": 1}, 426},
		{FEntry, 2, map[string]any{"rotation_mode": "angles"}, 4},
		{FEntry, 2, map[string]any{"rotation_mode": "xyz", "kappa_prediction": "mu"}, 3},
		{FEntry, 2, map[string]any{"rotation_mode": "quaternion", "kappa_prediction": "quatvec_squared"}, 4},
		{VEntry, 2, nil, 50}, {VEntry, 2, map[string]any{"exp_map_type": "linear"}, 40},
		{VEntry, 2, map[string]any{"exp_map_type": "splines"}, 350},
		{VEntry, 2, map[string]any{"mean_parametrization": "householder"}, 120},
		{VEntry, 2, map[string]any{"add_rotation": 1}, 59},
		{NEntry, 2, nil, 1281},
		{CEntry, 2, nil, 259}, {CEntry, 2, map[string]any{"cnf_network_hidden_dims": "16-16"}, 403},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range cases {
		l, err := newLayer(c.e, c.dim, c.over)
		if err != nil {
			t.Fatalf("%c %v: %v", c.e.Letter, c.over, err)
		}
		if n := l.NumParams(); n != c.want {
			t.Errorf("%c %v: %d parameters, want %d", c.e.Letter, c.over, n, c.want)
		}
		if n := len(l.InitialParams(rng)); n != c.want {
			t.Errorf("%c %v: %d initial parameters, want %d", c.e.Letter, c.over, n, c.want)
		}
	}
}

// TestOptionErrors checks that invalid combinations are refused with the option's name.
func TestOptionErrors(t *testing.T) {
	cases := []struct {
		e    layers.Entry
		dim  int
		over map[string]any
		want string
	}{
		{MEntry, 2, nil, "s1"},
		{OEntry, 1, map[string]any{"num_basis_functions": 3}, "smooth_second_derivative"},
		{OEntry, 1, map[string]any{"smooth_second_derivative": 0, "fix_boundary_derivatives": 1e-5}, "fix_boundary_derivatives"},
		{FEntry, 1, nil, "s2"},
		{FEntry, 2, map[string]any{"kappa_prediction": "mu"}, "kappa_prediction"},
		{FEntry, 2, map[string]any{"add_circular_rq_spline_flow": 1, "circular_add_rotation": 1}, "circular_add_rotation"},
		{FEntry, 2, map[string]any{"spline_num_basis_functions": -1}, "spline_num_basis_functions"},
		{FEntry, 2, map[string]any{"add_correlated_rq_spline_flow": 1, "add_vertical_rq_spline_flow": 1}, "add_correlated_rq_spline_flow"},
		{FEntry, 2, map[string]any{"add_vertical_rq_spline_flow": 1, "vertical_flow_defs": "rq"}, "vertical_flow_defs"},
		{FEntry, 2, map[string]any{"add_circular_rq_spline_flow": 1, "circular_flow_defs": ""}, "circular_flow_defs"},
		{VEntry, 1, nil, "s2"},
		{NEntry, 2, map[string]any{"zenith_type_layers": "rg"}, "zenith_type_layers"},
	}
	for _, c := range cases {
		_, err := newLayer(c.e, c.dim, c.over)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%c %v: error %v, want one naming %q", c.e.Letter, c.over, err, c.want)
		}
	}
	if _, err := newLayer(FEntry, 2, map[string]any{"rotation_mode": "cayley"}); err == nil {
		t.Error("f accepted rotation_mode cayley")
	}
}
