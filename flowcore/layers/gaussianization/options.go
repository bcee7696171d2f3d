package gaussianization

import (
	"fmt"

	"github.com/gojammy/gojammy/flowcore/layers/constrain"
	"github.com/gojammy/gojammy/flowcore/rotation"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// Option names of the g layer (jammy_flows spelling).
const (
	optFitNorm      = "fit_normalization"
	optHouseholder  = "num_householder_iter"
	optNumKDE       = "num_kde"
	optInverse      = "inverse_function_type"
	optReplaceFirst = "replace_first_sigmoid_with_icdf"
	optSkipOffset   = "skip_model_offset"
	optUpperNorms   = "upper_bound_for_norms"
	optLowerNorms   = "lower_bound_for_norms"
	optCenterMean   = "center_mean"
	optRegulateNorm = "regulate_normalization"
	optSkewness     = "add_skewness"
	optRotation     = "rotation_mode"
	optStretch      = "nonlinear_stretch_type"
)

// Nonlinear stretch types.
const (
	stretchClassic = "classic"
	stretchSpline  = "rq_splines"
)

// Options are the options of g (schema).
type Options struct {
	FitNormalization   bool   `opt:"fit_normalization"`
	NumHouseholderIter int    `opt:"num_householder_iter"`
	NumKDE             int    `opt:"num_kde"`
	InverseFunction    string `opt:"inverse_function_type"`
	// ReplaceFirstSigmoidWithICDF and SkipModelOffset are read by the PDF, not by the layer.
	ReplaceFirstSigmoidWithICDF bool `opt:"replace_first_sigmoid_with_icdf"`
	SkipModelOffset             bool `opt:"skip_model_offset"`
	constrain.Width
	UpperBoundForNorms    float64 `opt:"upper_bound_for_norms"`
	LowerBoundForNorms    float64 `opt:"lower_bound_for_norms"`
	CenterMean            bool    `opt:"center_mean"`
	RegulateNormalization bool    `opt:"regulate_normalization"`
	AddSkewness           bool    `opt:"add_skewness"`
	RotationMode          string  `opt:"rotation_mode"`
	NonlinearStretch      string  `opt:"nonlinear_stretch_type"`
}

// schema lists the options of g in jammy_flows' order, with its defaults and allowed values.
// replace_first_sigmoid_with_icdf and skip_model_offset are read by the PDF, not by the layer.
func schema() spec.Schema {
	width := map[string]spec.Option{}
	for _, o := range constrain.WidthSchema() {
		width[o.Name] = o
	}
	return spec.Schema{
		{Name: optFitNorm, Kind: spec.Int, Default: 1, Check: spec.Flag},
		{Name: optHouseholder, Kind: spec.Int, Default: -1, Check: spec.PositiveOrMinusOne},
		{Name: optNumKDE, Kind: spec.Int, Default: 10, Check: spec.Positive},
		{Name: optInverse, Kind: spec.String, Default: invNames[isigmoid], Choices: invNames},
		{Name: optReplaceFirst, Kind: spec.Int, Default: 1, Check: spec.Flag},
		{Name: optSkipOffset, Kind: spec.Int, Default: 0, Check: spec.Flag},
		width[constrain.OptSoftplus],
		width[constrain.OptUpper],
		width[constrain.OptLower],
		{Name: optUpperNorms, Kind: spec.Float, Default: 10.0, Check: spec.PositiveOrMinusOne},
		{Name: optLowerNorms, Kind: spec.Float, Default: 1.0, Check: func(v any) error {
			if v.(float64) > 0 {
				return nil
			}
			return fmt.Errorf("must be > 0")
		}},
		{Name: optCenterMean, Kind: spec.Int, Default: 0, Check: spec.Flag},
		width[constrain.OptClamp],
		width[constrain.OptSaturation],
		{Name: optRegulateNorm, Kind: spec.Int, Default: 1, Check: spec.Flag},
		{Name: optSkewness, Kind: spec.Int, Default: 0, Check: spec.Flag},
		{Name: optRotation, Kind: spec.String, Default: rotation.Householder, Choices: rotation.Modes},
		{Name: optStretch, Kind: spec.String, Default: stretchClassic, Choices: []string{stretchClassic, stretchSpline}},
	}
}
