package stats

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/geom"
	"github.com/gojammy/gojammy/flowcore/healpix"
)

// TestMeshEntropyOfVMF: the mesh quadrature of a von Mises–Fisher density's entropy against
// the analytic value, from nearly uniform to a 2-degree spot.
func TestMeshEntropyOfVMF(t *testing.T) {
	opt, err := s2ScanMesh(32)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	mu := []float64{0.48, -0.6, 0.64}
	for _, kappa := range []float64{0.3, 5, 100, 1000} {
		guide := sampleVMF(nil, mu, kappa, 200, rng)
		a := toAngles(guide, 3)
		theta, phi := make([]float64, 200), make([]float64, 200)
		for i := range theta {
			theta[i], phi[i] = a[2*i], a[2*i+1]
		}
		logNorm := vmfLogNorm(3, kappa)
		got, err := meshEntropy(opt, theta, phi, func(th, ph, logp []float64) error {
			for i := range th {
				v := healpix.Vector(th[i], ph[i])
				logp[i] = kappa*geom.Dot3(v, [3]float64(mu)) + logNorm
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := vmfEntropy(3, kappa)
		t.Logf("kappa %g: mesh %.8f, analytic %.8f", kappa, got, want)
		if math.Abs(got-want) > 1e-5 {
			t.Errorf("kappa %g: mesh entropy %.8f, analytic %.8f", kappa, got, want)
		}
	}
}

// TestS2EntropyScanOfAFlow: the scanned entropy of S2 flows (random f and n flows, entropies
// 1.8 and 1.2 against log 4π = 2.53 for the uniform sphere) against a fine uniform HEALPix
// quadrature and the sampling estimate; of an s2+e1 PDF's sub-manifold 0 against its sampling
// estimate, per conditional row.
func TestS2EntropyScanOfAFlow(t *testing.T) {
	// uniform order-9 quadrature (3.1 million pixels of 0.11 degrees)
	const order = 9
	uniform := healpix.Uniform(order)
	theta, phi := make([]float64, uniform.Len()), make([]float64, uniform.Len())
	uniform.Centres(0, uniform.Len(), theta, phi)
	x := make([]float64, 0, 3*len(theta))
	for i := range theta {
		v := healpix.Vector(theta[i], phi[i])
		x = append(x, v[:]...)
	}
	for _, c := range []struct {
		flow   string
		spread float64
	}{{"f", 10}, {"n", 0.3}} {
		p := newPDF(t, "s2", c.flow, 0, c.spread, 9)
		scan, err := MarginalMoments(p, nil, MomentOptions{SampleSize: 200, Seed: 1, KLDiff: true, S2EntropyScanNside: 32})
		if err != nil {
			t.Fatal(err)
		}
		d, err := p.LogDensity(x, len(theta), nil, flowcore.EmbeddingCoords)
		if err != nil {
			t.Fatal(err)
		}
		quad := midpointEntropy(uniform, d.LogPDF)
		mc, err := Entropy(p, nil, []int{Total}, Options{SampleSize: 100000, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		got, se := scan.Subs[0].Entropy[0], mc.Parts[0].StdErr[0]
		t.Logf("s2 %s: scan %.6f, uniform quadrature %.6f, sampling %.6f ± %.6f", c.flow, got, quad, mc.Parts[0].Value[0], se)
		if math.Abs(got-quad) > 1e-4 || math.Abs(got-mc.Parts[0].Value[0]) > 4*se || scan.EntropyTotal[0] != got {
			t.Errorf("s2 %s: scan %.6f (total %.6f), quadrature %.6f, sampling %.6f ± %.6f", c.flow, got, scan.EntropyTotal[0], quad,
				mc.Parts[0].Value[0], se)
		}
		if kl := scan.Subs[0].KLDiff[0]; kl != scan.Subs[0].CrossEntropy[0]-got {
			t.Errorf("kl_diff %g is not the cross entropy minus the scanned entropy", kl)
		}
	}

	q := newPDF(t, "s2+e1", "f+g", 2, 1, 4)
	cond := []float64{0.4, -1, -0.3, 0.8}
	mixed, err := MarginalMoments(q, cond, MomentOptions{SampleSize: 200, Seed: 1, KLDiff: true, S2EntropyScanNside: 16})
	if err != nil {
		t.Fatal(err)
	}
	mc, err := Entropy(q, cond, []int{0}, Options{SampleSize: 50000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for r := range 2 {
		got, want, se := mixed.Subs[0].Entropy[r], mc.Parts[0].Value[r], mc.Parts[0].StdErr[r]
		t.Logf("s2+e1 row %d: scan %.5f, sampling %.5f ± %.5f", r, got, want, se)
		if math.Abs(got-want) > 4*se {
			t.Errorf("row %d: scan %.5f, sampling %.5f ± %.5f", r, got, want, se)
		}
	}
}

// TestS2EntropyScanErrors: PDFs and settings the scan cannot serve give errors naming the
// argument.
func TestS2EntropyScanErrors(t *testing.T) {
	for _, c := range []struct {
		pdf, flow string
		nside     int
		want      string
	}{
		{"e1+s2", "g+f", 32, "s2_entropy_scanning: sub-manifold 0 must be s2"},
		{"s2+s2", "f+f", 32, "sub-manifold 1 is s2 too"},
		{"s2", "f", 24, "s2_entropy_scan_nside: must be a power of two"},
		{"s2", "f", -2, "s2_entropy_scan_nside: must be a power of two"},
	} {
		p := newPDF(t, c.pdf, c.flow, 0, 0.5, 1)
		_, err := MarginalMoments(p, nil, MomentOptions{SampleSize: 20, KLDiff: true, S2EntropyScanNside: c.nside})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s nside %d: error %v, want %q", c.pdf, c.flow, c.nside, err, c.want)
		}
	}
}
