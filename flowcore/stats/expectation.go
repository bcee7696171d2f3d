package stats

import (
	"fmt"

	"github.com/gojammy/gojammy/flowcore"
)

// Func is a user function of samples: it maps n samples x (rows of dim values) to one value each
// and, when grad is true, returns the gradient of every value with respect to its sample as
// well (n x dim; nil otherwise).
type Func func(x []float64, n, dim int, grad bool) (values, gradX []float64, err error)

// Expectation estimates E[f(X)] per conditional row of cond from o.SampleSize samples X of p
// (coordinates o.Coords), and with grad the gradient of the summed estimates with respect to the
// parameters, the conditional inputs (and the amortization parameters) through the reparameterized samples:
// d/dθ E[f(x(ε; θ))] = E[∇f(x) · dx/dθ].
func Expectation(p *flowcore.PDF, f Func, cond []float64, o Options, grad bool) (Estimate, Gradient, error) {
	if f == nil {
		return Estimate{}, Gradient{}, fmt.Errorf("f: no function given")
	}
	o, nr, err := prepare(p, cond, o)
	if err != nil {
		return Estimate{}, Gradient{}, err
	}
	s, c := o.SampleSize, o.coords()
	dim, err := p.Dim(c)
	if err != nil {
		return Estimate{}, Gradient{}, err
	}
	in := repeated(p, cond, o.Amortization, s)
	smp, err := in.sample(p, nr*s, o.Seed, c)
	if err != nil {
		return Estimate{}, Gradient{}, err
	}
	n := nr * s
	vals, gx, err := f(smp.X, n, dim, grad)
	if err != nil {
		return Estimate{}, Gradient{}, fmt.Errorf("f: %w", err)
	}
	if len(vals) != n {
		return Estimate{}, Gradient{}, fmt.Errorf("f: returned %d values for %d samples", len(vals), n)
	}
	est := perRow(vals, nr, s)
	if !grad {
		return est, Gradient{}, nil
	}
	if len(gx) != n*dim {
		return Estimate{}, Gradient{}, fmt.Errorf("f: returned a gradient of %d values for %d samples of dimension %d", len(gx), n, dim)
	}
	seedX := make([]float64, len(gx))
	for i, v := range gx {
		seedX[i] = v / float64(s)
	}
	_, g, err := p.FromBaseVJPAmortized(smp.Base, n, in.cond, in.amort, c, flowcore.SampleSeeds{SeedX: seedX})
	if err != nil {
		return Estimate{}, Gradient{}, err
	}
	return est, rowGradient(p, g, s), nil
}

// Moments estimates the raw moments E[X_d^k], k = 1..order, of every coordinate d per
// conditional row from o.SampleSize samples: Value and StdErr hold rows x order x dim values.
func Moments(p *flowcore.PDF, order int, cond []float64, o Options) (Estimate, error) {
	if order < 1 {
		return Estimate{}, fmt.Errorf("order: must be >= 1, got %d", order)
	}
	o, nr, err := prepare(p, cond, o)
	if err != nil {
		return Estimate{}, err
	}
	s, c := o.SampleSize, o.coords()
	dim, err := p.Dim(c)
	if err != nil {
		return Estimate{}, err
	}
	smp, err := repeated(p, cond, o.Amortization, s).sample(p, nr*s, o.Seed, c)
	if err != nil {
		return Estimate{}, err
	}
	out := Estimate{Value: make([]float64, nr*order*dim), StdErr: make([]float64, nr*order*dim)}
	col := make([]float64, s)
	for r := range nr {
		for k := 1; k <= order; k++ {
			for d := range dim {
				for i := range s {
					col[i] = pow(smp.X[(r*s+i)*dim+d], k)
				}
				at := (r*order+k-1)*dim + d
				out.Value[at], out.StdErr[at] = meanAndError(col)
			}
		}
	}
	return out, nil
}

// pow returns x^k for k >= 1 by repeated multiplication (exact signs for negative x).
func pow(x float64, k int) float64 {
	v := x
	for range k - 1 {
		v *= x
	}
	return v
}
