package sphere

import (
	"math"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// TestNaNRows checks that a NaN point or a NaN parameter row gives NaN in that row only, in both
// directions (the numerical inverses terminate), with and without recording gradients, and — where
// the layer's own ops are involved only (cases with noGrad false) — that a NaN row does not leak
// into the gradient of shared parameters. (The PDF replaces NaN rows before they reach layers;
// rotation.Apply and the spline knot gradients do not yet skip rows with a zero output gradient.)
func TestNaNRows(t *testing.T) {
	nan := math.NaN()
	cases := []layerCase{
		{name: "m", pdf: "s1", flow: "m"},
		{name: "m natural", pdf: "s1", flow: "m", opts: map[string]map[string]any{"m": {"natural_direction": 1}}},
		{name: "o", pdf: "s1", flow: "o", opts: map[string]map[string]any{"o": {"add_rotation": 0}}},
		{name: "f", pdf: "s2", flow: "f", opts: map[string]map[string]any{"f": RecommendedF}, noGrad: true},
		{name: "v", pdf: "s2", flow: "v"},
		{name: "v natural", pdf: "s2", flow: "v", opts: map[string]map[string]any{"v": {"natural_direction": 1}}},
		{name: "n", pdf: "s2", flow: "n", noGrad: true},
	}
	for _, c := range cases {
		b := c.build(t)
		dim := b.m.Dim()
		good := []float64{0.7, 1.3}[:dim]
		bad := make([]float64, dim)
		for i := range bad {
			bad[i] = nan
		}
		pNaN := append([]float64(nil), b.params...)
		for i := range pNaN {
			pNaN[i] = nan
		}
		for _, grad := range []bool{false, true} {
			for _, dir := range []string{"inverse", "forward"} {
				run := b.inverse
				if dir == "forward" {
					run = b.forward
				}
				tp := ad.NewTape(grad)
				// Row 0 valid, row 1 NaN point; then row 0 valid params, row 1 NaN params.
				x := tp.Var(2, dim, append(append([]float64(nil), good...), bad...))
				p := tp.Var(1, len(b.params), b.params)
				y, ld := run(x, p)
				check(t, c.name+" "+dir+" NaN point", y, ld, dim)
				if grad && ld.NeedsGrad() && !c.noGrad {
					tp.Backward(ld, []float64{1, 0})
					for _, g := range p.Grad() {
						if math.IsNaN(g) {
							t.Errorf("%s %s: the NaN row leaks into the shared parameter gradient", c.name, dir)
							break
						}
					}
				}
				x2 := tp.Var(2, dim, append(append([]float64(nil), good...), good...))
				p2 := tp.Var(2, len(b.params), append(append([]float64(nil), b.params...), pNaN...))
				y, ld = run(x2, p2)
				check(t, c.name+" "+dir+" NaN params", y, ld, dim)
				if grad && ld.NeedsGrad() {
					tp.Backward(ld, []float64{1, 0})
				}
			}
		}
	}
}

func check(t *testing.T, what string, y, ld *ad.Node, dim int) {
	t.Helper()
	for j := 0; j < dim; j++ {
		if math.IsNaN(y.Val[j]) || math.IsInf(y.Val[j], 0) {
			t.Errorf("%s: valid row gives %v", what, y.Val[:dim])
		}
		if !math.IsNaN(y.Val[dim+j]) && !math.IsNaN(ld.Val[1]) {
			t.Errorf("%s: NaN row gives %v, log-det %g", what, y.Val[dim:], ld.Val[1])
		}
	}
	if math.IsNaN(ld.Val[0]) {
		t.Errorf("%s: valid row log-det NaN", what)
	}
}
