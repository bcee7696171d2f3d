package spline

import (
	"math"
)

// This file holds the closed-form slopes of the C² variants and their partial derivatives. Bin
// widths w₁, w₂ and heights h₁, h₂ are those of the first two bins.

// smoothSlope returns the interior knot slope that makes a SmoothC2 spline C²: for two bins the slope
// at the middle knot, for three mirror-symmetric bins the common slope of both interior knots. d0 and
// dK are the boundary slopes (dK is unused for three bins, where C² at the second knot relies on the
// symmetric situation).
func smoothSlope(bins int, w1, w2, h1, h2, d0, dK float64) float64 {
	if bins == 2 {
		s := h1 + h2
		p1, p2 := h1/s, h2/s
		a := 0.5 * (p1*(h2/w2-dK) + p2*(h1/w1-d0))
		q := -h1 * h2 * (p1/(w1*w1) + p2/(w2*w2))
		return a + math.Sqrt(a*a-q)
	}
	den := w1 * w2 * (2*h1 + h2)
	p := h2 * (d0*w1*w2 - h1*(w1+w2)) / den
	q := -h1 * h2 * (h1*w2*w2 + h2*w1*w1) / (den * w1 * w2)
	return -p/2 + math.Sqrt(p*p/4-q)
}

// smoothSlopeGrad returns the partial derivatives of smoothSlope with respect to w1, w2, h1, h2, d0
// and dK.
func smoothSlopeGrad(bins int, w1, w2, h1, h2, d0, dK float64) (gw1, gw2, gh1, gh2, gd0, gdK float64) {
	if bins == 2 {
		s := h1 + h2
		p1, p2 := h1/s, h2/s
		// ∂p1/∂h1 = h2/s², ∂p2/∂h1 = −h2/s², ∂p1/∂h2 = −h1/s², ∂p2/∂h2 = h1/s².
		e1, e2 := h2/w2-dK, h1/w1-d0
		a := 0.5 * (p1*e1 + p2*e2)
		g := p1/(w1*w1) + p2/(w2*w2)
		q := -h1 * h2 * g
		r := math.Sqrt(a*a - q)
		dA, dQ := 1+a/r, -0.5/r
		s2 := s * s
		aW1 := -0.5 * p2 * h1 / (w1 * w1)
		aW2 := -0.5 * p1 * h2 / (w2 * w2)
		aH1 := 0.5 * (h2/s2*e1 - h2/s2*e2 + p2/w1)
		aH2 := 0.5 * (-h1/s2*e1 + p1/w2 + h1/s2*e2)
		gH1 := h2/s2/(w1*w1) - h2/s2/(w2*w2)
		gH2 := -h1/s2/(w1*w1) + h1/s2/(w2*w2)
		qW1 := -h1 * h2 * (-2 * p1 / (w1 * w1 * w1))
		qW2 := -h1 * h2 * (-2 * p2 / (w2 * w2 * w2))
		qH1 := -h2*g - h1*h2*gH1
		qH2 := -h1*g - h1*h2*gH2
		return dA*aW1 + dQ*qW1, dA*aW2 + dQ*qW2, dA*aH1 + dQ*qH1, dA*aH2 + dQ*qH2, dA * (-0.5 * p2), dA * (-0.5 * p1)
	}
	m := 2*h1 + h2
	den := w1 * w2 * m
	np := d0*w1*w2 - h1*(w1+w2)
	p := h2 * np / den
	nq := h1*w2*w2 + h2*w1*w1
	q := -h1 * h2 * nq / (den * w1 * w2)
	r := math.Sqrt(p*p/4 - q)
	dP, dQ := -0.5+p/(4*r), -0.5/r
	den2 := den * den
	pW1 := h2 * ((d0*w2-h1)*den - np*w2*m) / den2
	pW2 := h2 * ((d0*w1-h1)*den - np*w1*m) / den2
	pH1 := h2 * (-(w1+w2)*den - np*2*w1*w2) / den2
	pH2 := np * (den - h2*w1*w2) / den2
	pD0 := h2 * w1 * w2 / den
	qW1 := q * (2*h2*w1/nq - 2/w1)
	qW2 := q * (2*h1*w2/nq - 2/w2)
	qH1 := q * (1/h1 + w2*w2/nq - 2/m)
	qH2 := q * (1/h2 + w1*w1/nq - 1/m)
	return dP*pW1 + dQ*qW1, dP*pW2 + dQ*qW2, dP*pH1 + dQ*qH1, dP*pH2 + dQ*qH2, dP * pD0, 0
}

// circularSlope is the common slope at the three knots of the circular two-bin C² spline.
func circularSlope(w1, w2, h1, h2 float64) float64 {
	hp, wp := h1*h2, w1*w2
	z := hp * (8*((h2*w1)*(h2*w1)+(h1*w2)*(h1*w2)) + (9*(w1+w2)*(w1+w2)-16*wp)*hp)
	return (hp*(w1+w2) + math.Sqrt(z)) / (4 * (h1 + h2) * wp)
}

// circularSlopeGrad returns the partial derivatives of circularSlope.
func circularSlopeGrad(w1, w2, h1, h2 float64) (gw1, gw2, gh1, gh2 float64) {
	hp, wp := h1*h2, w1*w2
	sq := (h2*w1)*(h2*w1) + (h1*w2)*(h1*w2)
	mix := 9*(w1+w2)*(w1+w2) - 16*wp
	z := hp * (8*sq + mix*hp)
	rz := math.Sqrt(z)
	num := hp*(w1+w2) + rz
	den := 4 * (h1 + h2) * wp
	zW1 := 8*hp*2*h2*h2*w1 + (18*(w1+w2)-16*w2)*hp*hp
	zW2 := 8*hp*2*h1*h1*w2 + (18*(w1+w2)-16*w1)*hp*hp
	zH1 := 8*h2*sq + 8*hp*2*h1*w2*w2 + mix*2*hp*h2
	zH2 := 8*h1*sq + 8*hp*2*h2*w1*w1 + mix*2*hp*h1
	part := func(numD, zD, denD float64) float64 {
		return (numD+zD/(2*rz))/den - num*denD/(den*den)
	}
	return part(hp, zW1, 4*(h1+h2)*w2), part(hp, zW2, 4*(h1+h2)*w1),
		part(h2*(w1+w2), zH1, 4*wp), part(h1*(w1+w2), zH2, 4*wp)
}

// circularShift is the output rotation c of the circular spline: the input is rotated by
// −(π − w₁/2) so that the first bin is centred on π, and c brings the image of angle 0 back to 0.
func circularShift(w1, w2, h1, h2, d float64) float64 {
	m := -math.Pi + w1/2
	mw := m + w2
	nom := h2 * m * (m*h1 - d*w1*mw)
	den := h1*w2*w2 + 2*(h1-d*w1)*m*mw
	return 2*math.Pi - (h1 + nom/den)
}

// circularShiftGrad returns the partial derivatives of circularShift with respect to w1, w2, h1,
// h2 and d.
func circularShiftGrad(w1, w2, h1, h2, d float64) (gw1, gw2, gh1, gh2, gd float64) {
	m := -math.Pi + w1/2
	mw := m + w2
	t := m*h1 - d*w1*mw
	nom := h2 * m * t
	den := h1*w2*w2 + 2*(h1-d*w1)*m*mw
	// ∂m/∂w1 = ∂mw/∂w1 = 1/2, ∂mw/∂w2 = 1.
	nW1 := h2 * (0.5*t + m*(0.5*h1-d*mw-0.5*d*w1))
	nW2 := h2 * m * (-d * w1)
	nH1 := h2 * m * m
	nH2 := m * t
	nD := h2 * m * (-w1 * mw)
	dW1 := 2*(-d)*m*mw + 2*(h1-d*w1)*(0.5*mw+0.5*m)
	dW2 := 2*h1*w2 + 2*(h1-d*w1)*m
	dH1 := w2*w2 + 2*m*mw
	dD := -2 * w1 * m * mw
	ratio := func(nD, dD float64) float64 { return -(nD*den - nom*dD) / (den * den) }
	return ratio(nW1, dW1), ratio(nW2, dW2), -1 + ratio(nH1, dH1), ratio(nH2, 0), ratio(nD, dD)
}
