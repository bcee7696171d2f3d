package gaussianization

import "github.com/gojammy/gojammy/flowcore/ad"

// savedPoints keeps the mixture at every entry (point, dimension) of a forward pass for its backward
// pass: F, S and f in tape memory, and the few points on the log-space path in full.
type savedPoints struct {
	vals    []float64
	logPath map[int]point
}

func newSavedPoints(t *ad.Tape, n int) savedPoints { return savedPoints{vals: t.Floats(3 * n)} }

// setLinear keeps entry e, a point on the linear path.
func (s *savedPoints) setLinear(e int, F, S, f float64) {
	v := s.vals[3*e : 3*e+3]
	v[0], v[1], v[2] = F, S, f
}

// set keeps entry e.
func (s *savedPoints) set(e int, p *point) {
	if !p.hasLogs {
		s.setLinear(e, p.F, p.S, p.f)
		return
	}
	if s.logPath == nil {
		s.logPath = map[int]point{}
	}
	s.logPath[e] = *p
}

// at returns entry e.
func (s *savedPoints) at(e int) point {
	if len(s.logPath) > 0 {
		if p, ok := s.logPath[e]; ok {
			return p
		}
	}
	v := s.vals[3*e : 3*e+3]
	return point{F: v[0], S: v[1], f: v[2]}
}

// densityShared is density for one shared, unskewed parameter block, dimension by dimension over
// all points (the same values as the row-by-row loop). When recording, the kernel terms are kept so
// that the backward pass needs no exponential and no division per kernel. Its results are not
// named: the backward closure captures them, and named results would move to the heap per call.
func (m mixture) densityShared(kind invKind, y *ad.Node, p mixParams, rp *rowParams) (*ad.Node, *ad.Node) {
	t, d, k, n := y.Tape(), m.d, m.k, y.R
	z, logDet := t.New(n, d), t.New(n, 1)
	need := recordNeeded(t, y, p)
	var saved savedPoints
	var terms []float64
	if need {
		saved = newSavedPoints(t, n*d)
		terms = t.Floats(2 * d * k * n)
	}
	b := newBatch(t, n)
	sums := make([]logSum, n)
	for i := range sums {
		sums[i] = newLogSum()
	}
	scratch := t.Floats(m.scratchLen())
	for j := 0; j < d; j++ {
		part := m.dim(rp.blks, j)
		b.column(y.Val, d, j)
		var q, sb []float64
		if need {
			q, sb = terms[2*j*k*n:(2*j+1)*k*n], terms[(2*j+1)*k*n:(2*j+2)*k*n]
		}
		b.linear(part, b.y, q, sb)
		zl := b.psiZ(kind, n)
		for i := 0; i < n; i++ {
			if zl != nil && b.linearAt(i) {
				if ell, fac, ok := kind.psiLinearAt(b.F[i], b.S[i], b.f[i], zl[i]); ok {
					z.Val[i*d+j] = zl[i]
					sums[i].addLog(ell, fac)
					if need {
						saved.setLinear(i*d+j, b.F[i], b.S[i], b.f[i])
					}
					continue
				}
			}
			var pt point
			b.pointTo(&pt, m, i, part, scratch)
			o := kind.psi(&pt, false)
			z.Val[i*d+j] = o.z
			sums[i].add(&o)
			if need {
				saved.set(i*d+j, &pt)
			}
		}
	}
	logDets(logDet.Val, sums, 1)
	if !need {
		return z, logDet
	}
	kept := *rp // the backward step's copy: rp itself stays on the caller's stack
	t.Record([]*ad.Node{z, logDet}, append([]*ad.Node{y}, p.nodes()...), func() {
		m.densitySharedGrad(kind, y, z, logDet, &kept, saved, terms, b)
	})
	return z, logDet
}

// densitySharedGrad is the vector-Jacobian product of densityShared. Per point it forms the
// coefficients A = c_F/F, B = c_S/S and C = c_f/f of the output gradient, so that with
// wp = w·σ(u)σ(−u)/h a kernel's contributions are (u = (y − μ)/h, δ = σ(−u) − σ(u)):
//
//	∂/∂μ = wp(B − A − C·δ/h), ∂/∂log h = wp((y − μ)(B − A) − C(δu + 1)),
//	∂/∂log w = w(σ(u)A + σ(−u)B) + wp·C, ∂/∂y (through f) = wp·C·δ/h.
//
// Points on the log-space path get A = B = C = 0 there and go through dimGrad instead.
func (m mixture) densitySharedGrad(kind invKind, y, z, logDet *ad.Node, rp *rowParams, saved savedPoints, terms []float64, b *batch) {
	d, k, n := m.d, m.k, y.R
	gz, gl := z.Grad(), logDet.Grad()
	var gblk []float64
	if rp.paramsNeedGrad() {
		gblk = make([]float64, d*k*ng)
	}
	coef := y.Tape().Floats(4 * n)
	ca, cb, cc, gy := coef[:n], coef[n:2*n], coef[2*n:3*n], coef[3*n:]
	buf := make([]float64, k)
	for j := 0; j < d; j++ {
		part, gdim := m.dim(rp.blks, j), m.dimBlock(gblk, j)
		b.column(y.Val, d, j)
		for i := 0; i < n; i++ {
			pt := saved.at(i*d + j)
			a, bb, ag, bg, ok := kind.partialsAt(pt.F, pt.S, z.Val[i*d+j])
			if !ok {
				o := kind.psi(&pt, true)
				a, bb, ag, bg = o.a, o.b, o.ag, o.bg
			}
			g, l := gz[i*d+j], gl[i]
			cF, cS, cf := g*a+l*ag, g*bb+l*bg, l
			if pt.linear() {
				fF, fS := pt.ratios()
				gy[i] = cF*fF - cS*fS
				ca[i], cb[i], cc[i] = cF/pt.F, cS/pt.S, cf/pt.f
				continue
			}
			gy[i] = m.dimGrad(b.y[i], part, &pt, cF, cS, cf, gdim, buf)
			ca[i], cb[i], cc[i] = 0, 0, 0
		}
		q, sb := terms[2*j*k*n:(2*j+1)*k*n], terms[(2*j+1)*k*n:(2*j+2)*k*n]
		for kk := 0; kk < k; kk++ {
			rec := part[kk*nf : kk*nf+nf]
			mu, invh, w, wih := rec[fMu], rec[fInvH], rec[fW], rec[fWInvH]
			qk, sk := q[kk*n:(kk+1)*n], sb[kk*n:(kk+1)*n]
			ys, ca, cb, cc, gy := b.y[:n], ca[:n], cb[:n], cc[:n], gy[:n]
			var sMu, sLogH, sLogW float64
			for i, s := range sk {
				qq := qk[i]
				wp := wih * s * qq
				ym := ys[i] - mu
				dd := s - qq
				c, bma := cc[i], cb[i]-ca[i]
				cdy := wp * c * dd * invh
				gy[i] += cdy
				sMu += wp*bma - cdy
				sLogH += wp * (ym*bma - c*(dd*ym*invh+1))
				sLogW += w*(qq*ca[i]+s*cb[i]) + wp*c
			}
			if gdim != nil {
				g := gdim[kk*ng : (kk+1)*ng]
				g[gMu] += sMu
				g[gLogH] += sLogH
				g[gLogW] += sLogW
			}
		}
		if y.NeedsGrad() {
			gyOut := y.Grad()
			for i, v := range gy {
				gyOut[i*d+j] += v
			}
		}
	}
	if gblk != nil {
		rp.p.scatter(m, 0, rp.blks, gblk)
	}
}
