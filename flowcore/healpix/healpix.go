// Package healpix is the HEALPix tessellation of the sphere in the NESTED scheme (Górski et al.
// 2005, ApJ 622, 759): pixel index <-> pixel centre (θ, φ), point -> pixel, pixel corners, equal
// pixel areas 4π/(12·nside²) for nside = 2^k up to 2^29, and multi-resolution meshes whose cells
// are pixels of different orders (an adaptive equal-area mesh refined where a density is high).
//
// Angles are colatitude θ ∈ [0, π] and longitude φ ∈ [0, 2π), as in healpy. Pixel numbers are
// identical to healpy's with nest=True.
package healpix

import (
	"fmt"
	"math"
)

// MaxOrder is the largest supported order k (nside = 2^k): pixel numbers stay within int64.
const MaxOrder = 29

// faceRow and facePhase locate the 12 base faces: the ring coordinate of a face's southern
// corner in units of nside (2 for the northern faces, 3 equatorial, 4 southern) and the longitude
// of its centre in units of π/4.
var (
	faceRow   = [12]float64{2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4}
	facePhase = [12]float64{1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7}
)

// Order returns k for nside = 2^k, or an error naming nside if it is not a power of two in
// [1, 2^MaxOrder].
func Order(nside int) (int, error) {
	if nside < 1 || nside&(nside-1) != 0 || nside > 1<<MaxOrder {
		return 0, fmt.Errorf("nside: must be a power of two between 1 and 2^%d, got %d", MaxOrder, nside)
	}
	k := 0
	for 1<<k < nside {
		k++
	}
	return k, nil
}

// NPix is the number of pixels 12·nside² of a map of the given order.
func NPix(order int) int64 { return 12 << (2 * order) }

// PixelArea is the solid angle 4π/(12·nside²) of every pixel of the given order, in steradians.
func PixelArea(order int) float64 { return math.Pi / 3 / float64(int64(1)<<(2*order)) }

// spread puts the low 32 bits of v on the even bit positions of the result.
func spread(v uint64) uint64 {
	v &= 0xffffffff
	v = (v | v<<16) & 0x0000ffff0000ffff
	v = (v | v<<8) & 0x00ff00ff00ff00ff
	v = (v | v<<4) & 0x0f0f0f0f0f0f0f0f
	v = (v | v<<2) & 0x3333333333333333
	v = (v | v<<1) & 0x5555555555555555
	return v
}

// compact is the inverse of spread: the even bits of v packed into the low 32 bits.
func compact(v uint64) uint64 {
	v &= 0x5555555555555555
	v = (v | v>>1) & 0x3333333333333333
	v = (v | v>>2) & 0x0f0f0f0f0f0f0f0f
	v = (v | v>>4) & 0x00ff00ff00ff00ff
	v = (v | v>>8) & 0x0000ffff0000ffff
	v = (v | v>>16) & 0x00000000ffffffff
	return v
}

// split returns the face and the integer face coordinates (ix, iy) of a NESTED pixel.
func split(order int, pix int64) (face int, ix, iy uint64) {
	inFace := uint64(pix) & (1<<(2*order) - 1)
	return int(pix >> (2 * order)), compact(inFace), compact(inFace >> 1)
}

// join is the inverse of split.
func join(order, face int, ix, iy uint64) int64 {
	return int64(face)<<(2*order) | int64(spread(ix)|spread(iy)<<1)
}

// faceToAngles maps the point (x, y) ∈ [0,1]² of base face f (x along the face's south-east
// edge, y along its south-west edge, both from the southern corner) to (θ, φ).
func faceToAngles(face int, x, y float64) (theta, phi float64) {
	jr := faceRow[face] - x - y // ring coordinate in units of nside: 0 at the north pole, 4 at the south
	nr := 1.0
	switch {
	case jr < 1: // north polar cap: 1 - z = jr²/3
		nr = jr
		theta = capAngle(jr * jr / 3)
	case jr > 3: // south polar cap: 1 + z = (4-jr)²/3
		nr = 4 - jr
		theta = math.Pi - capAngle(nr*nr/3)
	default: // equatorial belt: z linear in jr
		theta = math.Acos((2 - jr) * 2 / 3)
	}
	if nr < 1e-15 {
		return theta, 0
	}
	t := facePhase[face]*nr + x - y
	if t < 0 {
		t += 8
	} else if t >= 8 {
		t -= 8
	}
	return theta, math.Pi / 4 * t / nr
}

// capAngle returns θ = arccos(1 - d) without the cancellation of 1 - d near the pole.
func capAngle(d float64) float64 { return 2 * math.Asin(math.Sqrt(d/2)) }

// Centre returns the centre (θ, φ) of NESTED pixel pix of the given order.
func Centre(order int, pix int64) (theta, phi float64) {
	face, ix, iy := split(order, pix)
	n := float64(int64(1) << order)
	return faceToAngles(face, (float64(ix)+0.5)/n, (float64(iy)+0.5)/n)
}

// Centres writes the centres of the NESTED pixels pix of the given order to theta and phi (each
// as long as pix).
func Centres(order int, pix []int64, theta, phi []float64) {
	theta, phi = theta[:len(pix)], phi[:len(pix)]
	for i, p := range pix {
		theta[i], phi[i] = Centre(order, p)
	}
}

// Corners returns the four corners of NESTED pixel pix as (θ, φ) pairs, counter-clockwise seen
// from outside the sphere starting at the northernmost corner: north, west, south, east (the
// order of healpy's boundaries with step 1).
func Corners(order int, pix int64) (theta, phi [4]float64) {
	face, ix, iy := split(order, pix)
	n := float64(int64(1) << order)
	x, y := float64(ix)/n, float64(iy)/n
	d := 1 / n
	for c, xy := range [4][2]float64{{x + d, y + d}, {x, y + d}, {x, y}, {x + d, y}} {
		theta[c], phi[c] = faceToAngles(face, xy[0], xy[1])
	}
	return theta, phi
}

// Pixel returns the NESTED pixel of the given order that contains the point (θ, φ).
func Pixel(order int, theta, phi float64) int64 {
	nside := int64(1) << order
	ns := float64(nside)
	z := math.Cos(theta)
	za := math.Abs(z)
	tt := math.Mod(phi, 2*math.Pi)
	if tt < 0 {
		tt += 2 * math.Pi
	}
	tt *= 2 / math.Pi // longitude in units of π/2, in [0, 4)
	if tt >= 4 {
		tt = 0
	}
	if za <= 2.0/3 { // equatorial belt: the two diagonal coordinates of the point
		up := ns * (0.5 + tt)
		dz := ns * z * 0.75
		jp := int64(up - dz) // ascending edge line index
		jm := int64(up + dz) // descending edge line index
		fp, fm := jp>>order, jm>>order
		var face int64
		switch {
		case fp == fm:
			face = fp | 4
		case fp < fm:
			face = fp
		default:
			face = fm + 8
		}
		return join(order, int(face), uint64(jm&(nside-1)), uint64(nside-(jp&(nside-1))-1))
	}
	ntt := min(int64(tt), 3)
	tp := tt - float64(ntt)
	// distance from the pole in units of the cap's ring spacing: sqrt(3(1-|z|)), from sin θ near the pole
	var tmp float64
	if za < 0.99 {
		tmp = ns * math.Sqrt(3*(1-za))
	} else {
		tmp = ns * math.Sin(theta) / math.Sqrt((1+za)/3)
	}
	jp := min(int64(tp*tmp), nside-1)
	jm := min(int64((1-tp)*tmp), nside-1)
	if z >= 0 {
		return join(order, int(ntt), uint64(nside-jm-1), uint64(nside-jp-1))
	}
	return join(order, int(ntt+8), uint64(jp), uint64(jm))
}

// Vector returns the unit vector of (θ, φ).
func Vector(theta, phi float64) [3]float64 {
	st, ct := math.Sincos(theta)
	sp, cp := math.Sincos(phi)
	return [3]float64{st * cp, st * sp, ct}
}
