package stats

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/geom"
)

// Kent is a fit of the Kent-like ZLP distribution on S2 (arXiv:2510.04762, jammy_flows'
// fit_zlpkent_batch_quat on its fast path):
// log f(x) = log(κ / (4π sinh κ)) + κ y3/r − (3/2) log r², with y = (γ2·x, γ3·x, γ1·x) and
// r² = y1²/u² + u² y2² + y3²; u = 1 is the von Mises–Fisher distribution.
type Kent struct {
	// Gamma1 is the mean direction, Gamma2 the major and Gamma3 the minor axis (a right-handed
	// frame; the signs of the axes are arbitrary).
	Gamma1, Gamma2, Gamma3 [3]float64
	// Kappa is the concentration, U the ellipticity (≥ 1 elongates along Gamma2).
	Kappa, U float64
	// LogLik is the log-likelihood of the samples at the fit.
	LogLik float64
}

// kentObjective is the log-likelihood of samples in the fixed frame as a function of
// (log κ, raw u), with u = exp(raw L/√(L² + raw²)) and L = ½ log(1 + κ/3) bounding |log u|.
type kentObjective struct {
	y [][3]float64 // samples in the frame (γ2·x, γ3·x, γ1·x)
}

func kentU(rawU, kappa float64) float64 {
	l := 0.5 * math.Log1p(kappa/3)
	if l <= 1e-14 {
		return 1
	}
	return math.Exp(rawU * l / math.Sqrt(l*l+rawU*rawU))
}

func kentRawFromU(u, kappa float64) float64 {
	l := 0.5 * math.Log1p(kappa/3)
	if l <= 1e-14 {
		return 0
	}
	y := math.Max(-0.999*l, math.Min(0.999*l, math.Log(math.Max(u, 1e-12))))
	return y / math.Sqrt(math.Max(1-(y/l)*(y/l), 1e-12))
}

func logSinh(x float64) float64 {
	if x < 20 {
		return math.Log(math.Sinh(x))
	}
	return x - math.Ln2 + math.Log1p(-math.Exp(-2*x))
}

func (o kentObjective) value(logKappa, rawU float64) float64 {
	kappa := math.Max(math.Exp(logKappa), 1e-10)
	u := kentU(rawU, kappa)
	iu2, u2 := 1/(u*u), u*u
	ll := float64(len(o.y)) * (math.Log(kappa) - math.Log(4*math.Pi) - logSinh(kappa))
	for _, y := range o.y {
		r2 := math.Max(y[0]*y[0]*iu2+y[1]*y[1]*u2+y[2]*y[2], 1e-15)
		ll += kappa*y[2]/math.Sqrt(r2) - 1.5*math.Log(r2)
	}
	return ll
}

// fitKent fits the Kent-like distribution to n unit vectors x (rows of 3), starting from the
// von Mises–Fisher fit (mean direction mu, concentration kappa): the frame from mu and the
// eigenvectors of the second moments in the tangent plane, then κ and u by damped Newton steps
// (finite-difference Hessian, Armijo backtracking) with the frame fixed.
func fitKent(x []float64, n int, mu [3]float64, kappaVMF float64) Kent {
	var s [3][3]float64
	for i := range n {
		v := x[i*3 : i*3+3]
		for a := range 3 {
			for b := range 3 {
				s[a][b] += v[a] * v[b] / float64(n)
			}
		}
	}
	u1, u2 := tangentPlane(mu)
	t := [2][2]float64{}
	for a, ua := range [2][3]float64{u1, u2} {
		for b, ub := range [2][3]float64{u1, u2} {
			for i := range 3 {
				for j := range 3 {
					t[a][b] += ua[i] * s[i][j] * ub[j]
				}
			}
		}
	}
	lamMin, lamMax, vMin, vMax := eigen2(t)
	k := Kent{Gamma1: mu}
	for i := range 3 {
		k.Gamma2[i] = u1[i]*vMax[0] + u2[i]*vMax[1]
		k.Gamma3[i] = u1[i]*vMin[0] + u2[i]*vMin[1]
	}
	if geom.Dot3(cross3(k.Gamma2, k.Gamma3), k.Gamma1) < 0 {
		for i := range 3 {
			k.Gamma3[i] = -k.Gamma3[i]
		}
	}
	lamMin, lamMax = math.Max(lamMin, 1e-10), math.Max(lamMax, 1e-10)
	u0 := math.Max(1, math.Pow(lamMax/lamMin, 0.25))
	kappa0 := math.Max(1e-4, 0.5*(u0*u0+1/(u0*u0))*math.Max(kappaVMF, 1e-4))
	obj := kentObjective{y: make([][3]float64, n)}
	for i := range n {
		v := [3]float64(x[i*3 : i*3+3])
		obj.y[i] = [3]float64{geom.Dot3(k.Gamma2, v), geom.Dot3(k.Gamma3, v), geom.Dot3(k.Gamma1, v)}
	}
	a, g := maximize2(obj.value, math.Log(kappa0), kentRawFromU(u0, kappa0))
	k.Kappa = math.Max(math.Exp(a), 1e-10)
	k.U = kentU(g, k.Kappa)
	k.LogLik = obj.value(a, g)
	return k
}

// maximize2 maximizes f(a, g) from (a, g): Newton steps with finite-difference gradient and
// Hessian where the Hessian is negative definite (gradient steps elsewhere), Armijo backtracking,
// log κ kept in [-12, 40]; it stops when the gradient or the relative gain is tiny.
func maximize2(f func(a, g float64) float64, a, g float64) (float64, float64) {
	const h = 1e-4
	for range 300 {
		f0 := f(a, g)
		fa1, fa0 := f(a+h, g), f(a-h, g)
		fg1, fg0 := f(a, g+h), f(a, g-h)
		ga, gg := (fa1-fa0)/(2*h), (fg1-fg0)/(2*h)
		haa, hgg := (fa1-2*f0+fa0)/(h*h), (fg1-2*f0+fg0)/(h*h)
		hag := (f(a+h, g+h) - f(a+h, g-h) - f(a-h, g+h) + f(a-h, g-h)) / (4 * h * h)
		if math.Max(math.Abs(ga), math.Abs(gg)) < 1e-5 {
			break
		}
		det := haa*hgg - hag*hag
		pa, pg := ga, gg
		if norm := math.Hypot(ga, gg); norm > 0 {
			pa, pg = ga/norm, gg/norm
		}
		if haa < 0 && hgg < 0 && det > 1e-12 {
			na, ng := (-hgg*ga+hag*gg)/det, (hag*ga-haa*gg)/det
			if na*ga+ng*gg > 0 {
				pa, pg = na, ng
			}
		}
		slope := pa*ga + pg*gg
		alpha := 1.0
		var at, gt, ft float64
		for range 20 {
			at, gt = math.Max(-12, math.Min(40, a+alpha*pa)), g+alpha*pg
			ft = f(at, gt)
			if ft >= f0+1e-4*alpha*slope {
				break
			}
			alpha /= 2
		}
		a, g = at, gt
		if gain := (ft - f0) / (1 + math.Max(math.Abs(f0), 1)); gain >= 0 && gain < 1e-8 {
			break
		}
	}
	return a, g
}

// tangentPlane returns an orthonormal basis of the plane orthogonal to the unit vector mu,
// starting from the coordinate axis least aligned with it.
func tangentPlane(mu [3]float64) (u, v [3]float64) {
	idx := 0
	for i := 1; i < 3; i++ {
		if math.Abs(mu[i]) < math.Abs(mu[idx]) {
			idx = i
		}
	}
	var a [3]float64
	a[idx] = 1
	d := geom.Dot3(a, mu)
	for i := range 3 {
		u[i] = a[i] - d*mu[i]
	}
	u = normalize3(u)
	return u, normalize3(cross3(mu, u))
}

// eigen2 returns the eigenvalues (ascending) and unit eigenvectors of a symmetric 2x2 matrix.
func eigen2(t [2][2]float64) (lMin, lMax float64, vMin, vMax [2]float64) {
	m, d := (t[0][0]+t[1][1])/2, (t[0][0]-t[1][1])/2
	r := math.Hypot(d, t[0][1])
	lMin, lMax = m-r, m+r
	theta := 0.5 * math.Atan2(t[0][1], d) // direction of the larger eigenvalue
	vMax = [2]float64{math.Cos(theta), math.Sin(theta)}
	vMin = [2]float64{-vMax[1], vMax[0]}
	return lMin, lMax, vMin, vMax
}

func cross3(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func normalize3(a [3]float64) [3]float64 {
	n := math.Sqrt(geom.Dot3(a, a))
	return [3]float64{a[0] / n, a[1] / n, a[2] / n}
}
