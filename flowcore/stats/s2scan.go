package stats

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/healpix"
)

// s2ScanMesh returns the adaptive mesh settings of an S2 entropy scan from nside: the scan
// starts on the uniform mesh of that nside (jammy_flows' s2_entropy_scan_nside) and refines as
// the coverage scans do (healpix.DefaultAdaptiveOptions), down to their finest order or nside's
// if finer.
func s2ScanMesh(nside int) (healpix.AdaptiveOptions, error) {
	k, err := healpix.Order(nside)
	if err != nil {
		return healpix.AdaptiveOptions{}, fmt.Errorf("s2_entropy_scan_nside: %s", strings.TrimPrefix(err.Error(), "nside: "))
	}
	opt := healpix.DefaultAdaptiveOptions()
	opt.StartOrder, opt.MaxOrder = k, max(k, opt.MaxOrder)
	return opt, nil
}

// meshEntropy returns the entropy -∫ p log p dΩ of the log-density f with respect to solid
// angle by quadrature: the midpoint rule -Σ_i p_i log p_i A_i on the adaptive mesh of f (guided
// by the points theta, phi) and on the same mesh with every cell split into its four children,
// combined by Richardson extrapolation (4 H_children − H_mesh) / 3, as the midpoint rule's error
// falls with the square of the cell size (measured on von Mises–Fisher densities: 1e-4 for the
// mesh alone, a few 1e-6 extrapolated). Cells of zero density add nothing.
func meshEntropy(opt healpix.AdaptiveOptions, theta, phi []float64, f healpix.LogDensityFunc) (float64, error) {
	mesh, logp, err := healpix.Adaptive(opt, theta, phi, f)
	if err != nil {
		return 0, err
	}
	fine, _ := mesh.Refine(slices.Repeat([]bool{true}, mesh.Len()))
	th, ph, fineLogp := make([]float64, fine.Len()), make([]float64, fine.Len()), make([]float64, fine.Len())
	fine.Centres(0, fine.Len(), th, ph)
	if err := f(th, ph, fineLogp); err != nil {
		return 0, err
	}
	return (4*midpointEntropy(fine, fineLogp) - midpointEntropy(mesh, logp)) / 3, nil
}

// midpointEntropy is -Σ_i p_i log p_i A_i over the cells of m with log-densities logp.
func midpointEntropy(m healpix.Mesh, logp []float64) float64 {
	var h float64
	for i, l := range logp {
		if l > math.Inf(-1) {
			h -= math.Exp(l) * l * m.Area(i)
		}
	}
	return h
}

// s2ScanEntropy returns the entropy of the marginal of sub-manifold 0, an S2, per row by
// quadrature on an adaptive HEALPix mesh (meshEntropy) instead of from samples: the marginal
// density of the first sub-manifold is its own factor p_0(x_0) of the PDF, which does not depend
// on the later sub-manifolds. x holds the samples in embedding coordinates (nr rows of s
// samples each): those of sub-manifold 0 guide the mesh, the later coordinates of a row's first
// sample complete the points at which p_0 is evaluated.
func s2ScanEntropy(p *flowcore.PDF, cond, amort, x []float64, nr, s, nside int) ([]float64, error) {
	opt, err := s2ScanMesh(nside)
	if err != nil {
		return nil, err
	}
	dim, err := p.Dim(flowcore.EmbeddingCoords)
	if err != nil {
		return nil, err
	}
	out := make([]float64, nr)
	for r := range nr {
		row := x[r*s*dim : (r+1)*s*dim]
		theta, phi := make([]float64, s), make([]float64, s)
		for i := range s {
			a := toAngles(row[i*dim:i*dim+3], 3)
			theta[i], phi[i] = a[0], a[1]
		}
		condRow, amortRow := rowInputs(p, cond, amort, r)
		out[r], err = meshEntropy(opt, theta, phi, func(th, ph, logp []float64) error {
			z := make([]float64, 0, 3*len(th))
			for i := range th {
				v := healpix.Vector(th[i], ph[i])
				z = append(z, v[:]...)
			}
			// one "mixture component": the row's first sample, whose later parts p_0 ignores
			l, err := marginalLogDensity(p, z, len(th), row, 1, condRow, amortRow, 0, flowcore.EmbeddingCoords)
			copy(logp, l)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
