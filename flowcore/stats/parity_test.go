package stats

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// upstreamKent is one case of testdata/upstream_kent.json (gen_stats.py kent): samples of a
// known Kent-like distribution and jammy_flows' fit of them.
type upstreamKent struct {
	X             [][]float64 `json:"x"`
	KappaVMFStart float64     `json:"kappa_vmf_start"`
	Fit           struct {
		Gamma1, Gamma2, Gamma3 []float64
		Kappa, U, LogLik       float64
	} `json:"fit"`
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// TestKentFitMatchesUpstream fits the samples of the reference file and compares with
// jammy_flows' fast-path fit: the same frame (axes up to sign), κ and u within 1e-4 relative.
func TestKentFitMatchesUpstream(t *testing.T) {
	var cases []upstreamKent
	readJSON(t, "upstream_kent.json", &cases)
	for i, c := range cases {
		x := make([]float64, 0, 3*len(c.X))
		var sum [3]float64
		for _, v := range c.X {
			x = append(x, v...)
			for a := range 3 {
				sum[a] += v[a]
			}
		}
		k := fitKent(x, len(c.X), normalize3(sum), c.KappaVMFStart)
		for name, pair := range map[string][2][]float64{
			"gamma1": {k.Gamma1[:], c.Fit.Gamma1}, "gamma2": {k.Gamma2[:], c.Fit.Gamma2}, "gamma3": {k.Gamma3[:], c.Fit.Gamma3},
		} {
			var dot float64
			for a := range 3 {
				dot += pair[0][a] * pair[1][a]
			}
			if math.Abs(math.Abs(dot)-1) > 1e-9 {
				t.Errorf("case %d: %s %v, upstream %v", i, name, pair[0], pair[1])
			}
		}
		t.Logf("case %d: kappa %.6f (upstream %.6f), u %.6f (upstream %.6f)", i, k.Kappa, c.Fit.Kappa, k.U, c.Fit.U)
		if math.Abs(k.Kappa/c.Fit.Kappa-1) > 1e-4 || math.Abs(k.U/c.Fit.U-1) > 1e-4 || math.Abs(k.LogLik-c.Fit.LogLik) > 1e-3 {
			t.Errorf("case %d: kappa %.8g u %.8g loglik %.10g, upstream %.8g %.8g %.10g", i, k.Kappa, k.U, k.LogLik, c.Fit.Kappa, c.Fit.U, c.Fit.LogLik)
		}
	}
}

// upstreamStats is one model of testdata/upstream_stats.json (gen_stats.py head / 02).
type upstreamStats struct {
	PDFDefs            string                     `json:"pdf_defs"`
	FlowDefs           string                     `json:"flow_defs"`
	Count              int                        `json:"count"`
	Params             []float64                  `json:"params"`
	EntropySampleSize  int                        `json:"entropy_samplesize"`
	Entropy            map[string]float64         `json:"entropy"`
	EntropyTotalStdErr float64                    `json:"entropy_total_stderr"`
	MomentsSampleSize  int                        `json:"moments_samplesize"`
	Moments            map[string]json.RawMessage `json:"moments"`
}

// moment returns the flattened values of a key of upstream's marginal_moments dict.
func (u upstreamStats) moment(t *testing.T, key string) []float64 {
	t.Helper()
	raw, ok := u.Moments[key]
	if !ok {
		t.Fatalf("no key %q upstream", key)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var out []float64
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case float64:
			out = append(out, x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// TestStatisticsMatchUpstream compares entropies and marginal moments with jammy_flows' on the
// same models, within the Monte-Carlo errors of both (4 combined standard errors).
func TestStatisticsMatchUpstream(t *testing.T) {
	var models map[string]upstreamStats
	readJSON(t, "upstream_stats.json", &models)
	for name, u := range models {
		t.Run(name, func(t *testing.T) {
			p, err := flowcore.New(u.PDFDefs, u.FlowDefs, flowcore.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			if p.NumParams() != u.Count {
				t.Fatalf("%d parameters, upstream %d", p.NumParams(), u.Count)
			}
			mustSet(t, p, u.Params)
			keys := []int{Total}
			for k := range p.NumSubManifolds() {
				keys = append(keys, k)
			}
			e, err := Entropy(p, nil, keys, Options{SampleSize: u.EntropySampleSize, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			for j, k := range keys {
				key := "total"
				if k != Total {
					key = strconv.Itoa(k)
				}
				got, se := e.Parts[j].Value[0], e.Parts[j].StdErr[0]
				seUp := se
				if k == Total || p.NumSubManifolds() == 1 {
					seUp = u.EntropyTotalStdErr
				}
				tol := 4 * math.Hypot(se, seUp)
				t.Logf("entropy %s: %.5f ± %.5f, upstream %.5f ± %.5f", key, got, se, u.Entropy[key], seUp)
				if math.Abs(got-u.Entropy[key]) > tol {
					t.Errorf("entropy %s: %.5f, upstream %.5f (tolerance %.4f)", key, got, u.Entropy[key], tol)
				}
			}
			n := float64(u.MomentsSampleSize)
			m, err := MarginalMoments(p, nil, MomentOptions{SampleSize: u.MomentsSampleSize, Seed: 2})
			if err != nil {
				t.Fatal(err)
			}
			for k, s := range m.Subs {
				key := func(what string) string { return fmt.Sprintf("%s_%d", what, k) }
				mean, up := s.Mean, u.moment(t, key("mean"))
				if s.Def.Kind != spec.Sphere {
					w := s.Width
					cov, upCov := s.Varlike, u.moment(t, key("varlike"))
					for a := range w {
						if d := math.Abs(mean[a] - up[a]); d > 4*math.Sqrt(2*cov[a*w+a]/n) {
							t.Errorf("%s[%d]: %.5f, upstream %.5f", key("mean"), a, mean[a], up[a])
						}
						for b := range w {
							se := math.Sqrt((cov[a*w+a]*cov[b*w+b] + cov[a*w+b]*cov[a*w+b]) / n)
							if d := math.Abs(cov[a*w+b] - upCov[a*w+b]); d > 4*math.Sqrt2*se {
								t.Errorf("%s[%d,%d]: %.5f, upstream %.5f", key("varlike"), a, b, cov[a*w+b], upCov[a*w+b])
							}
						}
					}
					compare(t, key("approx_entropy"), s.ApproxEntropy[0], u.moment(t, key("approx_entropy"))[0], 4*math.Sqrt(float64(w)/n))
					continue
				}
				var dot float64
				for a := range mean {
					dot += mean[a] * up[a]
				}
				kappa := s.Varlike[0]
				rbar := vmfMeanLength(s.Width, kappa)
				compare(t, key("mean direction angle"), math.Acos(min(dot, 1)), 0, 4*math.Sqrt2/(rbar*math.Sqrt(n)))
				compare(t, key("varlike"), kappa, u.moment(t, key("varlike"))[0], 0.05*kappa+0.02)
				compare(t, key("approx_entropy"), s.ApproxEntropy[0], u.moment(t, key("approx_entropy"))[0], 0.02)
				if s.Width == 3 && u.Moments[key("zlp_kent_kappa")] != nil {
					compare(t, key("zenvar"), s.ZenVar[0], u.moment(t, key("zenvar"))[0], 0.05*s.ZenVar[0])
					compare(t, key("azivar"), s.AziVar[0], u.moment(t, key("azivar"))[0], 0.05*s.AziVar[0])
					compare(t, key("zlp_kent_kappa"), s.Kent[0].Kappa, u.moment(t, key("zlp_kent_kappa"))[0], 0.05*s.Kent[0].Kappa+0.05)
					compare(t, key("zlp_kent_u"), s.Kent[0].U, u.moment(t, key("zlp_kent_u"))[0], 0.05)
				}
			}
		})
	}
}

// compare fails the test if got and want differ by more than tol.
func compare(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	t.Logf("%s: %.5f, upstream %.5f (tolerance %.4f)", what, got, want, tol)
	if math.Abs(got-want) > tol {
		t.Errorf("%s: %.5f, upstream %.5f (tolerance %.4f)", what, got, want, tol)
	}
}
