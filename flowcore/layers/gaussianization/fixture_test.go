package gaussianization

import (
	"math"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/internal/fixture"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// fixtureLayers builds the fixture's layers as the PDF would: the inverse function type of each
// layer as upstream reports it, the offset on the last layer.
func fixtureLayers(t *testing.T, f fixture.Upstream) []layers.Layer {
	t.Helper()
	defs, err := spec.ParsePDFDefs(f.PDFDefs)
	if err != nil {
		t.Fatal(err)
	}
	n := len(f.FlowDefs)
	var ls []layers.Layer
	for i := 0; i < n; i++ {
		opts := Entry.Schema.Defaults()
		for name, v := range f.Options["g"] {
			if err := Entry.Schema.Set(opts, name, v); err != nil {
				t.Fatal(err)
			}
		}
		opts[optInverse] = f.InverseFunctionTypes[0][i]
		l, err := Entry.New(layers.Context{Manifold: defs[0], Index: i, Count: n, ModelOffset: i == n-1}, opts)
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	return ls
}

// chainInverse maps x through all layers in the density direction (last layer first) and returns
// z and the summed log-determinant.
func chainInverse(ls []layers.Layer, x *ad.Node, params []float64) (*ad.Node, *ad.Node) {
	t := x.Tape()
	ld := t.New(x.R, 1)
	off := len(params)
	for i := len(ls) - 1; i >= 0; i-- {
		n := ls[i].NumParams()
		off -= n
		var l *ad.Node
		x, l = ls[i].Inverse(x, t.Const(1, n, params[off:off+n]))
		ld = ad.Add(ld, l)
	}
	return x, ld
}

func TestUpstreamFixtures(t *testing.T) {
	for _, name := range []string{"e1_g", "e1_g_skew", "e2_g_cayley", "e2_g_center_mean", "e2_g_clamp_widths",
		"e2_g_no_fit_norm", "e2_g_rq_splines", "e2_g_softplus_width", "e3_g_angles", "e3_g_norotation",
		"e3_g_triangular", "e2_gg_full_pade", "e2_gg_isigmoid", "e2_gg_partly_crude", "e2_gggg", "e3_gggg"} {
		t.Run(name, func(t *testing.T) {
			f := fixture.Load(t, name)
			ls := fixtureLayers(t, f)
			total := 0
			for _, l := range ls {
				total += l.NumParams()
			}
			if total != f.Count || len(f.Params) != f.Count {
				t.Fatalf("parameter count %d, upstream %d (%d values)", total, f.Count, len(f.Params))
			}
			d := len(f.X[0])
			xs := make([]float64, 0, len(f.X)*d)
			for _, r := range f.X {
				xs = append(xs, r...)
			}
			tp := ad.NewTape(false)
			z, ld := chainInverse(ls, tp.Const(len(f.X), d, xs), f.Params)
			worst := 0.0
			for i, want := range f.LogPDF {
				got := ld.Val[i]
				for j := 0; j < d; j++ {
					v := z.Val[i*d+j]
					got += -0.5*v*v - 0.5*math.Log(2*math.Pi)
				}
				rel := math.Abs(got-want) / math.Max(1, math.Abs(want))
				worst = math.Max(worst, rel)
				if rel > fixture.LogPDFTolerance(name) {
					t.Errorf("point %d %v: log_pdf %.15g, upstream %.15g (base %v vs %v)", i, f.X[i], got, want, z.Val[i*d:(i+1)*d], f.Base[i])
				}
			}
			t.Logf("worst relative difference %.2g over %d points", worst, len(f.LogPDF))
		})
	}
}
