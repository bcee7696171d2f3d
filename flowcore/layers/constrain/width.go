package constrain

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/spec"
	"github.com/gojammy/gojammy/simd"
)

// Width is jammy_flows' width regulator, shared by the layers g and t: it maps a raw value to a
// log-width with the width bounded below by Lower and, with smooth saturation, above by about
// Upper + Lower.
//
//   - SmoothSaturation (default): log w = BoundedLog(raw; Lower, Upper, centered), ≈ log(e^raw +
//     Lower) for moderate raw; needs Upper > 0.
//   - otherwise, exponential: log w = log(e^raw + Lower), or with Softplus log(softplus(raw) + Lower).
//
// Clamp first clamps raw to [log(0.01·Lower), log Upper] (to 3·log Upper with smooth saturation;
// without an upper bound only from below); the gradient is zero outside the clamp range.
//
// Its fields are the width options (WidthSchema); option structs of layers embed it.
type Width struct {
	Softplus bool    `opt:"softplus_for_width"`
	Lower    float64 `opt:"lower_bound_for_widths"`
	// Upper <= 0: no upper bound (jammy_flows' −1).
	Upper            float64 `opt:"upper_bound_for_widths"`
	Clamp            bool    `opt:"clamp_widths"`
	SmoothSaturation bool    `opt:"width_smooth_saturation"`
}

// Width option names, as in jammy_flows.
const (
	OptSoftplus   = "softplus_for_width"
	OptUpper      = "upper_bound_for_widths"
	OptLower      = "lower_bound_for_widths"
	OptClamp      = "clamp_widths"
	OptSaturation = "width_smooth_saturation"
)

// WidthSchema declares the width options with jammy_flows' defaults and allowed values.
func WidthSchema() spec.Schema {
	return spec.Schema{
		{Name: OptSoftplus, Kind: spec.Int, Default: 0, Check: spec.Flag},
		{Name: OptUpper, Kind: spec.Float, Default: 100.0, Check: func(v any) error {
			if x := v.(float64); x == -1 || x > 0 {
				return nil
			}
			return fmt.Errorf("must be -1 (no upper bound) or > 0")
		}},
		{Name: OptLower, Kind: spec.Float, Default: 0.01, Check: func(v any) error {
			if v.(float64) > 0 {
				return nil
			}
			return fmt.Errorf("must be > 0")
		}},
		{Name: OptClamp, Kind: spec.Int, Default: 0, Check: spec.Flag},
		{Name: OptSaturation, Kind: spec.Int, Default: 1, Check: spec.Flag},
	}
}

// Validate checks the regulator settings.
func (w Width) Validate() error {
	switch {
	case !(w.Lower > 0):
		return fmt.Errorf("option %q = %g: must be > 0", OptLower, w.Lower)
	case w.SmoothSaturation && !(w.Upper > 0):
		// jammy_flows asserts this even when softplus_for_width takes precedence.
		return fmt.Errorf("option %q = 1 needs an upper bound: set %q > 0 (or %q = 0)", OptSaturation, OptUpper, OptSaturation)
	}
	return nil
}

// saturating reports whether the bounded-log form is used (softplus takes precedence, as upstream).
func (w Width) saturating() bool { return !w.Softplus && w.SmoothSaturation }

// clampRange is the raw clamp interval.
func (w Width) clampRange() (lo, hi float64) {
	lo, hi = math.Log(0.01*w.Lower), math.Inf(1)
	if w.Upper > 0 {
		hi = math.Log(w.Upper)
		if w.saturating() {
			hi *= 3
		}
	}
	return lo, hi
}

// LogWidth maps raw values to log-widths elementwise.
func (w Width) LogWidth(raw *ad.Node) *ad.Node {
	m := w.prepare()
	return ad.MapBatched(raw, m.fill, m.derivs)
}

// LogWidthF is LogWidth on one value.
func (w Width) LogWidthF(x float64) float64 { return one(w.prepare().fill, x) }

// widthMap is a Width with its constants computed once.
type widthMap struct {
	w Width
	// lo, hi is the clamp range; logLower = log Lower; blog is the saturating form.
	lo, hi, logLower float64
	blog             blog
}

func (w Width) prepare() widthMap {
	m := widthMap{w: w, logLower: math.Log(w.Lower), blog: newBlog(w.Lower, w.Upper, true)}
	m.lo, m.hi = w.clampRange()
	return m
}

// fill sets dst[i] to the log-width of raw value src[i] (dst may be src) with the vector kernels.
func (m widthMap) fill(dst, src []float64) {
	x := src
	if m.w.Clamp {
		for i, v := range src {
			dst[i] = min(max(v, m.lo), m.hi)
		}
		x = dst[:len(src)]
	}
	switch {
	case m.w.Softplus:
		simd.Softplus(dst, x)
		for i := range x {
			dst[i] += m.w.Lower
		}
		simd.Log(dst, dst[:len(x)])
	case m.w.saturating():
		m.blog.fill(dst, x)
	default:
		logAddExpConst(dst, x, m.logLower)
	}
}

// derivs sets dst[i] to d value/dx at x[i], where the value is y[i], with the vector kernels.
func (m widthMap) derivs(dst, x, y []float64) {
	dst = dst[:len(x)]
	switch {
	case m.w.Softplus: // σ(x)/e^y, one division per value after two kernels
		var ey [256]float64
		simd.Sigmoid(dst, x)
		for lo := 0; lo < len(x); lo += len(ey) {
			n := min(len(ey), len(x)-lo)
			simd.Exp(ey[:n], y[lo:lo+n])
			for i, e := range ey[:n] {
				dst[lo+i] /= e
			}
		}
	case m.w.saturating():
		m.blog.derivs(dst, x, y)
	default:
		for i, v := range x {
			dst[i] = v - m.logLower
		}
		simd.Sigmoid(dst, dst)
	}
	if m.w.Clamp {
		for i, v := range x {
			if v < m.lo || v > m.hi {
				dst[i] = 0
			}
		}
	}
}

// RawFor returns a raw value whose log-width is logWidth, with logWidth first brought inside the
// reachable range (a relative margin of 1e-9 from its ends).
func (w Width) RawFor(logWidth float64) float64 {
	const margin = 1e-9
	v := math.Max(math.Exp(logWidth), w.Lower*(1+margin))
	if w.saturating() {
		v = math.Min(v, (w.Upper+w.Lower)*(1-margin))
	}
	var x float64
	switch {
	case w.Softplus:
		x = math.Log(math.Expm1(v - w.Lower))
	case w.saturating():
		x = BoundedLogInvF(math.Log(v), w.Lower, w.Upper, true)
	default:
		x = math.Log(v - w.Lower)
	}
	if w.Clamp {
		lo, hi := w.clampRange()
		x = math.Min(math.Max(x, lo), hi)
	}
	return x
}
