package sphere

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// The von Mises–Fisher radial map of the f layer acts on w = s·cos θ ∈ [-1, 1] (s = -1 with
// inverse_z_scaling, so that the concentration sits at θ = π, the image of the Gaussian origin).
// Density direction: w ↦ 2F(w) - 1 with F the CDF of the vMF cosine distribution,
//
//	V(w) = 1 + 2 expm1(κ(w-1)) / D,  D = 1 - e^{-2κ},
//	log V'(w) = Λ(w) = log 2κ + κ(w-1) - log D;
//
// sampling direction: its inverse W(w') = 1 + log1p(-(1-w')D/2)/κ with log-derivative -Λ(W(w')).
// These expm1/log1p forms are jammy_flows' expressions rearranged so that they stay accurate for
// κ → 0 (where both maps tend to the identity; upstream switches to the identity below 1e-8) and
// for large κ.

// smallKappa is where the κ-derivatives switch to their series (the closed forms cancel).
const smallKappa = 1e-4

// cosMargin keeps cos θ inside [-1+cosMargin, 1-cosMargin] before acos, as jammy_flows.
const cosMargin = 1e-10

// vmfKappa holds the w-free pieces of the vMF map for one κ.
type vmfKappa struct {
	// k is κ, d = 1-e^{-2κ}, e2 = e^{-2κ}, norm = log 2κ - log d and dNorm = ∂Λ/∂κ - (w-1).
	k, d, e2, norm, dNorm float64
}

// vmfKappas prepares the κ-only quantities of every row of kappa.
func vmfKappas(kappa *ad.Node) []vmfKappa {
	kt := make([]vmfKappa, kappa.R)
	for j, k := range kappa.Val {
		kt[j] = newVMFKappa(k)
	}
	return kt
}

// newVMFKappa prepares the κ-only quantities of one κ.
func newVMFKappa(k float64) vmfKappa {
	return vmfKappa{k: k, d: -math.Expm1(-2 * k), e2: math.Exp(-2 * k), norm: vmfLogNorm(k), dNorm: vmfLogDetDk(1, k)}
}

// toUniformDk is ∂V/∂κ at v = w-1, given e^{κv} and expm1(κv); by its series below smallKappa.
func (c vmfKappa) toUniformDk(v, ex, em float64) float64 {
	if k := c.k; k < smallKappa {
		return v*v/2 + v + 2*k*(v*v*v/6+v*v/2+v/3) + 3*k*k*(v*v*v*v/24+v*v*v/6+v*v/6)
	}
	return 2 * (v*ex*c.d - 2*em*c.e2) / (c.d * c.d)
}

// vmfLogNorm is log 2κ - log(1-e^{-2κ}), the w-free part of Λ.
func vmfLogNorm(k float64) float64 { return math.Log(2*k) - math.Log(-math.Expm1(-2*k)) }

// vmfLogDetDk is ∂Λ/∂κ = w - 1 + 1/κ - 2/(e^{2κ}-1), by its series below smallKappa.
func vmfLogDetDk(w, k float64) float64 {
	// 1/κ - 2/(e^{2κ}-1) = 1 - κ/3 + κ³/45 - …
	f := 1 - k/3 + k*k*k/45
	if k >= smallKappa {
		f = 1/k - 2/math.Expm1(2*k)
	}
	return w - 1 + f
}

// uniformToVmfDk is ∂W/∂κ at u = 1-w', by its series below smallKappa.
func uniformToVmfDk(u, k float64) float64 {
	if k < smallKappa {
		return u - u*u/2 + 2*k*(-u*u*u/3+u*u-2*u/3) + 3*k*k*(-u*u*u*u/4+u*u*u-7*u*u/6+u/3)
	}
	d := -math.Expm1(-2 * k)
	a := 1 - u*d/2
	return -math.Log(a)/(k*k) - u*math.Exp(-2*k)/(k*a)
}

// κ parametrizations (kappa_prediction).
const (
	kappaDirect     = "direct_log_real_bounded"
	kappaSoftplus   = "softplus_real_bounded"
	kappaLogBounded = "log_bounded"
	kappaMu         = "mu"
	kappaMuSq       = "mu_squared"
	kappaQuat       = "quatvec"
	kappaQuatSq     = "quatvec_squared"
)

var kappaModes = []string{kappaDirect, kappaSoftplus, kappaLogBounded, kappaMu, kappaMuSq, kappaQuat, kappaQuatSq}

// kappaMap computes κ ((rows of the parameters) x 1) from the rotation parameters and the raw κ.
type kappaMap struct {
	mode     string
	min      float64
	clamping bool
}

// newKappaMap checks that the mode fits the rotation mode.
func newKappaMap(mode string, min float64, clamping, rotate bool, rotMode string) (kappaMap, error) {
	k := kappaMap{mode: mode, min: min, clamping: clamping}
	need := ""
	switch mode {
	case kappaMu, kappaMuSq:
		need = modeXYZ
	case kappaQuat, kappaQuatSq:
		need = modeQuaternion
	}
	if need != "" && (!rotate || rotMode != need) {
		return k, fmt.Errorf("option \"kappa_prediction\" = %q needs add_rotation = 1 and rotation_mode = %q", mode, need)
	}
	return k, nil
}

// raw reports whether κ has its own raw parameter (the "*_bounded" modes).
func (k kappaMap) raw() bool {
	return k.mode == kappaDirect || k.mode == kappaSoftplus || k.mode == kappaLogBounded
}

// eval returns κ from the rotation parameters rot and the raw value raw (1 column).
func (k kappaMap) eval(rot, raw *ad.Node) *ad.Node {
	floor := func(x *ad.Node) *ad.Node {
		if !k.clamping {
			return x
		}
		return ad.Clamp(x, -5, math.Inf(1))
	}
	switch k.mode {
	case kappaDirect:
		return ad.AddScalar(ad.Exp(floor(raw)), k.min)
	case kappaSoftplus:
		return ad.AddScalar(ad.Softplus(floor(raw)), k.min)
	case kappaLogBounded:
		return ad.Exp(ad.AddScalar(ad.Softplus(raw), math.Log(k.min)))
	case kappaMu:
		return ad.Sqrt(ad.SumCols(ad.Square(rot)))
	case kappaMuSq:
		return ad.SumCols(ad.Square(rot))
	case kappaQuat:
		return ad.Sqrt(ad.SumCols(ad.Square(ad.Cols(rot, 1, 3))))
	}
	return ad.SumCols(ad.Square(ad.Cols(rot, 1, 3)))
}
