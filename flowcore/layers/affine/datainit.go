package affine

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// minMaxEigenRatio floors the eigenvalues of the data's second-moment matrix at this fraction of
// the largest one before fitting t (jammy_flows' init_params default mvn_min_max_sv_ratio).
const minMaxEigenRatio = 1e-4

// InitFromData sets the offset to the data mean and, as upstream, leaves the points centred.
func (l *xLayer) InitFromData(x []float64, n int, _ *rand.Rand) ([]float64, []float64, error) {
	if err := checkData(x, n, l.d); err != nil {
		return nil, nil, err
	}
	if !l.offset {
		return []float64{}, append([]float64(nil), x...), nil
	}
	means, centred := centre(x, n, l.d)
	return means, centred, nil
}

// InitFromData fits t to the data (jammy_flows' find_init_pars_of_chained_blocks): the offset, if
// any, takes the data mean; L is fitted to the second-moment matrix M = XᵀX/n of the (centred)
// points, with eigenvalues floored at 1e-4 of the largest, by minimizing the reverse KL divergence
// ½[tr(M⁻¹LLᵀ) − log det LLᵀ + log det M − d]. Upstream minimizes it numerically (BFGS from a
// random start); here its minimizer is taken in closed form: the Cholesky factor of M (full),
// diagonal entries 1/√(M⁻¹)_ii (diagonal), or one entry √(d / tr M⁻¹) (diagonal_symmetric). The
// log-diagonal is mapped back through the width regulator (clamped into its range). The returned
// points are the data mapped by the layer's own density direction with these parameters.
func (l *tLayer) InitFromData(x []float64, n int, _ *rand.Rand) ([]float64, []float64, error) {
	d := l.d
	if err := checkData(x, n, d); err != nil {
		return nil, nil, err
	}
	params := []float64{}
	data := x
	if l.offset {
		params, data = centre(x, n, d)
	}
	if l.numDiag() > 0 {
		fit, err := l.fitFactor(data, n)
		if err != nil {
			return nil, nil, err
		}
		params = append(params, fit...)
	}
	t := ad.NewTape(false)
	z, _ := l.Inverse(t.Const(n, d, x), t.Const(1, len(params), params))
	return params, z.Val, nil
}

// fitFactor returns the raw log-diagonal and lower entries of L fitted to the second moments of
// data.
func (l *tLayer) fitFactor(data []float64, n int) ([]float64, error) {
	d := l.d
	xm := mat.NewDense(n, d, data)
	var m mat.SymDense
	m.SymOuterK(1/float64(n), xm.T())
	var eig mat.EigenSym
	if !eig.Factorize(&m, true) {
		return nil, fmt.Errorf("layer t: eigen-decomposition of the data's second moments failed")
	}
	vals := eig.Values(nil)
	largest := vals[len(vals)-1]
	if !(largest > 0) {
		return nil, fmt.Errorf("layer t: the data have no spread (largest second-moment eigenvalue %g)", largest)
	}
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	for k := range vals {
		vals[k] = math.Max(vals[k], minMaxEigenRatio*largest)
	}
	var logDiag, lower []float64
	switch l.cov {
	case covFull:
		floored := mat.NewSymDense(d, nil)
		for a := 0; a < d; a++ {
			for b := a; b < d; b++ {
				s := 0.0
				for k, v := range vals {
					s += vecs.At(a, k) * v * vecs.At(b, k)
				}
				floored.SetSym(a, b, s)
			}
		}
		var ch mat.Cholesky
		if !ch.Factorize(floored) {
			return nil, fmt.Errorf("layer t: Cholesky factorization of the data's second moments failed")
		}
		var lt mat.TriDense
		ch.LTo(&lt)
		for i := 0; i < d; i++ {
			logDiag = append(logDiag, math.Log(lt.At(i, i)))
		}
		for _, p := range l.pairs {
			lower = append(lower, lt.At(p[0], p[1]))
		}
	case covDiagonal:
		for i := 0; i < d; i++ {
			inv := 0.0 // (M⁻¹)_ii
			for k, v := range vals {
				inv += vecs.At(i, k) * vecs.At(i, k) / v
			}
			logDiag = append(logDiag, -0.5*math.Log(inv))
		}
	case covSymmetric:
		tr := 0.0
		for _, v := range vals {
			tr += 1 / v
		}
		logDiag = []float64{0.5 * math.Log(float64(d)/tr)}
	}
	raw := make([]float64, 0, len(logDiag)+len(lower))
	for _, v := range logDiag {
		raw = append(raw, l.width.RawFor(v))
	}
	return append(raw, lower...), nil
}

// checkData validates n points of dimension d.
func checkData(x []float64, n, d int) error {
	if n < 1 || len(x) != n*d {
		return fmt.Errorf("data initialization needs n >= 1 points of dimension %d, got %d values for n = %d", d, len(x), n)
	}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("data initialization: the data contain a non-finite value (%g)", v)
		}
	}
	return nil
}

// centre returns the column means of the n x d points and the points minus their means.
func centre(x []float64, n, d int) (means, centred []float64) {
	means = make([]float64, d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			means[j] += x[i*d+j]
		}
	}
	for j := range means {
		means[j] /= float64(n)
	}
	centred = make([]float64, len(x))
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			centred[i*d+j] = x[i*d+j] - means[j]
		}
	}
	return means, centred
}
