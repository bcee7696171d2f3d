// Package gaussianization is the Gaussianization-flow layer g of jammy_flows (gf_block), and its
// deprecated form h (gf_block_old, a configuration of g: h.go), on Euclidean spaces: an optional learnable offset, a rotation (Householder reflections by default)
// and a per-dimension monotone map, either a logistic mixture CDF followed by an inverse function
// (logit or inverse normal CDF, "classic") or a rational-quadratic spline with linear tails
// ("rq_splines").
//
// Density direction (analytic): y = M⁻¹(x − offset), z_i = ψ(F_i(y_i)), log-det Σ_i log ψ'(y_i).
// Sampling direction: y_i solves ψ(F_i(y_i)) = z_i (bracketed Newton iterations to full float64
// precision, gradients by the implicit-function rule), x = M·y + offset. The mixture CDF, ψ and
// log ψ' are one fused ad operation per direction with hand-written vector-Jacobian products.
// For one shared parameter row that needs no gradient (an unconditional PDF outside training) the
// constrained mixture parameters are prepared once and cached in the layer. With one shared,
// unskewed parameter row the fused operations run dimension by dimension over all points, kernel by
// kernel (batch*.go), so that many independent exponentials and divisions are in flight; the root
// searches of the sampling direction advance side by side; and in training the per-kernel terms are
// kept for the backward pass, which then needs no exponential or division per kernel.
//
// Parameter layout (jammy_flows): [offset d, if the PDF asks for one][rotation][means (K − c)·d]
// [raw log-widths K·d][raw log-norms K·d, if fit_normalization][raw log-skew K·d, if
// add_skewness], each (K, d) block row-major; with rq_splines [offset][rotation][widths d·K]
// [heights d·K][slopes d·(K+1)][boundaries d·4], each (d, ·) block row-major.
package gaussianization

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/layers/constrain"
	"github.com/gojammy/gojammy/flowcore/rotation"
	"github.com/gojammy/gojammy/flowcore/spec"
	"github.com/gojammy/gojammy/flowcore/spline"
)

// Entry registers the layer letter g on Euclidean manifolds.
var Entry = layers.Entry{Letter: 'g', Manifold: spec.Euclidean, Schema: schema(), New: layers.Typed(New)}

// Skew exponent bounds: log a = blog(raw; 0.1, 9, centered), so a = 1 at raw = 0.
const (
	skewLower = 0.1
	skewUpper = 9.0
)

// Spline constants of the rq_splines stretch (jammy_flows' defaults for this layer).
const (
	splineMin       = 1e-3
	splineMinExtent = 0.5
	// splineSlopeInit is the raw slope whose constrained value 1e-3 + softplus(raw) is about 1.
	splineSlopeInit = 0.54135
)

// Layer is one g layer. It is safe for concurrent use.
type Layer struct {
	ctx    layers.Context
	d, k   int
	offset bool
	rot    *rotation.Rotation
	kind   invKind
	mix    mixture
	width  constrain.Width
	// fitNorm: log-norms are parameters; regNorm: they pass the bounded log regulator.
	fitNorm, regNorm bool
	normLo, normHi   float64
	centerMean, skew bool
	nMeans           int
	// spline is set for the rq_splines stretch.
	spline *spline.Config
	// cache holds the prepared mixture blocks of the last constant shared parameters, one per
	// slot, replaced round robin (next): calls that run side by side with different parameters
	// (the scans of several events, each with its own conditional row) keep their own blocks
	// and start tables instead of evicting each other's at every block.
	cache [cacheSlots]atomic.Pointer[preparedCache]
	next  atomic.Uint32
}

// preparedCache is an immutable prepared mixture block with the raw stretch parameters it was
// made from, and the start tables of its root searches, solved on first use.
type preparedCache struct {
	raw, blk []float64
	starts   func() []startTable
}

// cacheSlots is the number of prepared blocks a layer keeps.
const cacheSlots = 8

// newPreparedCache caches blk, prepared from raw, for the mixture m.
func newPreparedCache(m mixture, raw, blk []float64) *preparedCache {
	return &preparedCache{raw: raw, blk: blk, starts: sync.OnceValue(func() []startTable { return m.startTables(blk) })}
}

// block is the prepared block (nil for c nil).
func (c *preparedCache) block() []float64 {
	if c == nil {
		return nil
	}
	return c.blk
}

// New builds a g layer from its context and resolved options.
func New(ctx layers.Context, opts Options) (layers.Layer, error) {
	d := ctx.Manifold.Dim
	if d < 1 {
		return nil, fmt.Errorf("g layer needs a Euclidean dimension >= 1, got %d", d)
	}
	l := &Layer{ctx: ctx, d: d, k: opts.NumKDE, offset: ctx.ModelOffset,
		fitNorm: opts.FitNormalization, regNorm: opts.RegulateNormalization,
		normLo: opts.LowerBoundForNorms, normHi: opts.UpperBoundForNorms,
		centerMean: opts.CenterMean, skew: opts.AddSkewness, width: opts.Width}
	if l.k < 1 {
		return nil, fmt.Errorf("option %q = %d: must be > 0", optNumKDE, l.k)
	}
	if err := l.width.Validate(); err != nil {
		return nil, err
	}
	var err error
	if l.kind, err = parseInvKind(opts.InverseFunction); err != nil {
		return nil, err
	}
	if l.rot, err = rotation.New(opts.RotationMode, d, opts.NumHouseholderIter); err != nil {
		return nil, fmt.Errorf("option %q: %w", optRotation, err)
	}
	if l.fitNorm && l.regNorm && !(l.normHi > 0) {
		return nil, fmt.Errorf("option %q = %g: regulate_normalization needs an upper bound > 0 (or set %q = 0)", optUpperNorms, l.normHi, optRegulateNorm)
	}
	switch opts.NonlinearStretch {
	case stretchClassic:
		l.nMeans = l.k * d
		if l.centerMean {
			l.nMeans = (l.k - 1) * d
		}
		l.mix = newMixture(l.k, d, l.skew)
	case stretchSpline:
		cfg := spline.Config{Bins: l.k, Mode: spline.Free, MinWidth: splineMin, MinHeight: splineMin,
			MinDerivative: splineMin, LinearTails: true}
		if err := cfg.Validate(); err != nil {
			return nil, fmt.Errorf("option %q = %d with %s: %w", optNumKDE, l.k, stretchSpline, err)
		}
		l.spline = &cfg
	default:
		return nil, fmt.Errorf("option %q = %q: must be %q or %q", optStretch, opts.NonlinearStretch, stretchClassic, stretchSpline)
	}
	return l, nil
}

// NumParams is the size of the layer's parameter block.
func (l *Layer) NumParams() int {
	n := l.rot.NumParams()
	if l.offset {
		n += l.d
	}
	kd := l.k * l.d
	if l.spline != nil {
		return n + 2*kd + (l.k+1)*l.d + 4*l.d
	}
	n += l.nMeans + kd
	if l.fitNorm {
		n += kd
	}
	if l.skew {
		n += kd
	}
	return n
}

// InitialParams returns jammy_flows' default initial parameters: offset 0.001, the rotation's
// default (standard-normal Householder vectors, zeros otherwise), standard-normal means, raw
// log-widths log((4√π/(π⁴K))^{1/5}), raw log-norms 1 and raw skew 0; for rq_splines raw widths and
// heights 1, raw slopes 0.54135 and boundaries (−1, 1, −1, 1) per dimension.
func (l *Layer) InitialParams(rng *rand.Rand) []float64 {
	var p []float64
	fill := func(n int, v float64) {
		for i := 0; i < n; i++ {
			p = append(p, v)
		}
	}
	if l.offset {
		fill(l.d, 0.001)
	}
	p = append(p, l.rot.InitialParams(rng)...)
	kd := l.k * l.d
	if l.spline != nil {
		fill(2*kd, 1)
		fill((l.k+1)*l.d, splineSlopeInit)
		for i := 0; i < l.d; i++ {
			p = append(p, -1, 1, -1, 1)
		}
		return p
	}
	for i := 0; i < l.nMeans; i++ {
		p = append(p, rng.NormFloat64())
	}
	fill(kd, initLogWidth(l.k))
	if l.fitNorm {
		fill(kd, 1)
	}
	if l.skew {
		fill(kd, 0)
	}
	return p
}

// initLogWidth is the log of the Gaussianization-flow paper's bandwidth (4√π/(π⁴K))^{1/5}.
func initLogWidth(k int) float64 {
	return math.Log(math.Pow(4*math.Sqrt(math.Pi)/(math.Pow(math.Pi, 4)*float64(k)), 0.2))
}

// blocks splits a parameter node into the offset (nil without), the rotation parameters (nil if
// the rotation has none) and the column where the stretch parameters start.
func (l *Layer) blocks(params *ad.Node) (offset, rot *ad.Node, off int) {
	if params.C != l.NumParams() {
		panic(fmt.Sprintf("gaussianization: parameter node has %d columns, the layer needs %d", params.C, l.NumParams()))
	}
	if l.offset {
		offset = ad.Cols(params, 0, l.d)
		off = l.d
	}
	if n := l.rot.NumParams(); n > 0 {
		rot = ad.Cols(params, off, n)
		off += n
	}
	return offset, rot, off
}

// mixParams maps the classic stretch parameters (from column off) to the fused op's inputs.
func (l *Layer) mixParams(params *ad.Node, off int) mixParams {
	kd := l.k * l.d
	means := ad.Cols(params, off, l.nMeans)
	off += l.nMeans
	p := mixParams{logh: l.width.LogWidth(ad.Cols(params, off, kd))}
	off += kd
	if l.fitNorm {
		p.logw = ad.Cols(params, off, kd)
		off += kd
		if l.regNorm {
			p.logw = constrain.BoundedLog(p.logw, l.normLo, l.normHi, false)
		}
	}
	if l.skew {
		p.loga = constrain.BoundedLog(ad.Cols(params, off, kd), skewLower, skewUpper, true)
	}
	p.mu = means
	if l.centerMean {
		p.mu = l.centeredMeans(means, p.logw)
	}
	return p
}

// mixInputs returns the fused ops' parameters: for one shared row that needs no gradient (an
// unconditional PDF outside training) a prepared block, cached across calls; otherwise the
// parameter nodes.
func (l *Layer) mixInputs(params *ad.Node, off int) (mixParams, *preparedCache) {
	if params.R != 1 || params.NeedsGrad() {
		return l.mixParams(params, off), nil
	}
	raw := params.Val[off:]
	for i := range l.cache {
		if c := l.cache[i].Load(); c != nil && slices.Equal(c.raw, raw) {
			return mixParams{}, c
		}
	}
	t := ad.NewTape(false)
	blk := make([]float64, l.mix.blockLen())
	l.mix.prepareRows(l.mixParams(t.Const(1, len(raw), raw), 0), 0, 1, blk, make([]float64, l.mix.prepareWork(1)))
	c := newPreparedCache(l.mix, slices.Clone(raw), blk)
	l.cache[l.next.Add(1)%cacheSlots].Store(c)
	return mixParams{}, c
}

// centeredMeans appends the last mean of every dimension, −Σ_{j<K} w_j μ_j / w_K, which makes
// the mixture mean zero (logw nil: equal weights).
func (l *Layer) centeredMeans(means, logw *ad.Node) *ad.Node {
	t, d, n := means.Tape(), l.d, (l.k-1)*l.d
	if n == 0 {
		return t.New(1, d)
	}
	terms := means
	if logw != nil {
		lastIdx := make([]int, n)
		for j := range lastIdx {
			lastIdx[j] = n + j%d
		}
		ratio := ad.Exp(ad.Sub(ad.Cols(logw, 0, n), ad.Gather(logw, lastIdx)))
		terms = ad.Mul(ratio, means)
	}
	sum := make([]float64, d*n) // (d x n): sums the kernels of each dimension
	for j := 0; j < n; j++ {
		sum[(j%d)*n+j] = -1
	}
	last := ad.Linear(terms, t.Const(d, n, sum), t.New(1, d))
	return ad.Concat(means, last)
}

// splineParams maps the rq_splines parameters (from column off) to the spline's raw inputs; the
// boundaries (b₀, b₁, b₂, b₃) of each dimension give the box [b₀, b₀ + e^{b₁} + 0.5] x
// [b₂, b₂ + e^{b₃} + 0.5].
func (l *Layer) splineParams(params *ad.Node, off int) spline.Params {
	k, d := l.k, l.d
	var p spline.Params
	p.Widths = ad.Cols(params, off, k*d)
	p.Heights = ad.Cols(params, off+k*d, k*d)
	p.Derivatives = ad.Cols(params, off+2*k*d, (k+1)*d)
	raw := ad.Cols(params, off+2*k*d+(k+1)*d, 4*d)
	// Box columns [left, right, bottom, top] per dimension: starts are b₀, b₂; ends add
	// e^{b₁} + 0.5, e^{b₃} + 0.5.
	startIdx, extIdx := make([]int, 4*d), make([]int, 4*d)
	ext := make([]float64, 4*d)
	for i := 0; i < d; i++ {
		for c := 0; c < 4; c++ {
			startIdx[4*i+c] = 4*i + c/2*2
			extIdx[4*i+c] = 4*i + c/2*2 + 1
			if c%2 == 1 {
				ext[4*i+c] = 1
			}
		}
	}
	mask := params.Tape().Const(1, 4*d, ext)
	grow := ad.Mul(mask, ad.AddScalar(ad.Exp(ad.Gather(raw, extIdx)), splineMinExtent))
	p.Bounds = ad.Add(ad.Gather(raw, startIdx), grow)
	return p
}

// Inverse maps data-side points to the base side (density direction).
func (l *Layer) Inverse(x, params *ad.Node) (*ad.Node, *ad.Node) {
	offset, rot, off := l.blocks(params)
	if offset != nil {
		x = ad.Sub(x, offset)
	}
	y := l.rot.Apply(x, rot, true)
	if l.spline != nil {
		z, ld := spline.Forward(y, l.splineParams(params, off), *l.spline)
		return z, ad.SumCols(ld)
	}
	p, shared := l.mixInputs(params, off)
	return l.mix.density(l.kind, y, p, shared.block())
}

// Forward maps base-side points to the data side (sampling direction).
func (l *Layer) Forward(z, params *ad.Node) (*ad.Node, *ad.Node) {
	offset, rot, off := l.blocks(params)
	var y, ld *ad.Node
	if l.spline != nil {
		var lds *ad.Node
		y, lds = spline.Inverse(z, l.splineParams(params, off), *l.spline)
		ld = ad.SumCols(lds)
	} else {
		p, shared := l.mixInputs(params, off)
		y, ld = l.mix.sample(l.kind, z, p, shared)
	}
	x := l.rot.Apply(y, rot, false)
	if offset != nil {
		x = ad.Add(x, offset)
	}
	return x, ld
}
