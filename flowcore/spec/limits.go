package spec

import "fmt"

// Limits on definitions and options. They are checked where a definition or option is read,
// before anything is allocated from it, so that no input can make the library allocate without
// bound; the memory a whole model needs is checked against the memory budget of flowcore
// (SetMemoryBudget) once its parameter count is known. docs/c_api.md lists them.
const (
	// MaxDim bounds the dimension of a sub-manifold, the total dimension of pdf_defs and the
	// width of a conditional input.
	MaxDim = 1 << 12
	// MaxLayers bounds the number of layer letters of one sub-manifold's flow: deeper default
	// stacks of g contract so far that sampling and density no longer invert each other in
	// float64 (at 64 layers they agree to 2e-4, at 100 no longer at all).
	MaxLayers = 64
	// MaxInt bounds the absolute value of integer layer options (num_kde,
	// num_householder_iter, num_components, ...) and of MLP widths and ranks.
	MaxInt = 1 << 20
)

// CheckInt returns an error naming what if |v| > max.
func CheckInt(what string, v, max int) error {
	if v > max || v < -max {
		return fmt.Errorf("%s = %d is beyond gojammy's limit of %d", what, v, max)
	}
	return nil
}
