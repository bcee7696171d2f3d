package stats

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/ad"
)

// Total stands for the whole PDF where a sub-manifold index is expected.
const Total = -1

// Estimate is a Monte-Carlo estimate per conditional row.
type Estimate struct {
	// Value is the estimate per conditional row, StdErr its Monte-Carlo standard error
	// (the standard deviation of the summands over √SampleSize).
	Value, StdErr []float64
}

// Gradient is the gradient of the sum over conditional rows of an estimate, through the
// reparameterized samples (the base draws held fixed).
type Gradient struct {
	// Params is the gradient with respect to the flat parameter vector.
	Params []float64
	// Cond is the gradient with respect to the conditional inputs (rows x ConditionalDim; nil
	// for an unconditional PDF).
	Cond []float64
	// Amortization is the gradient with respect to the amortization parameters (rows x
	// NumAmortizationParams; nil for a PDF without them).
	Amortization []float64
}

// Entropies holds entropies per conditional row (jammy_flows' entropy and entropy_iterative).
type Entropies struct {
	// Keys are the requested sub-manifold indices, Total for the whole PDF.
	Keys []int
	// Parts holds the estimate of every key, in the order of Keys.
	Parts []Estimate
	// Samples are the samples the estimates use: SampleSize consecutive rows per conditional row.
	Samples flowcore.Samples
}

// Entropy estimates the entropy -E[log p(X)] of p per conditional row of cond (nil for an
// unconditional PDF) from o.SampleSize samples, for every key of subManifolds: Total for the
// whole PDF, k for the marginal PDF of sub-manifold k. As jammy_flows, the marginal density of
// sub-manifold k > 0 at a sample is the mean of its conditional density p_k(x_k | x_<k) over the
// earlier sub-manifolds' parts of all samples of the row (SampleSize² evaluations per row, in
// chunks); sub-manifold 0 and the whole PDF use the samples' own densities.
func Entropy(p *flowcore.PDF, cond []float64, subManifolds []int, o Options) (Entropies, error) {
	o, nr, err := prepare(p, cond, o)
	if err != nil {
		return Entropies{}, err
	}
	if len(subManifolds) == 0 {
		return Entropies{}, fmt.Errorf("sub_manifolds: empty; use -1 for the whole PDF")
	}
	sub := false
	for _, k := range subManifolds {
		if k != Total && (k < 0 || k >= p.NumSubManifolds()) {
			return Entropies{}, fmt.Errorf("sub_manifolds: index %d is invalid for %d sub-manifolds (use -1 for the whole PDF)", k, p.NumSubManifolds())
		}
		sub = sub || k != Total
	}
	s, c := o.SampleSize, o.coords()
	in := repeated(p, cond, o.Amortization, s)
	smp, err := in.sample(p, nr*s, o.Seed, c)
	if err != nil {
		return Entropies{}, err
	}
	res := Entropies{Keys: append([]int(nil), subManifolds...), Samples: smp}
	var subLogp []float64
	if sub {
		d, err := p.SubLogDensityAmortized(smp.X, nr*s, in.cond, in.amort, c)
		if err != nil {
			return Entropies{}, err
		}
		subLogp = d.SubLogPDF
	}
	nsub := p.NumSubManifolds()
	for _, k := range subManifolds {
		negLogp := make([]float64, nr*s)
		switch k {
		case Total:
			for i, v := range smp.LogPDF {
				negLogp[i] = -v
			}
		case 0:
			for i := range negLogp {
				negLogp[i] = -subLogp[i*nsub]
			}
		default:
			if err := marginalNegLogp(p, negLogp, smp.X, nr, cond, k, o); err != nil {
				return Entropies{}, err
			}
		}
		res.Parts = append(res.Parts, perRow(negLogp, nr, s))
	}
	return res, nil
}

// perRow returns the mean and standard error of every block of s values.
func perRow(v []float64, nr, s int) Estimate {
	e := Estimate{Value: make([]float64, nr), StdErr: make([]float64, nr)}
	for r := range nr {
		e.Value[r], e.StdErr[r] = meanAndError(v[r*s : (r+1)*s])
	}
	return e
}

// pairRows is the number of sample pairs evaluated in one call of a marginal density.
const pairRows = 1 << 15

// marginalNegLogp fills dst with -log p̂_k(x_k) for every sample x of x (nr rows of SampleSize
// samples each), p̂_k(x_k) = mean over the row's samples y of p_k(x_k | y_<k).
func marginalNegLogp(p *flowcore.PDF, dst, x []float64, nr int, cond []float64, k int, o Options) error {
	c, s := o.coords(), o.SampleSize
	cols, err := p.Columns(c)
	if err != nil {
		return err
	}
	dim, first, last := cols[len(cols)-1], cols[k], cols[k+1]
	for r := range nr {
		row := x[r*s*dim : (r+1)*s*dim]
		z := make([]float64, 0, s*(last-first))
		for i := range s {
			z = append(z, row[i*dim+first:i*dim+last]...)
		}
		condRow, amortRow := rowInputs(p, cond, o.Amortization, r)
		logp, err := marginalLogDensity(p, z, s, row, s, condRow, amortRow, k, c)
		if err != nil {
			return err
		}
		for i, l := range logp {
			dst[r*s+i] = -l
		}
	}
	return nil
}

// rowInputs returns row r of the conditional inputs and of the amortization parameters of p
// (nil where p takes none).
func rowInputs(p *flowcore.PDF, cond, amort []float64, r int) (condRow, amortRow []float64) {
	if cd := p.ConditionalDim(); cd > 0 {
		condRow = cond[r*cd : (r+1)*cd]
	}
	if na := p.NumAmortizationParams(); amort != nil {
		amortRow = amort[r*na : (r+1)*na]
	}
	return condRow, amortRow
}

// marginalLogDensity returns log p̂_k(z) at n points z of sub-manifold k (rows of its width in
// coordinates c): p̂_k(z) is the mean over the m samples y of the conditional density
// p_k(z | y_<k) (y: m rows of the full dimension, drawn with the conditional inputs condRow and
// amortization parameters amortRow), evaluated in chunks of at most pairRows pairs.
func marginalLogDensity(p *flowcore.PDF, z []float64, n int, y []float64, m int, condRow, amortRow []float64, k int, c flowcore.Coords) ([]float64, error) {
	cols, err := p.Columns(c)
	if err != nil {
		return nil, err
	}
	dim, first, last, nsub := cols[len(cols)-1], cols[k], cols[k+1], p.NumSubManifolds()
	w := last - first
	out := make([]float64, n)
	terms := make([]float64, m)
	chunk := max(1, pairRows/m) // points per call
	for lo := 0; lo < n; lo += chunk {
		hi := min(n, lo+chunk)
		pairs := make([]float64, 0, (hi-lo)*m*dim)
		for i := lo; i < hi; i++ {
			for j := range m {
				pairs = append(pairs, y[j*dim:j*dim+first]...)
				pairs = append(pairs, z[i*w:(i+1)*w]...)
				pairs = append(pairs, y[j*dim+last:(j+1)*dim]...)
			}
		}
		in := repeated(p, condRow, amortRow, (hi-lo)*m)
		d, err := p.SubLogDensityAmortized(pairs, (hi-lo)*m, in.cond, in.amort, c)
		if err != nil {
			return nil, err
		}
		for i := lo; i < hi; i++ {
			for j := range m {
				terms[j] = d.SubLogPDF[((i-lo)*m+j)*nsub+k]
			}
			out[i] = ad.LogSumExpF(terms) - math.Log(float64(m))
		}
	}
	return out, nil
}

// EntropyGrad estimates the entropy of the whole PDF per conditional row as Entropy does (the
// same samples for the same options) and the gradient of the summed entropies with respect to
// the parameters and the conditional inputs. The gradient is the total derivative of
// -log p(x(ε; θ); θ) at fixed base draws ε, so it includes the path of the samples: the
// explicit dependence alone averages to zero (the score has mean zero) and would be the wrong
// gradient. With amortization parameters (o.Amortization) the gradient with respect to them is
// returned as well.
func EntropyGrad(p *flowcore.PDF, cond []float64, o Options) (Estimate, Gradient, error) {
	o, nr, err := prepare(p, cond, o)
	if err != nil {
		return Estimate{}, Gradient{}, err
	}
	s := o.SampleSize
	seed := fillConst(nr*s, -1/float64(s))
	in := repeated(p, cond, o.Amortization, s)
	smp, g, err := p.SampleVJPAmortized(nr*s, in.cond, in.amort, o.Seed, o.coords(), flowcore.SampleSeeds{SeedLogPDF: seed})
	if err != nil {
		return Estimate{}, Gradient{}, err
	}
	negLogp := make([]float64, nr*s)
	for i, v := range smp.LogPDF {
		negLogp[i] = -v
	}
	return perRow(negLogp, nr, s), rowGradient(p, g, s), nil
}
