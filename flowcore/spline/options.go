package spline

// Options are the spline options that the interval layer r and the circle layer o share, with
// jammy_flows' names (the layers declare them in their schemas and embed this group in their
// option structs).
type Options struct {
	Bins                  int     `opt:"num_basis_functions"`
	FixBoundaryDerivative float64 `opt:"fix_boundary_derivatives"`
	Smooth                bool    `opt:"smooth_second_derivative"`
	FixFirst              bool    `opt:"fix_first_width_n_height_to_zero"`
	AlsoFixSecond         bool    `opt:"also_fix_second_width_to_zero"`
	Independent           bool    `opt:"independent_width_height_parametrization"`
	MinWidth              float64 `opt:"min_width"`
	MinHeight             float64 `opt:"min_height"`
	MinDerivative         float64 `opt:"min_derivative"`
}
