package spline

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
)

// variant is one spline configuration under test.
type variant struct {
	name string
	cfg  Config
	// mirror makes the raw widths and heights of a three-bin C² spline mirror-symmetric.
	mirror bool
	// bounds adds a Bounds node (left, right, bottom, top per column) built from these values.
	bounds []float64
}

func variants() []variant {
	box := Box{-1.5, 2, -3, 3}
	base := Config{Bins: 5, Box: box, MinWidth: 1e-3, MinHeight: 1e-3, MinDerivative: 1e-3}
	with := func(f func(*Config)) Config {
		c := base
		f(&c)
		return c
	}
	return []variant{
		{name: "free", cfg: base},
		{name: "free-ratio", cfg: with(func(c *Config) { c.MaxRatio = 7 })},
		{name: "free-one-bin", cfg: with(func(c *Config) { c.Bins = 1 })},
		{name: "smooth1", cfg: with(func(c *Config) { c.Mode, c.Bins = SmoothC2, 1 })},
		{name: "smooth2", cfg: with(func(c *Config) { c.Mode, c.Bins = SmoothC2, 2 })},
		{name: "smooth3", cfg: with(func(c *Config) { c.Mode, c.Bins = SmoothC2, 3 }), mirror: true},
		{name: "smooth3-ratio", cfg: with(func(c *Config) { c.Mode, c.Bins, c.MaxRatio = SmoothC2, 3, 4 }), mirror: true},
		{name: "circular", cfg: with(func(c *Config) { c.Mode, c.Bins = Circular, 2 })},
		{name: "tails", cfg: with(func(c *Config) { c.LinearTails = true })},
		{name: "tails-bounds", cfg: with(func(c *Config) { c.LinearTails, c.Box = true, Box{} }),
			bounds: []float64{-1.2, 1.7, -0.8, 2.1}},
	}
}

// rawParams draws raw parameters for rows parameter rows and cols columns.
func (v variant) rawParams(rng *rand.Rand, rows, cols int) (w, h, d, bnd []float64) {
	k := v.cfg.Bins
	draw := func(n int) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = rng.NormFloat64()
		}
		return out
	}
	w, h = draw(rows*cols*k), draw(rows*cols*k)
	if v.mirror {
		for s := 0; s < rows*cols; s++ {
			w[s*k+k-1], h[s*k+k-1] = w[s*k], h[s*k]
		}
	}
	d = draw(rows * cols * v.cfg.numSlopes())
	if v.bounds != nil {
		for s := 0; s < rows*cols; s++ {
			for j, b := range v.bounds {
				bnd = append(bnd, b+0.1*float64(s%cols%3)*float64(j%2))
			}
		}
	}
	return w, h, d, bnd
}

// box returns the box of column-spline s.
func (v variant) box(s int) Box {
	if v.bounds == nil {
		return v.cfg.box()
	}
	b := v.bounds
	e := 0.1 * float64(s%3) // s is the column index
	return Box{b[0], b[1] + e, b[2], b[3] + e}
}

func (v variant) params(t *ad.Tape, rows, cols int, w, h, d, bnd []float64, asVar bool) Params {
	mk := func(n int, vals []float64) *ad.Node {
		if n == 0 || vals == nil {
			return nil
		}
		if asVar {
			return t.Var(rows, n, vals)
		}
		return t.Const(rows, n, vals)
	}
	k := v.cfg.Bins
	return Params{Widths: mk(cols*k, w), Heights: mk(cols*k, h), Derivatives: mk(cols*v.cfg.numSlopes(), d),
		Bounds: mk(4*cols, bnd)}
}

// points draws n x cols points inside the boxes (and, with tails, some outside).
func (v variant) points(rng *rand.Rand, n, cols int, inverse bool) []float64 {
	out := make([]float64, n*cols)
	for i := 0; i < n; i++ {
		for c := 0; c < cols; c++ {
			b := v.box(c)
			lo, hi := b.Left, b.Right
			if inverse {
				lo, hi = b.Bottom, b.Top
			}
			if v.cfg.LinearTails {
				lo, hi = lo-1, hi+1
			}
			out[i*cols+c] = lo + (hi-lo)*(0.02+0.96*rng.Float64())
		}
	}
	return out
}

func TestValidate(t *testing.T) {
	for _, v := range variants() {
		if err := v.cfg.Validate(); err != nil {
			t.Errorf("%s: %v", v.name, err)
		}
	}
	bad := []Config{
		{Bins: 0, Box: Box{0, 1, 0, 1}},
		{Bins: 5, Box: Box{0, 1, 0, 1}, MinWidth: 0.3},
		{Bins: 5, Box: Box{0, 1, 0, 1}, MinHeight: 0.3},
		{Bins: 5, Box: Box{0, 1, 0, 1}, MaxRatio: 3},
		{Bins: 4, Box: Box{0, 1, 0, 1}, Mode: SmoothC2},
		{Bins: 3, Mode: Circular},
		{Bins: 3, Box: Box{0, 1, 0, 1}, Mode: SmoothC2, LinearTails: true},
		{Bins: 3, Box: Box{1, 0, 0, 1}},
	}
	for i, c := range bad {
		if c.Validate() == nil {
			t.Errorf("bad config %d accepted: %+v", i, c)
		}
	}
}

// TestRoundTrip maps points forward and back, with one-row and per-row parameters.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, cols = 200, 2
	for _, v := range variants() {
		for _, rows := range []int{1, n} {
			tape := ad.NewTape(false)
			w, h, d, b := v.rawParams(rng, rows, cols)
			p := v.params(tape, rows, cols, w, h, d, b, false)
			x := tape.Const(n, cols, v.points(rng, n, cols, false))
			y, l1 := Forward(x, p, v.cfg)
			x2, l2 := Inverse(y, p, v.cfg)
			for i := range x.Val {
				if math.Abs(x2.Val[i]-x.Val[i]) > 1e-12*math.Max(1, math.Abs(x.Val[i])) {
					t.Errorf("%s rows=%d: x=%.17g -> y=%.17g -> %.17g", v.name, rows, x.Val[i], y.Val[i], x2.Val[i])
				}
				if math.Abs(l1.Val[i]+l2.Val[i]) > 1e-10 {
					t.Errorf("%s rows=%d: log-derivatives %g and %g do not cancel", v.name, rows, l1.Val[i], l2.Val[i])
				}
			}
		}
	}
}

// TestLogDerivative compares the log-derivatives with central differences of the maps.
func TestLogDerivative(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, cols, eps = 100, 1, 1e-6
	for _, v := range variants() {
		for _, inverse := range []bool{false, true} {
			tape := ad.NewTape(false)
			w, h, d, b := v.rawParams(rng, 1, cols)
			p := v.params(tape, 1, cols, w, h, d, b, false)
			pts := v.points(rng, n, cols, inverse)
			op := Forward
			if inverse {
				op = Inverse
			}
			_, ld := op(tape.Const(n, cols, pts), p, v.cfg)
			shift := func(s float64) []float64 {
				out := make([]float64, len(pts))
				for i, x := range pts {
					out[i] = x + s
				}
				return out
			}
			yp, _ := op(tape.Const(n, cols, shift(eps)), p, v.cfg)
			ym, _ := op(tape.Const(n, cols, shift(-eps)), p, v.cfg)
			for i := range pts {
				diff := yp.Val[i] - ym.Val[i]
				if v.cfg.Mode == Circular && math.Abs(diff) > math.Pi {
					continue // the point straddles the 0/2π seam
				}
				fd := math.Log(diff / (2 * eps))
				if math.Abs(fd-ld.Val[i]) > 1e-6 {
					t.Errorf("%s inverse=%v at %g: log-derivative %.10g, finite difference %.10g", v.name, inverse, pts[i], ld.Val[i], fd)
				}
			}
		}
	}
}

// TestGradients checks both ops against finite differences with respect to the points and every
// parameter node, for one-row and per-row parameters.
func TestGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, cols = 6, 2
	for _, v := range variants() {
		for _, rows := range []int{1, n} {
			for _, inverse := range []bool{false, true} {
				w, h, d, b := v.rawParams(rng, rows, cols)
				inputs := []adtest.Input{{R: n, C: cols, Val: v.points(rng, n, cols, inverse)},
					{R: rows, C: cols * v.cfg.Bins, Val: w}, {R: rows, C: cols * v.cfg.Bins, Val: h}}
				if len(d) > 0 {
					inputs = append(inputs, adtest.Input{R: rows, C: cols * v.cfg.numSlopes(), Val: d})
				}
				if b != nil {
					inputs = append(inputs, adtest.Input{R: rows, C: 4 * cols, Val: b})
				}
				f := func(tp *ad.Tape, in []*ad.Node) *ad.Node {
					p := Params{Widths: in[1], Heights: in[2]}
					k := 3
					if len(d) > 0 {
						p.Derivatives = in[k]
						k++
					}
					if b != nil {
						p.Bounds = in[k]
					}
					if v.mirror {
						p.Widths, p.Heights = mirrorNode(in[1], cols, v.cfg.Bins), mirrorNode(in[2], cols, v.cfg.Bins)
					}
					op := Forward
					if inverse {
						op = Inverse
					}
					y, ld := op(in[0], p, v.cfg)
					return ad.Concat(y, ld)
				}
				t.Run(fmt.Sprintf("%s/rows=%d/inverse=%v", v.name, rows, inverse), func(t *testing.T) {
					adtest.CheckGradients(t, f, inputs, 1e-6, 1e-6)
				})
			}
		}
	}
}

// mirrorNode replaces the last of every k columns by the first (keeping three-bin C² splines
// mirror-symmetric under finite differences).
func mirrorNode(n *ad.Node, cols, k int) *ad.Node {
	idx := make([]int, 0, cols*k)
	for c := 0; c < cols; c++ {
		for j := 0; j < k-1; j++ {
			idx = append(idx, c*k+j)
		}
		idx = append(idx, c*k)
	}
	return ad.Gather(n, idx)
}

// knotsOf returns the knots of a one-column, one-row spline.
func knotsOf(v variant, p Params, x *ad.Node) (xs, ys, ds []float64) {
	pl := newPlan(v.cfg, p, x)
	xs, ys, ds, _ = pl.set(0, 0)
	return xs, ys, ds
}

// TestEdges evaluates exactly on the knots and on the box edges, and outside the box.
func TestEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, v := range variants() {
		if v.cfg.Mode == Circular {
			continue
		}
		tape := ad.NewTape(false)
		w, h, d, b := v.rawParams(rng, 1, 1)
		p := v.params(tape, 1, 1, w, h, d, b, false)
		xs, ys, _ := knotsOf(v, p, tape.New(1, 1))
		y, _ := Forward(tape.Const(len(xs), 1, xs), p, v.cfg)
		x, _ := Inverse(tape.Const(len(ys), 1, ys), p, v.cfg)
		for j := range xs {
			if math.Abs(y.Val[j]-ys[j]) > 1e-13 || math.Abs(x.Val[j]-xs[j]) > 1e-13 {
				t.Errorf("%s knot %d: (%g, %g) maps to %g and back to %g", v.name, j, xs[j], ys[j], y.Val[j], x.Val[j])
			}
		}
		bx := v.box(0)
		out := []float64{bx.Left - 0.5, bx.Right + 0.5, math.NaN(), math.Inf(1)}
		y, ld := Forward(tape.Const(len(out), 1, out), p, v.cfg)
		for j := range out {
			isNaN := math.IsNaN(y.Val[j]) || math.IsNaN(ld.Val[j])
			wantNaN := !v.cfg.LinearTails || j == 2
			if isNaN != wantNaN {
				t.Errorf("%s input %g: got (%g, %g)", v.name, out[j], y.Val[j], ld.Val[j])
			}
		}
	}
}

// TestEdgeGradients checks parameter gradients of the map value at knots and box edges (the
// log-derivative is only one-sided differentiable there).
func TestEdgeGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, v := range variants() {
		if v.cfg.Mode == Circular || v.cfg.LinearTails {
			continue
		}
		for _, inverse := range []bool{false, true} {
			tape := ad.NewTape(false)
			w, h, d, b := v.rawParams(rng, 1, 1)
			p := v.params(tape, 1, 1, w, h, d, b, false)
			xs, ys, _ := knotsOf(v, p, tape.New(1, 1))
			pts := xs
			if inverse {
				pts = ys
			}
			pts = append([]float64(nil), pts...)
			inputs := []adtest.Input{{R: 1, C: len(w), Val: w}, {R: 1, C: len(h), Val: h}}
			if len(d) > 0 {
				inputs = append(inputs, adtest.Input{R: 1, C: len(d), Val: d})
			}
			f := func(tp *ad.Tape, in []*ad.Node) *ad.Node {
				p := Params{Widths: in[0], Heights: in[1]}
				if len(in) > 2 {
					p.Derivatives = in[2]
				}
				if v.mirror {
					p.Widths, p.Heights = mirrorNode(in[0], 1, v.cfg.Bins), mirrorNode(in[1], 1, v.cfg.Bins)
				}
				op := Forward
				if inverse {
					op = Inverse
				}
				// Interior knots only: the end knots are pinned to the box, so that a parameter
				// step would move the point outside.
				y, _ := op(tp.Const(len(pts)-2, 1, pts[1:len(pts)-1]), p, v.cfg)
				return y
			}
			if len(pts) > 2 {
				t.Run(fmt.Sprintf("%s/inverse=%v", v.name, inverse), func(t *testing.T) {
					adtest.CheckGradients(t, f, inputs, 1e-9, 1e-5)
				})
			}
		}
	}
}

// TestSmoothSecondDerivative checks that the C² variants have a continuous second derivative at
// the interior knots (and, for the circular spline, across the seam at the knots 0 = 2π).
func TestSmoothSecondDerivative(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, v := range variants() {
		if v.cfg.Mode == Free {
			continue
		}
		// The three-bin spline is C² at its second knot only when both boundary slopes agree.
		tape := ad.NewTape(false)
		w, h, d, b := v.rawParams(rng, 1, 1)
		if v.cfg.Mode == SmoothC2 && v.cfg.Bins == 3 {
			d[1] = d[0]
		}
		p := v.params(tape, 1, 1, w, h, d, b, false)
		xs, _, _ := knotsOf(v, p, tape.New(1, 1))
		// Second derivative = slope · d(log slope)/dx, from the exact log-derivative on each side.
		side := func(x, dir float64) float64 {
			const e = 1e-5
			pts := []float64{x + dir*e, x + dir*2*e}
			_, ld := Forward(tape.Const(2, 1, pts), p, v.cfg)
			return math.Exp(ld.Val[0]) * (ld.Val[1] - ld.Val[0]) / (dir * e)
		}
		first := 1
		if v.cfg.Mode == Circular {
			first = 0 // the knot at u = 0 = 2π lies inside the circle
		}
		for j := first; j < v.cfg.Bins; j++ {
			x := xs[j]
			if v.cfg.Mode == Circular {
				_, _, _, rot := newPlan(v.cfg, p, tape.New(1, 1)).set(0, 0)
				x = math.Mod(x+rot[0], 2*math.Pi)
			}
			l, r := side(x, -1), side(x, 1)
			if math.Abs(l-r) > 1e-3*math.Max(1, math.Abs(l)) {
				t.Errorf("%s knot %d: second derivative %g left, %g right", v.name, j, l, r)
			}
		}
	}
}

// TestCircularFixedEnds checks that the circular spline maps 0 and 2π to themselves and is
// continuous across the seam.
func TestCircularFixedEnds(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	v := variants()[7]
	tape := ad.NewTape(false)
	w, h, _, _ := v.rawParams(rng, 1, 1)
	p := v.params(tape, 1, 1, w, h, nil, nil, false)
	pts := []float64{0, 2 * math.Pi, 1e-9, 2*math.Pi - 1e-9}
	for _, op := range []func(*ad.Node, Params, Config) (*ad.Node, *ad.Node){Forward, Inverse} {
		y, _ := op(tape.Const(4, 1, pts), p, v.cfg)
		if y.Val[0] != 0 || y.Val[1] != 2*math.Pi {
			t.Errorf("end points map to %g and %g", y.Val[0], y.Val[1])
		}
		if math.Min(y.Val[2], 2*math.Pi-y.Val[2]) > 1e-7 || math.Min(y.Val[3], 2*math.Pi-y.Val[3]) > 1e-7 {
			t.Errorf("points next to the seam map to %g and %g", y.Val[2], y.Val[3])
		}
	}
}

// TestLayout checks parameter counts and the expansion of every layout.
func TestLayout(t *testing.T) {
	cases := []struct {
		l            Layout
		w, h, d, all int
	}{
		{Layout{Bins: 5}, 5, 5, 6, 16},
		{Layout{Bins: 5, FixFirst: true}, 4, 4, 6, 14},
		{Layout{Bins: 5, FixFirst: true, AlsoFixSecond: true}, 3, 4, 6, 13},
		{Layout{Bins: 5, AlsoFixSecond: true}, 5, 5, 6, 16},
		{Layout{Bins: 5, Slopes: InteriorSlopes, FixedSlope: 1, MinDerivative: 1e-4}, 5, 5, 4, 14},
		{Layout{Bins: 2, Slopes: BoundarySlopes}, 2, 2, 2, 6},
		{Layout{Bins: 3, Mirror: true, Slopes: BoundarySlopes}, 2, 2, 2, 6},
		{Layout{Bins: 3, Mirror: true, Slopes: FixedBoundarySlopes, FixedSlope: 2, MinDerivative: 1e-4}, 2, 2, 0, 4},
		{Layout{Bins: 2, Slopes: NoSlopes}, 2, 2, 0, 4},
		{Layout{Bins: 4, Slopes: PeriodicSlopes}, 4, 4, 4, 12},
	}
	for i, c := range cases {
		l := c.l
		if l.NumWidths() != c.w || l.NumHeights() != c.h || l.NumSlopes() != c.d || l.NumParams() != c.all {
			t.Errorf("case %d: counts %d %d %d %d, want %d %d %d %d", i, l.NumWidths(), l.NumHeights(), l.NumSlopes(), l.NumParams(), c.w, c.h, c.d, c.all)
		}
		if err := l.Validate(); err != nil {
			t.Errorf("case %d: %v", i, err)
		}
		tape := ad.NewTape(false)
		vals := make([]float64, 3*l.NumParams())
		for j := range vals {
			vals[j] = float64(j + 1)
		}
		p := l.Expand(tape.Const(3, l.NumParams(), vals), 0)
		if p.Widths.C != l.Bins || p.Heights.C != l.Bins {
			t.Errorf("case %d: expanded widths/heights have %d/%d columns", i, p.Widths.C, p.Heights.C)
		}
		if p.Derivatives != nil && l.Slopes != FixedBoundarySlopes && p.Derivatives.R != 3 {
			t.Errorf("case %d: slopes have %d rows", i, p.Derivatives.R)
		}
	}
	bad := []Layout{
		{Bins: 1, FixFirst: true, AlsoFixSecond: true},
		{Bins: 5, Slopes: InteriorSlopes, FixedSlope: 1e-5, MinDerivative: 1e-4},
	}
	for i, l := range bad {
		if l.Validate() == nil {
			t.Errorf("bad layout %d accepted", i)
		}
	}
}

// TestLayoutValues checks fixed zeros, independent heights, mirroring and fixed slopes.
func TestLayoutValues(t *testing.T) {
	tape := ad.NewTape(false)
	l := Layout{Bins: 4, FixFirst: true, AlsoFixSecond: true, Independent: true, Slopes: InteriorSlopes,
		FixedSlope: 1.5, MinDerivative: 1e-4}
	// widths [w2 w3], heights [h1 h2 h3], slopes [d1 d2 d3]
	p := l.Expand(tape.Const(1, 8, []float64{1, 2, 10, 20, 30, 5, 6, 7}), 0)
	eq := func(name string, n *ad.Node, want []float64) {
		for j, w := range want {
			if math.Abs(n.Val[j]-w) > 1e-12 {
				t.Errorf("%s = %v, want %v", name, n.Val, want)
				return
			}
		}
	}
	eq("widths", p.Widths, []float64{0, 0, 1, 2})
	eq("heights", p.Heights, []float64{0, 10, 21, 32})
	fixed := math.Log(math.Expm1(1.5 - 1e-4))
	eq("slopes", p.Derivatives, []float64{fixed, 5, 6, 7, fixed})
	if got := 1e-4 + ad.SoftplusF(fixed); math.Abs(got-1.5) > 1e-14 {
		t.Errorf("fixed slope %g", got)
	}
	m := Layout{Bins: 3, Mirror: true, Slopes: PeriodicSlopes}.Expand(tape.Const(1, 7, []float64{1, 2, 3, 4, 5, 6, 7}), 0)
	eq("mirrored widths", m.Widths, []float64{1, 2, 1})
	eq("mirrored heights", m.Heights, []float64{3, 4, 3})
	eq("periodic slopes", m.Derivatives, []float64{5, 6, 7, 5})
}
