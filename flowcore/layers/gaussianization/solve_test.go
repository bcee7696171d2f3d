package gaussianization

import (
	"math"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// TestSolveNextToNarrowKernel is the root search of a sample (found by a flaky test) whose
// mixture has a kernel 0.017 wide at the edge of the root's region: Newton's method cycled there,
// narrowing the bracket from one side only, until the iteration limit ended it at a point 0.97
// off in z. The safeguarded step bisects when a step does not halve.
func TestSolveNextToNarrowKernel(t *testing.T) {
	kernels := [][3]float64{ // μ, h, w
		{-4.3611305071055657, 1.683830001282886, 0.049119117798771476},
		{-1.3569710110983573, 1.2827348292110852, 0.1354296248958462},
		{-0.41316285074053549, 0.20457337489851318, 0.15056217659149562},
		{1.9425506500624654, 0.26765745959417175, 0.13359134828818028},
		{-3.3447626047754144, 1.490671503766748, 0.065073541215393882},
		{-2.0907165255659175, 0.25436898931524776, 0.10889540561386142},
		{-0.26973889588352429, 0.60608323823684163, 0.14643053744927026},
		{1.4376228024523665, 1.8394218442004369, 0.052968416715121584},
		{0.87821111058621371, 0.048249165146429948, 0.027396539776357771},
		{-2.3379719950648421, 0.017015264747293986, 0.13053329165570135},
	}
	k := len(kernels)
	mu, logh, logw := make([]float64, k), make([]float64, k), make([]float64, k)
	for j, c := range kernels {
		mu[j], logh[j], logw[j] = c[0], math.Log(c[1]), math.Log(c[2])
	}
	m := newMixture(k, 1, false)
	tp := ad.NewTape(false)
	p := mixParams{mu: tp.Const(1, k, mu), logh: tp.Const(1, k, logh), logw: tp.Const(1, k, logw)}
	const z = -1.7668759706636985
	y, _ := m.sample(isigmoid, tp.Const(1, 1, []float64{z}), p, nil) // one row: the row path
	back, _ := m.density(isigmoid, y, p, nil)
	if math.Abs(back.Val[0]-z) > 1e-12 {
		t.Errorf("z = %.17g sampled to y = %.17g, which maps back to z = %.17g", z, y.Val[0], back.Val[0])
	}
}
