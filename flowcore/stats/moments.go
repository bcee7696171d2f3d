package stats

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/geom"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// MomentOptions controls MarginalMoments.
type MomentOptions struct {
	// SampleSize (50 if 0, as jammy_flows) and Seed as in Options; the samples are always in
	// embedding coordinates.
	SampleSize int
	Seed       uint64
	// MisesAbsPrecision stops the Newton iterations of the von Mises–Fisher κ (1e-7 if 0).
	MisesAbsPrecision float64
	// KLDiff also computes the marginal entropies, the cross entropies and KL divergences
	// between every marginal and its approximation (jammy_flows'
	// calc_kl_diff_and_entropic_quantities).
	KLDiff bool
	// Amortization holds the amortization parameters of an amortize_everything PDF, one row per
	// conditional row, as Options.Amortization.
	Amortization []float64
	// S2EntropyScanNside > 0 (with KLDiff; ignored without, as jammy_flows ignores
	// s2_entropy_scanning) computes the entropy of sub-manifold 0, which must be S2 and the only
	// S2, by quadrature on an adaptive HEALPix mesh that starts at this nside (a power of 2;
	// jammy_flows' s2_entropy_scanning with s2_entropy_scan_nside) instead of from the samples,
	// and so the total entropy of a pure-S2 PDF (see s2ScanEntropy); 0 estimates from the
	// samples.
	S2EntropyScanNside int
}

// SubMoments are the moments of one sub-manifold's marginal per conditional row, with
// jammy_flows' meaning: a Gaussian approximation on Euclidean (and interval) parts, a von
// Mises–Fisher approximation on spheres (S1 included) and a Kent-like fit on S2.
type SubMoments struct {
	// Def is the sub-manifold.
	Def spec.ManifoldDef
	// Width is the number of embedding coordinates per point.
	Width int
	// Mean is the mean (unit mean direction on spheres), rows x Width.
	Mean []float64
	// MeanAngles is the mean direction in intrinsic coordinates (spheres), rows x Def.Dim.
	MeanAngles []float64
	// Varlike is the covariance (rows x Width x Width, normalized by SampleSize−1) on Euclidean
	// parts and the von Mises–Fisher κ (rows) on spheres.
	Varlike []float64
	// ArgMax is the sample of highest total log-density, rows x Width (ArgMaxAngles: in
	// intrinsic coordinates on spheres).
	ArgMax, ArgMaxAngles []float64
	// ApproxEntropy is the entropy of the approximation, per row.
	ApproxEntropy []float64
	// AziVar and ZenVar are the variances of the azimuth (relative to the mean's) and of the
	// zenith angle of the samples on S2, per row.
	AziVar, ZenVar []float64
	// Kent is the Kent-like fit on S2, per row.
	Kent []Kent
	// Entropy, CrossEntropy and KLDiff (cross entropy minus entropy: KL(marginal ‖
	// approximation)) per row, with MomentOptions.KLDiff.
	Entropy, CrossEntropy, KLDiff []float64
	// Samples are the samples of the sub-manifold, rows x SampleSize x Width
	// (SamplesAngles: intrinsic coordinates on spheres).
	Samples, SamplesAngles []float64
}

// Marginals holds MarginalMoments' result.
type Marginals struct {
	// Subs has one entry per sub-manifold.
	Subs []SubMoments
	// EntropyTotal is the entropy of the whole PDF per row (with MomentOptions.KLDiff).
	EntropyTotal []float64
	// ReverseCrossEntropy0 is −E_q[log p] under the approximation q of sub-manifold 0, and
	// ReverseKLDiff0 = KL(q ‖ p), per row (with MomentOptions.KLDiff, for a PDF of one
	// sub-manifold, where p is the marginal).
	ReverseCrossEntropy0, ReverseKLDiff0 []float64
}

// MarginalMoments computes the moments of every sub-manifold's marginal per conditional row of
// cond from SampleSize samples (jammy_flows' marginal_moments; circles work too).
func MarginalMoments(p *flowcore.PDF, cond []float64, o MomentOptions) (Marginals, error) {
	if o.SampleSize == 0 {
		o.SampleSize = 50
	}
	if o.SampleSize < 2 {
		return Marginals{}, fmt.Errorf("samplesize: must be >= 2, got %d", o.SampleSize)
	}
	if o.MisesAbsPrecision == 0 {
		o.MisesAbsPrecision = 1e-7
	}
	if !(o.MisesAbsPrecision > 0) {
		return Marginals{}, fmt.Errorf("mises_abs_precision: must be > 0, got %g", o.MisesAbsPrecision)
	}
	nr, err := rows(p, cond, o.Amortization)
	if err != nil {
		return Marginals{}, err
	}
	s, nsub := o.SampleSize, p.NumSubManifolds()
	so := Options{SampleSize: s, Seed: o.Seed, Amortization: o.Amortization}
	in := repeated(p, cond, o.Amortization, s)
	var res Marginals
	var smp flowcore.Samples
	var ent Entropies
	if o.KLDiff {
		keys := []int{Total}
		for k := range nsub {
			keys = append(keys, k)
		}
		if ent, err = Entropy(p, cond, keys, so); err != nil {
			return Marginals{}, err
		}
		smp = ent.Samples
		if o.S2EntropyScanNside != 0 {
			if err := scanS2Entropies(p, cond, o, ent, nr); err != nil {
				return Marginals{}, err
			}
		}
		res.EntropyTotal = ent.Parts[0].Value
	} else if smp, err = in.sample(p, nr*s, o.Seed, flowcore.EmbeddingCoords); err != nil {
		return Marginals{}, err
	}
	cols, err := p.Columns(flowcore.EmbeddingCoords)
	if err != nil {
		return Marginals{}, err
	}
	dim := cols[nsub]
	best := make([]int, nr) // per row, the sample of highest log-density
	for r := range nr {
		for i := range s {
			if smp.LogPDF[r*s+i] > smp.LogPDF[r*s+best[r]] {
				best[r] = i
			}
		}
	}
	for k, def := range p.ManifoldDefs() {
		w := cols[k+1] - cols[k]
		m := SubMoments{Def: def, Width: w, Samples: make([]float64, 0, nr*s*w), ArgMax: make([]float64, 0, nr*w)}
		for r := range nr {
			for i := range s {
				m.Samples = append(m.Samples, smp.X[(r*s+i)*dim+cols[k]:(r*s+i)*dim+cols[k+1]]...)
			}
			m.ArgMax = append(m.ArgMax, m.Samples[(r*s+best[r])*w:(r*s+best[r]+1)*w]...)
		}
		if def.Kind == spec.Sphere {
			err = sphereMoments(&m, nr, s, o)
		} else {
			err = gaussMoments(&m, nr, s)
		}
		if err != nil {
			return Marginals{}, err
		}
		if !o.KLDiff {
			m.CrossEntropy = nil
		} else {
			m.Entropy = ent.Parts[k+1].Value
			m.KLDiff = make([]float64, nr)
			for r := range nr {
				m.KLDiff[r] = m.CrossEntropy[r] - m.Entropy[r]
			}
		}
		res.Subs = append(res.Subs, m)
	}
	if o.KLDiff && nsub == 1 {
		if err := reverseKL(p, in, &res, nr, s, o.Seed); err != nil {
			return Marginals{}, err
		}
	}
	return res, nil
}

// scanS2Entropies replaces the entropy in ent (keys Total, 0, 1, ...) of sub-manifold 0, an
// S2, and of a pure-S2 PDF's total, by its scan (s2ScanEntropy). A later S2 sub-manifold is an
// error: its marginal is a mixture over the earlier parts, not a factor of the PDF.
func scanS2Entropies(p *flowcore.PDF, cond []float64, o MomentOptions, ent Entropies, nr int) error {
	isS2 := func(d spec.ManifoldDef) bool { return d.Kind == spec.Sphere && d.Dim == 2 }
	defs := p.ManifoldDefs()
	if !isS2(defs[0]) {
		return fmt.Errorf("s2_entropy_scanning: sub-manifold 0 must be s2 (pdf_defs %q)", p.PDFDefs())
	}
	for k, d := range defs[1:] {
		if isS2(d) {
			return fmt.Errorf("s2_entropy_scanning: only the first sub-manifold can be scanned (its factor of the PDF is its marginal); sub-manifold %d is s2 too, pass s2_entropy_scanning=False", k+1)
		}
	}
	h, err := s2ScanEntropy(p, cond, o.Amortization, ent.Samples.X, nr, o.SampleSize, o.S2EntropyScanNside)
	if err != nil {
		return err
	}
	ent.Parts[1].Value = h
	if len(defs) == 1 {
		ent.Parts[0].Value = h
	}
	return nil
}

// gaussMoments fills the Gaussian approximation of m's samples (and its cross entropy), rows in
// parallel.
func gaussMoments(m *SubMoments, nr, s int) error {
	w := m.Width
	m.Mean, m.Varlike = make([]float64, nr*w), make([]float64, nr*w*w)
	m.ApproxEntropy, m.CrossEntropy = make([]float64, nr), make([]float64, nr)
	return flowcore.ForEach(nr, func(r int) error {
		x := m.Samples[r*s*w : (r+1)*s*w]
		mean, cov := m.Mean[r*w:(r+1)*w], m.Varlike[r*w*w:(r+1)*w*w]
		for i := range s {
			for a := range w {
				mean[a] += x[i*w+a] / float64(s)
			}
		}
		for i := range s {
			for a := range w {
				for b := range w {
					cov[a*w+b] += (x[i*w+a] - mean[a]) * (x[i*w+b] - mean[b]) / float64(s-1)
				}
			}
		}
		chol, logDet := cholesky(cov, w)
		m.ApproxEntropy[r] = 0.5 * (float64(w)*(math.Log(2*math.Pi)+1) + logDet)
		var ce float64
		for i := range s {
			ce -= gaussLogPDF(x[i*w:(i+1)*w], mean, chol, logDet) / float64(s)
		}
		m.CrossEntropy[r] = ce
		return nil
	})
}

// cholesky returns the lower Cholesky factor of the w x w matrix a and log det a (NaN factor
// and -inf or NaN determinant for a matrix that is not positive definite).
func cholesky(a []float64, w int) ([]float64, float64) {
	l := make([]float64, w*w)
	var logDet float64
	for i := range w {
		for j := 0; j <= i; j++ {
			sum := a[i*w+j]
			for k := range j {
				sum -= l[i*w+k] * l[j*w+k]
			}
			if i == j {
				if !(sum > 0) {
					return fillConst(w*w, math.NaN()), math.Log(math.Max(sum, 0))
				}
				l[i*w+i] = math.Sqrt(sum)
				logDet += 2 * math.Log(l[i*w+i])
			} else {
				l[i*w+j] = sum / l[j*w+j]
			}
		}
	}
	return l, logDet
}

// gaussLogPDF is log N(x; mean, L Lᵀ) with logDet = log det(L Lᵀ).
func gaussLogPDF(x, mean, l []float64, logDet float64) float64 {
	w := len(x)
	z := make([]float64, w)
	var q float64
	for i := range w {
		sum := x[i] - mean[i]
		for k := range i {
			sum -= l[i*w+k] * z[k]
		}
		z[i] = sum / l[i*w+i]
		q += z[i] * z[i]
	}
	return -0.5 * (float64(w)*math.Log(2*math.Pi) + logDet + q)
}

// sphereMoments fills the von Mises–Fisher approximation of m's samples on a circle or S2 (and
// on S2 the angle variances and the Kent fit), rows in parallel.
func sphereMoments(m *SubMoments, nr, s int, o MomentOptions) error {
	w := m.Width // 2 on S1, 3 on S2
	m.Mean, m.Varlike = make([]float64, nr*w), make([]float64, nr)
	m.ApproxEntropy, m.CrossEntropy = make([]float64, nr), make([]float64, nr)
	m.SamplesAngles = toAngles(m.Samples, w)
	if w == 3 {
		m.AziVar, m.ZenVar, m.Kent = make([]float64, nr), make([]float64, nr), make([]Kent, nr)
	}
	err := flowcore.ForEach(nr, func(r int) error {
		x := m.Samples[r*s*w : (r+1)*s*w]
		mean := m.Mean[r*w : (r+1)*w]
		for i := range s {
			for a := range w {
				mean[a] += x[i*w+a]
			}
		}
		var length float64
		for _, v := range mean {
			length += v * v
		}
		length = math.Sqrt(length)
		for a := range mean {
			mean[a] /= length
		}
		kappa := vmfKappa(w, length/float64(s), o.MisesAbsPrecision)
		m.Varlike[r] = kappa
		m.ApproxEntropy[r] = vmfEntropy(w, kappa)
		logNorm := vmfLogNorm(w, kappa)
		var ce float64
		for i := range s {
			var d float64
			for a := range w {
				d += x[i*w+a] * mean[a]
			}
			ce -= (kappa*d + logNorm) / float64(s)
		}
		m.CrossEntropy[r] = ce
		if w == 3 {
			angles := m.SamplesAngles[r*s*2 : (r+1)*s*2]
			meanPhi := geom.PolarAngle(mean[0], mean[1])
			zen, azi := make([]float64, s), make([]float64, s)
			for i := range s {
				zen[i] = angles[i*2]
				azi[i] = math.Remainder(angles[i*2+1]-meanPhi, 2*math.Pi)
				if azi[i] == math.Pi { // [-π, π) as jammy_flows
					azi[i] = -math.Pi
				}
			}
			m.ZenVar[r], m.AziVar[r] = variance(zen), variance(azi)
			m.Kent[r] = fitKent(x, s, [3]float64(mean), kappa)
		}
		return nil
	})
	m.MeanAngles = toAngles(m.Mean, w)
	m.ArgMaxAngles = toAngles(m.ArgMax, w)
	return err
}

// toAngles converts unit vectors (rows of w = 2 or 3 values) to intrinsic coordinates: the
// angle in [0, 2π) on the circle, (θ, φ) on S2.
func toAngles(x []float64, w int) []float64 {
	n := len(x) / w
	out := make([]float64, 0, n*(w-1))
	for i := range n {
		v := x[i*w : (i+1)*w]
		if w == 2 {
			out = append(out, geom.PolarAngle(v[0], v[1]))
			continue
		}
		theta := math.Atan2(math.Hypot(v[0], v[1]), v[2])
		out = append(out, theta, geom.PolarAngle(v[0], v[1]))
	}
	return out
}

// variance is the population variance (numpy's var).
func variance(v []float64) float64 {
	var mean, ss float64
	for _, x := range v {
		mean += x / float64(len(v))
	}
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return ss / float64(len(v))
}

// reverseKL fills the reverse cross entropy and KL divergence of sub-manifold 0 (the only one):
// SampleSize draws from its approximation q, evaluated under p.
func reverseKL(p *flowcore.PDF, in draws, res *Marginals, nr, s int, seed uint64) error {
	m := res.Subs[0]
	w := m.Width
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	y := make([]float64, 0, nr*s*w)
	for r := range nr {
		mean := m.Mean[r*w : (r+1)*w]
		if m.Def.Kind == spec.Sphere {
			y = sampleVMF(y, mean, m.Varlike[r], s, rng)
			continue
		}
		chol, _ := cholesky(m.Varlike[r*w*w:(r+1)*w*w], w)
		z := make([]float64, w)
		for range s {
			for a := range z {
				z[a] = rng.NormFloat64()
			}
			for a := range w {
				v := mean[a]
				for b := 0; b <= a; b++ {
					v += chol[a*w+b] * z[b]
				}
				y = append(y, v)
			}
		}
	}
	d, err := p.LogDensityAmortized(y, nr*s, in.cond, in.amort, flowcore.EmbeddingCoords)
	if err != nil {
		return err
	}
	res.ReverseCrossEntropy0, res.ReverseKLDiff0 = make([]float64, nr), make([]float64, nr)
	for r := range nr {
		var ce float64
		for _, l := range d.LogPDF[r*s : (r+1)*s] {
			ce -= l / float64(s)
		}
		res.ReverseCrossEntropy0[r] = ce
		res.ReverseKLDiff0[r] = ce - m.ApproxEntropy[r]
	}
	return nil
}

// Flatten lays the result out as one vector (the C API's and the Python package's transport),
// sub-manifold by sub-manifold in pdf_defs order, each array row-major with rows first:
// mean (rows x Width), varlike (rows x Width x Width on Euclidean and interval parts, rows on
// spheres), argmax (rows x Width), approx_entropy (rows); on spheres then mean_angles and
// argmax_angles (rows x Def.Dim each); on S2 then azivar, zenvar (rows each) and the Kent fit
// (rows x 11: gamma1, gamma2, gamma3, kappa, u); with KLDiff then entropy, cross_entropy and
// kl_diff (rows each). After the sub-manifolds, with KLDiff: entropy_total (rows) and, for a PDF
// of one sub-manifold, reverse_cross_entropy_0 and kl_diff_approx_exact_0 (rows each).
func (m Marginals) Flatten() []float64 {
	var out []float64
	for _, s := range m.Subs {
		out = append(out, s.Mean...)
		out = append(out, s.Varlike...)
		out = append(out, s.ArgMax...)
		out = append(out, s.ApproxEntropy...)
		out = append(out, s.MeanAngles...)
		out = append(out, s.ArgMaxAngles...)
		out = append(out, s.AziVar...)
		out = append(out, s.ZenVar...)
		for _, k := range s.Kent {
			out = append(out, k.Gamma1[:]...)
			out = append(out, k.Gamma2[:]...)
			out = append(out, k.Gamma3[:]...)
			out = append(out, k.Kappa, k.U)
		}
		out = append(out, s.Entropy...)
		out = append(out, s.CrossEntropy...)
		out = append(out, s.KLDiff...)
	}
	out = append(out, m.EntropyTotal...)
	out = append(out, m.ReverseCrossEntropy0...)
	return append(out, m.ReverseKLDiff0...)
}
