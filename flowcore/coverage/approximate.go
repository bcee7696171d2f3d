// Package coverage measures the calibration of a PDF's credible regions (jammy_flows'
// approximate_coverage and coverage_and_or_pdf_scan): the approximate coverage of a point from
// the χ² distribution of its base point, and the exact highest-posterior-density (HPD) coverage,
// the probability of the points denser than it, from a scan of the PDF — a regular grid on
// Euclidean, interval and circle parts, an adaptive HEALPix mesh on a sphere, or samples of the
// PDF where a grid cannot reach — with the MAP point, credible-region volumes and the saved scan.
package coverage

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/flowcore"
)

// Total stands for the whole PDF where a sub-manifold index is expected.
const Total = -1

// Approx is the approximate coverage of a batch of points (jammy_flows' approximate_coverage).
type Approx struct {
	// Expected are the coverage levels 0..1 at which the observed coverage is counted.
	Expected []float64
	// Parts holds one result per requested key, in request order.
	Parts []ApproxPart
}

// ApproxPart is the approximate coverage for the whole PDF or for one sub-manifold's base
// coordinates.
type ApproxPart struct {
	// SubManifold is the sub-manifold index, or Total.
	SubManifold int
	// True is the fraction of points with χ² CDF below each Expected level (jammy_flows "true").
	True []float64
	// LogprobDiffs is 2(log N(0) − log N(z)) = |z|² of each point's base point z (restricted to
	// the sub-manifold's base coordinates).
	LogprobDiffs []float64
	// Chi2CDF is the χ² CDF of LogprobDiffs with the base dimension as degrees of freedom: the
	// approximate coverage value of each point, uniform for a calibrated PDF.
	Chi2CDF []float64
}

// Approximate computes the approximate coverage of n points x (coordinates c, conditional rows
// cond) for every key of subManifolds (Total or sub-manifold indices), counted at
// numPercentilePoints levels evenly spaced in [0, 1].
func Approximate(p *flowcore.PDF, x []float64, n int, cond []float64, c flowcore.Coords, numPercentilePoints int, subManifolds []int) (Approx, error) {
	return ApproximateAmortized(p, x, n, cond, nil, c, numPercentilePoints, subManifolds)
}

// ApproximateAmortized is Approximate for an amortize-everything PDF, whose amortization
// parameters amort (n rows; nil for other PDFs) come with the points.
func ApproximateAmortized(p *flowcore.PDF, x []float64, n int, cond, amort []float64, c flowcore.Coords, numPercentilePoints int, subManifolds []int) (Approx, error) {
	if numPercentilePoints < 2 {
		return Approx{}, fmt.Errorf("num_percentile_points: must be >= 2, got %d", numPercentilePoints)
	}
	offsets := baseOffsets(p)
	for _, k := range subManifolds {
		if k != Total && (k < 0 || k >= p.NumSubManifolds()) {
			return Approx{}, fmt.Errorf("sub_manifolds: index %d is invalid for %d sub-manifolds (use -1 for the whole PDF)", k, p.NumSubManifolds())
		}
	}
	d, err := p.LogDensityAmortized(x, n, cond, amort, c)
	if err != nil {
		return Approx{}, err
	}
	res := Approx{Expected: make([]float64, numPercentilePoints)}
	for i := range res.Expected {
		res.Expected[i] = float64(i) / float64(numPercentilePoints-1)
	}
	bd := p.BaseDim()
	for _, k := range subManifolds {
		part := ApproxPart{SubManifold: k, LogprobDiffs: make([]float64, n), Chi2CDF: make([]float64, n)}
		lo, hi := 0, bd
		if k != Total {
			lo, hi = offsets[k], offsets[k+1]
		}
		for i := range n {
			if k == Total {
				// from the base log-density, as jammy_flows: 2(log N(0) - log N(z))
				part.LogprobDiffs[i] = 2 * (-float64(bd)/2*math.Log(2*math.Pi) - d.BaseLogPDF[i])
			} else {
				var s float64
				for _, z := range d.Base[i*bd+lo : i*bd+hi] {
					s += z * z
				}
				part.LogprobDiffs[i] = s
			}
			part.Chi2CDF[i] = chi2CDF(part.LogprobDiffs[i], hi-lo)
		}
		part.True = observed(part.Chi2CDF, res.Expected)
		res.Parts = append(res.Parts, part)
	}
	return res, nil
}

// observed returns, for each level, the fraction of the values below it (NaN values count as
// never below).
func observed(values, levels []float64) []float64 {
	out := make([]float64, len(levels))
	if len(values) == 0 {
		return out
	}
	for j, l := range levels {
		k := 0
		for _, v := range values {
			if v < l {
				k++
			}
		}
		out[j] = float64(k) / float64(len(values))
	}
	return out
}

// baseOffsets returns the first base column of every sub-manifold, and the base dimension last.
func baseOffsets(p *flowcore.PDF) []int {
	defs := p.ManifoldDefs()
	out := make([]int, len(defs)+1)
	for k, d := range defs {
		out[k+1] = out[k] + d.Dim
	}
	return out
}
