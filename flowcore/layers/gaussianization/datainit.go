package gaussianization

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/rotation"
)

// pcaMaxDim is the dimension from which jammy_flows stops fitting the first Householder rotation
// to the data.
const pcaMaxDim = 30

// InitFromData returns initial parameters fitted to n data-side points (row-major, n x d), as
// jammy_flows' init_params(data) does for a classic g layer, and the points mapped to the base side
// by the layer with those parameters:
//
//   - offset (if any): the column means; the points are centred;
//   - rotation: for Householder reflections in the layer next to the data (last of the sub-flow)
//     and d < 30, reflections whose product Q has the principal axes of the centred points as
//     columns (so that Qᵀx are principal-component coordinates), found by a Householder
//     decomposition of the eigenvectors of XᵀX (jammy_flows instead fits the reflections with
//     scipy.optimize to one direction of that matrix); when the requested number of reflections
//     cannot represent those axes, and in other layers, standard-normal vectors. Other rotation
//     modes start at the identity (zeros);
//   - means: per-dimension percentiles at linspace(0, 100, K) of the rotated points (the last one
//     left out with center_mean);
//   - raw log-widths: log(1.5 × the smallest gap between consecutive percentiles) per dimension
//     (with a single kernel, or without any positive gap, the default bandwidth);
//   - raw log-norms 1, raw skew 0.
//
// The returned mapping uses the layer's own regulated widths (jammy_flows pushes the points with the
// raw log-widths taken as log-widths, a difference of about the width lower bound).
func (l *Layer) InitFromData(x []float64, n int, rng *rand.Rand) ([]float64, []float64, error) {
	d := l.d
	if l.spline != nil {
		return nil, nil, fmt.Errorf("data-driven initialization needs %q = %q (jammy_flows does not support %q)", optStretch, stretchClassic, stretchSpline)
	}
	if n < 1 || len(x) != n*d {
		return nil, nil, fmt.Errorf("data-driven initialization needs n >= 1 points of dimension %d (got n = %d and %d values)", d, n, len(x))
	}
	cur := slices.Clone(x)
	var params []float64
	if l.offset {
		mean := make([]float64, d)
		for i := 0; i < n; i++ {
			for j := 0; j < d; j++ {
				mean[j] += cur[i*d+j] / float64(n)
			}
		}
		for i := 0; i < n; i++ {
			for j := 0; j < d; j++ {
				cur[i*d+j] -= mean[j]
			}
		}
		params = append(params, mean...)
	}
	rot := l.rot.InitialParams(rng)
	if l.rot.Mode() == rotation.Householder && len(rot) > 0 && l.ctx.Index == l.ctx.Count-1 && d < pcaMaxDim {
		if vs, ok := principalReflections(cur, n, d, len(rot)/d, rng); ok {
			rot = vs
		}
	}
	params = append(params, rot...)
	rotate(l.rot.Matrix(rot), cur, n, d)
	params = append(params, l.kernelInit(cur, n)...)
	t := ad.NewTape(false)
	z, _ := l.Inverse(t.Const(n, d, x), t.Const(1, len(params), params))
	return params, z.Val, nil
}

// kernelInit returns the means, raw log-widths, raw log-norms and raw skew fitted to the points.
func (l *Layer) kernelInit(pts []float64, n int) []float64 {
	k, d := l.k, l.d
	perc := make([]float64, k*d) // (K, d)
	logw := make([]float64, d)
	col := make([]float64, n)
	for j := 0; j < d; j++ {
		for i := range col {
			col[i] = pts[i*d+j]
		}
		sort.Float64s(col)
		gap := math.Inf(1)
		for q := 0; q < k; q++ {
			perc[q*d+j] = percentile(col, linspace100(q, k))
			if q > 0 {
				if g := perc[q*d+j] - perc[(q-1)*d+j]; g > 0 {
					gap = math.Min(gap, g)
				}
			}
		}
		logw[j] = initLogWidth(k)
		if !math.IsInf(gap, 1) {
			logw[j] = math.Log(1.5 * gap)
		}
	}
	p := slices.Clone(perc[:l.nMeans])
	for q := 0; q < k; q++ {
		p = append(p, logw...)
	}
	if l.fitNorm {
		for i := 0; i < k*d; i++ {
			p = append(p, 1)
		}
	}
	if l.skew {
		p = append(p, make([]float64, k*d)...)
	}
	return p
}

// linspace100 is entry q of numpy.linspace(0, 100, k).
func linspace100(q, k int) float64 {
	if k == 1 {
		return 0
	}
	return 100 * float64(q) / float64(k-1)
}

// percentile is numpy.percentile with linear interpolation on sorted values.
func percentile(sorted []float64, q float64) float64 {
	pos := q / 100 * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	frac := pos - float64(lo)
	return sorted[lo] + frac*(sorted[lo+1]-sorted[lo])
}

// rotate replaces every point x (row of pts) by Mᵀx.
func rotate(m, pts []float64, n, d int) {
	y := make([]float64, d)
	for i := 0; i < n; i++ {
		x := pts[i*d : (i+1)*d]
		for a := 0; a < d; a++ {
			s := 0.0
			for b := 0; b < d; b++ {
				s += m[b*d+a] * x[b]
			}
			y[a] = s
		}
		copy(x, y)
	}
}

// principalReflections returns nRefl Householder vectors (nRefl x d, row-major) whose product is
// the matrix of principal axes V of the points (eigenvectors of XᵀX by decreasing eigenvalue, one
// axis sign chosen so that det V = (−1)^nRefl). V is reduced column by column to the identity by
// reflections v = a − e_k (at most d of them); unused reflections are added in cancelling pairs.
// ok is false when nRefl reflections cannot represent V.
func principalReflections(pts []float64, n, d, nRefl int, rng *rand.Rand) ([]float64, bool) {
	c := mat.NewSymDense(d, nil)
	for a := 0; a < d; a++ {
		for b := a; b < d; b++ {
			s := 0.0
			for i := 0; i < n; i++ {
				s += pts[i*d+a] * pts[i*d+b]
			}
			c.SetSym(a, b, s)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(c, true) {
		return nil, false
	}
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	// Columns by decreasing eigenvalue (EigenSym sorts them increasingly).
	v := mat.NewDense(d, d, nil)
	for j := 0; j < d; j++ {
		for i := 0; i < d; i++ {
			v.Set(i, j, vecs.At(i, d-1-j))
		}
	}
	if (mat.Det(v) < 0) != (nRefl%2 == 1) {
		for i := 0; i < d; i++ {
			v.Set(i, d-1, -v.At(i, d-1))
		}
	}
	var out []float64
	for k := 0; k < d; k++ {
		a := mat.Col(nil, k, v)
		a[k]--
		norm := 0.0
		for _, x := range a {
			norm += x * x
		}
		if norm < 1e-24 {
			continue
		}
		out = append(out, a...)
		// Apply the reflection to the remaining columns: V ← H V.
		for j := k; j < d; j++ {
			dot := 0.0
			for i := 0; i < d; i++ {
				dot += a[i] * v.At(i, j)
			}
			for i := 0; i < d; i++ {
				v.Set(i, j, v.At(i, j)-2*dot/norm*a[i])
			}
		}
	}
	used := len(out) / d
	if used > nRefl || (nRefl-used)%2 != 0 {
		return nil, false
	}
	for len(out) < nRefl*d {
		pair := make([]float64, d)
		for i := range pair {
			pair[i] = rng.NormFloat64()
		}
		out = append(out, pair...)
		out = append(out, pair...)
	}
	return out, true
}
