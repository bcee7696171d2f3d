package sphere

import (
	"fmt"

	"github.com/gojammy/gojammy/flowcore/layers/interval"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// fOptions are the options of f (fSchema).
type fOptions struct {
	AddVertical            bool    `opt:"add_vertical_rq_spline_flow"`
	AddCircular            bool    `opt:"add_circular_rq_spline_flow"`
	AddCorrelated          bool    `opt:"add_correlated_rq_spline_flow"`
	CircularFlowDefs       string  `opt:"circular_flow_defs"`
	VerticalFlowDefs       string  `opt:"vertical_flow_defs"`
	CorrelatedMaxRank      int     `opt:"correlated_max_rank"`
	InverseZScaling        bool    `opt:"inverse_z_scaling"`
	BoundaryIdentityRegion float64 `opt:"boundary_cos_theta_identity_region"`
	// SplineBins is the number of bins of the vertical layers (-1: 2 and 3 alternating).
	SplineBins                    int     `opt:"spline_num_basis_functions"`
	VerticalSmooth                bool    `opt:"vertical_smooth"`
	VerticalMaxRatio              float64 `opt:"vertical_restrict_max_min_width_height_ratio"`
	VerticalFixBoundaryDerivative bool    `opt:"vertical_fix_boundary_derivative"`
	VerticalFixFirst              bool    `opt:"vertical_fix_first_width_n_height_to_zero"`
	VerticalAlsoFixSecond         bool    `opt:"vertical_also_fix_second_width_to_zero"`
	VerticalIndependent           bool    `opt:"vertical_independent_width_height_parametrization"`
	CircularAddRotation           bool    `opt:"circular_add_rotation"`
	MinKappa                      float64 `opt:"min_kappa"`
	KappaPrediction               string  `opt:"kappa_prediction"`
	AddExtraRotation              bool    `opt:"add_extra_rotation_inbetween"`
	AddRotation                   bool    `opt:"add_rotation"`
	RotationMode                  string  `opt:"rotation_mode"`
	KappaClamping                 bool    `opt:"kappa_clamping"`
	NumHouseholderIter            int     `opt:"num_householder_iter"`
}

// RecommendedF is the f option set that jammy_flows' documentation recommends for s2, used with
// 15 f layers ("fffffffffffffff"): vertical and circular smooth spline sub-flows (2 and 3 bins
// alternating) with fixed first widths, 14 parameters per layer.
var RecommendedF = map[string]any{
	"add_vertical_rq_spline_flow": 1, "spline_num_basis_functions": -1, "vertical_smooth": 1,
	"vertical_flow_defs": "rr", "circular_flow_defs": "oo", "vertical_fix_boundary_derivative": 1,
	"min_kappa": 1e-10, "kappa_prediction": kappaDirect, "kappa_clamping": 0,
	"vertical_restrict_max_min_width_height_ratio": -1.0, "vertical_fix_first_width_n_height_to_zero": 1,
	"vertical_independent_width_height_parametrization": 1, "add_circular_rq_spline_flow": 1,
	"circular_add_rotation": 0, "vertical_also_fix_second_width_to_zero": 1, "rotation_mode": modeHouseholder,
}

var fSchema = spec.Schema{
	{Name: "add_vertical_rq_spline_flow", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "add_circular_rq_spline_flow", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "add_correlated_rq_spline_flow", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "circular_flow_defs", Kind: spec.String, Default: "oo"},
	{Name: "vertical_flow_defs", Kind: spec.String, Default: "rr"},
	{Name: "correlated_max_rank", Kind: spec.Int, Default: 3, Check: spec.AtLeast(0)},
	{Name: "inverse_z_scaling", Kind: spec.Int, Default: 1, Check: spec.Flag},
	{Name: "boundary_cos_theta_identity_region", Kind: spec.Float, Default: 0.0, Check: unitInterval},
	{Name: "spline_num_basis_functions", Kind: spec.Int, Default: 5, Check: spec.PositiveOrMinusOne},
	{Name: "vertical_smooth", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "vertical_restrict_max_min_width_height_ratio", Kind: spec.Float, Default: -1.0, Check: spec.PositiveOrMinusOne},
	{Name: "vertical_fix_boundary_derivative", Kind: spec.Int, Default: 1, Check: spec.Flag},
	{Name: "vertical_fix_first_width_n_height_to_zero", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "vertical_also_fix_second_width_to_zero", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "vertical_independent_width_height_parametrization", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "circular_add_rotation", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "min_kappa", Kind: spec.Float, Default: 1e-10, Check: spec.Positive},
	{Name: "kappa_prediction", Kind: spec.String, Default: kappaDirect, Choices: kappaModes},
	{Name: "add_extra_rotation_inbetween", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "add_rotation", Kind: spec.Int, Default: 1, Check: spec.Flag},
	{Name: "rotation_mode", Kind: spec.String, Default: modeHouseholder, Choices: rotationModes},
	{Name: "kappa_clamping", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "num_householder_iter", Kind: spec.Int, Default: -1, Check: spec.PositiveOrMinusOne},
}

// unitInterval accepts values in [0, 1).
func unitInterval(v any) error {
	if f := spec.Number(v); f >= 0 && f < 1 {
		return nil
	}
	return fmt.Errorf("must lie in [0, 1)")
}

// verticalOptions are the r options of vertical layer l: the vertical_* options of f, with
// spline_num_basis_functions bins (-1: 2 for even and 3 for odd layers); the other options keep
// r's defaults.
func verticalOptions(opts fOptions, l int) interval.ROptions {
	o := spec.DecodeDefaults[interval.ROptions](interval.REntry.Schema)
	o.Bins = opts.SplineBins
	if o.Bins == -1 {
		o.Bins = 2 + l%2
	}
	o.FixBoundaryDerivative = -1
	if opts.VerticalFixBoundaryDerivative {
		o.FixBoundaryDerivative = 1
	}
	o.Smooth, o.MaxRatio = opts.VerticalSmooth, opts.VerticalMaxRatio
	o.FixFirst, o.AlsoFixSecond, o.Independent = opts.VerticalFixFirst, opts.VerticalAlsoFixSecond, opts.VerticalIndependent
	return o
}

// circularOptions are the o options of every circular layer: two smooth bins, the vertical
// fix/independence options, no rotation; the other options keep o's defaults.
func circularOptions(opts fOptions) oOptions {
	o := spec.DecodeDefaults[oOptions](oSchema)
	o.Bins, o.Smooth = 2, true
	o.FixFirst, o.AlsoFixSecond, o.Independent = opts.VerticalFixFirst, opts.VerticalAlsoFixSecond, opts.VerticalIndependent
	o.AddRotation = opts.CircularAddRotation
	return o
}
