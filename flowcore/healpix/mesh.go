package healpix

import (
	"fmt"
	"math"
	"slices"
)

// Mesh is a multi-resolution HEALPix mesh: disjoint NESTED pixels of possibly different orders
// that together cover the sphere. Cell i is pixel Pix[i] of order Order[i]; the four children of
// pixel p of order k are pixels 4p..4p+3 of order k+1.
type Mesh struct {
	Order []int8
	Pix   []int64
}

// Uniform returns the mesh of all 12·4^order pixels of one order, in NESTED order.
func Uniform(order int) Mesh {
	n := NPix(order)
	m := Mesh{Order: make([]int8, n), Pix: make([]int64, n)}
	for i := range m.Pix {
		m.Order[i], m.Pix[i] = int8(order), int64(i)
	}
	return m
}

// Len is the number of cells.
func (m Mesh) Len() int { return len(m.Pix) }

// Area is the solid angle of cell i in steradians.
func (m Mesh) Area(i int) float64 { return PixelArea(int(m.Order[i])) }

// Centres writes the centres of the cells lo..hi-1 to theta[0:hi-lo] and phi[0:hi-lo].
func (m Mesh) Centres(lo, hi int, theta, phi []float64) {
	for i := lo; i < hi; i++ {
		theta[i-lo], phi[i-lo] = Centre(int(m.Order[i]), m.Pix[i])
	}
}

// Refine returns the mesh in which every cell i with split[i] is replaced by its four children
// (in place of the parent, in NESTED order); other cells are kept. It returns the number of
// split cells as well.
func (m Mesh) Refine(split []bool) (Mesh, int) {
	n := 0
	for _, s := range split {
		if s {
			n++
		}
	}
	out := Mesh{Order: make([]int8, 0, m.Len()+3*n), Pix: make([]int64, 0, m.Len()+3*n)}
	for i, p := range m.Pix {
		if !split[i] {
			out.Order, out.Pix = append(out.Order, m.Order[i]), append(out.Pix, p)
			continue
		}
		k := m.Order[i] + 1
		out.Order = append(out.Order, k, k, k, k)
		out.Pix = append(out.Pix, 4*p, 4*p+1, 4*p+2, 4*p+3)
	}
	return out, n
}

// AdaptiveOptions controls Adaptive.
type AdaptiveOptions struct {
	// StartOrder is the order of the initial uniform mesh.
	StartOrder int
	// MaxOrder is the finest order a cell may reach.
	MaxOrder int
	// MaxCellMass is the largest probability a cell may carry (its density at the centre times
	// its area, relative to the sum over the mesh) before it is split.
	MaxCellMass float64
	// MaxCells stops refining once the mesh has at least this many cells (0: no limit).
	MaxCells int
	// MaxCellError is the largest change of a cell's mass (relative to the total), between its
	// own midpoint value and the mean of its four children, that counts as converged.
	MaxCellError float64
	// MaxPointsPerCell is the largest number of the guide points given to Adaptive that a cell
	// may contain before it is split (samples of the density find its modes even where the
	// initial mesh is too coarse to see them).
	MaxPointsPerCell int
}

// DefaultAdaptiveOptions are the settings of the coverage scans: order 3 (768 cells of 7.3°)
// refined to cells of at most 2·10^-4 of the probability and 5 guide points, with midpoint
// masses converged to 10^-5, down to order 13 (nside 8192).
func DefaultAdaptiveOptions() AdaptiveOptions {
	return AdaptiveOptions{StartOrder: 3, MaxOrder: 13, MaxCellMass: 2e-4, MaxCellError: 1e-5, MaxCells: 400000, MaxPointsPerCell: 5}
}

func (o AdaptiveOptions) check() error {
	switch {
	case o.StartOrder < 0 || o.StartOrder > MaxOrder:
		return fmt.Errorf("start order: must be in [0, %d], got %d", MaxOrder, o.StartOrder)
	case o.MaxOrder < o.StartOrder || o.MaxOrder > MaxOrder:
		return fmt.Errorf("max order: must be in [start order %d, %d], got %d", o.StartOrder, MaxOrder, o.MaxOrder)
	case !(o.MaxCellMass > 0 && o.MaxCellMass <= 1):
		return fmt.Errorf("max cell mass: must be in (0, 1], got %g", o.MaxCellMass)
	case !(o.MaxCellError > 0):
		return fmt.Errorf("max cell error: must be > 0, got %g", o.MaxCellError)
	case o.MaxCells < 0:
		return fmt.Errorf("max cells: must be >= 0, got %d", o.MaxCells)
	case o.MaxPointsPerCell < 1:
		return fmt.Errorf("max points per cell: must be >= 1, got %d", o.MaxPointsPerCell)
	}
	return nil
}

// LogDensityFunc evaluates a log-density (with respect to solid angle) at the points
// (theta[i], phi[i]) into logp[i].
type LogDensityFunc func(theta, phi, logp []float64) error

// Adaptive builds an equal-area multi-resolution mesh for a density: it starts from the uniform
// mesh of StartOrder and splits, round by round, every cell that
//   - carries more than MaxCellMass of the probability (density at the centre times area,
//     normalized over the mesh),
//   - contains more than MaxPointsPerCell of the guide points (θ, φ) = (guideTheta[i],
//     guidePhi[i]) (typically samples of the density, which find its modes where the initial
//     mesh is too coarse to see them; none may be given), or
//   - came from a parent whose mass differed from its four children's by more than
//     MaxCellError of the total (the midpoint rule is not converged there),
//
// and keeps the mesh 2:1 balanced, until no cell qualifies, the cells reach MaxOrder or the mesh
// holds MaxCells cells. Only new cells are evaluated. It returns the mesh and the log-density at
// its cell centres.
func Adaptive(opt AdaptiveOptions, guideTheta, guidePhi []float64, f LogDensityFunc) (Mesh, []float64, error) {
	if err := opt.check(); err != nil {
		return Mesh{}, nil, err
	}
	if len(guideTheta) != len(guidePhi) {
		return Mesh{}, nil, fmt.Errorf("guide points: %d colatitudes but %d longitudes", len(guideTheta), len(guidePhi))
	}
	// the guide points' pixels at the finest order, sorted: a cell's points are a contiguous range
	guide := make([]int64, len(guideTheta))
	for i, th := range guideTheta {
		guide[i] = Pixel(opt.MaxOrder, th, guidePhi[i])
	}
	slices.Sort(guide)
	m := Uniform(opt.StartOrder)
	logp := make([]float64, m.Len())
	theta, phi := make([]float64, m.Len()), make([]float64, m.Len())
	m.Centres(0, m.Len(), theta, phi)
	if err := f(theta, phi, logp); err != nil {
		return Mesh{}, nil, err
	}
	unresolved := make([]bool, m.Len())
	var split []bool
	var queue []int
	for opt.MaxCells == 0 || m.Len() < opt.MaxCells {
		lmax, total := MeshMass(m, logp)
		if total == 0 {
			break
		}
		split = append(split[:0], make([]bool, m.Len())...)
		queue = queue[:0]
		for i, lp := range logp {
			if int(m.Order[i]) < opt.MaxOrder && (unresolved[i] || math.Exp(lp-lmax)*m.Area(i) > opt.MaxCellMass*total ||
				pointsIn(guide, opt.MaxOrder, int(m.Order[i]), m.Pix[i]) > opt.MaxPointsPerCell) {
				split[i] = true
				queue = append(queue, i)
			}
		}
		if len(queue) == 0 {
			break
		}
		m.balance(split, queue, opt.MaxOrder)
		var n int
		parent := m
		m, n = m.Refine(split)
		// evaluate the children's centres in one call, then place them in the new mesh
		theta, phi = grow(theta, 4*n), grow(phi, 4*n)
		vals := make([]float64, 4*n)
		for j, c, i := 0, 0, 0; i < len(split); i++ {
			if split[i] {
				m.Centres(j, j+4, theta[c:c+4], phi[c:c+4])
				j, c = j+4, c+4
			} else {
				j++
			}
		}
		if err := f(theta, phi, vals); err != nil {
			return Mesh{}, nil, err
		}
		newLogp := make([]float64, m.Len())
		newUnresolved := make([]bool, m.Len())
		j, c := 0, 0
		for i, s := range split {
			if !s {
				newLogp[j] = logp[i]
				j++
				continue
			}
			kids := vals[c : c+4]
			copy(newLogp[j:j+4], kids)
			// the parent's midpoint mass against its children's: a large change means unresolved
			mean := (math.Exp(kids[0]-lmax) + math.Exp(kids[1]-lmax) + math.Exp(kids[2]-lmax) + math.Exp(kids[3]-lmax)) / 4
			if math.Abs(mean-math.Exp(logp[i]-lmax))*parent.Area(i) > opt.MaxCellError*total {
				newUnresolved[j], newUnresolved[j+1], newUnresolved[j+2], newUnresolved[j+3] = true, true, true, true
			}
			j, c = j+4, c+4
		}
		logp, unresolved = newLogp, newUnresolved
	}
	return m, logp, nil
}

// MeshMass returns the largest finite log-density of the mesh and Σ exp(logp - max)·area.
func MeshMass(m Mesh, logp []float64) (lmax, total float64) {
	lmax = math.Inf(-1)
	for _, lp := range logp {
		if lp > lmax && !math.IsInf(lp, 1) {
			lmax = lp
		}
	}
	if math.IsInf(lmax, -1) || math.IsNaN(lmax) {
		return lmax, 0
	}
	for i, lp := range logp {
		if lp > math.Inf(-1) { // NaN cells carry no mass
			total += math.Exp(lp-lmax) * m.Area(i)
		}
	}
	return lmax, total
}

// balance extends split so that the refined mesh stays 2:1 balanced (neighbouring cells differ
// by at most one order): a cell is also split when a neighbour of a finer order is split. queue
// holds the cells already marked; it is consumed.
func (m Mesh) balance(split []bool, queue []int, finest int) {
	starts := m.starts(finest)
	for len(queue) > 0 {
		i := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		probes := m.probes(i, 0.01)
		for _, v := range probes {
			j := m.locate(starts, finest, v)
			if !split[j] && m.Order[j] < m.Order[i] {
				split[j] = true
				queue = append(queue, j)
			}
		}
	}
}

// starts returns the first pixel of every cell at order finest (ascending: the cells of a mesh
// are in NESTED order).
func (m Mesh) starts(finest int) []int64 {
	s := make([]int64, m.Len())
	for i, p := range m.Pix {
		s[i] = p << (2 * (finest - int(m.Order[i])))
	}
	return s
}

// locate returns the cell containing direction v (not necessarily of unit length).
func (m Mesh) locate(starts []int64, finest int, v [3]float64) int {
	q := Pixel(finest, math.Acos(max(-1, min(1, v[2]/norm(v)))), math.Atan2(v[1], v[0]))
	j, found := slices.BinarySearch(starts, q)
	if !found {
		j--
	}
	return j
}

// probes returns 8 directions just outside cell i, past its corners (even entries) and the
// midpoints of its edges (odd entries; entries 1 and 5, 3 and 7 lie on opposite sides), each
// step times the distance from the cell's centre beyond the boundary point.
func (m Mesh) probes(i int, step float64) [8][3]float64 {
	order := int(m.Order[i])
	th, ph := Corners(order, m.Pix[i])
	c := Vector(Centre(order, m.Pix[i]))
	var out [8][3]float64
	for k := range out {
		v := Vector(th[k/2], ph[k/2])
		if k%2 == 1 {
			w := Vector(th[(k/2+1)%4], ph[(k/2+1)%4])
			v = [3]float64{v[0] + w[0], v[1] + w[1], v[2] + w[2]}
			v = scale(v, 1/norm(v))
		}
		out[k] = [3]float64{v[0] + step*(v[0]-c[0]), v[1] + step*(v[1]-c[1]), v[2] + step*(v[2]-c[2])}
	}
	return out
}

// Gradient estimates the magnitude of the gradient of a function (per radian) in every cell from
// its values f at the cell centres: central differences between the neighbours across the cell's
// opposite edges, along the cell's two axes.
func (m Mesh) Gradient(f []float64, finest int) []float64 {
	starts := m.starts(finest)
	out := make([]float64, m.Len())
	for i := range out {
		c := Vector(Centre(int(m.Order[i]), m.Pix[i]))
		probes := m.probes(i, 0.5)
		var g2 float64
		for _, pair := range [2][2]int{{1, 5}, {3, 7}} {
			a, b := m.locate(starts, finest, probes[pair[0]]), m.locate(starts, finest, probes[pair[1]])
			da, db := m.distance(a, c), m.distance(b, c)
			if g := (f[a] - f[b]) / (da + db); !math.IsNaN(g) && !math.IsInf(g, 0) {
				g2 += g * g
			}
		}
		out[i] = math.Sqrt(g2)
	}
	return out
}

// distance is the angle between the centre of cell j and direction c.
func (m Mesh) distance(j int, c [3]float64) float64 {
	v := Vector(Centre(int(m.Order[j]), m.Pix[j]))
	x := [3]float64{v[1]*c[2] - v[2]*c[1], v[2]*c[0] - v[0]*c[2], v[0]*c[1] - v[1]*c[0]}
	return math.Atan2(norm(x), v[0]*c[0]+v[1]*c[1]+v[2]*c[2])
}

func norm(v [3]float64) float64 { return math.Sqrt(v[0]*v[0] + v[1]*v[1] + v[2]*v[2]) }

func scale(v [3]float64, s float64) [3]float64 { return [3]float64{s * v[0], s * v[1], s * v[2]} }

// pointsIn counts the entries of sorted (pixels of order finest) inside pixel p of order k.
func pointsIn(sorted []int64, finest, k int, p int64) int {
	shift := 2 * (finest - k)
	lo, _ := slices.BinarySearch(sorted, p<<shift)
	hi, _ := slices.BinarySearch(sorted, (p+1)<<shift)
	return hi - lo
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// Boundary returns the boundary of the region made of the cells i with in[i], as segments
// between unit vectors: every half of a cell edge whose neighbour across it is outside the
// region (halves, so that an edge next to two finer cells is split where they meet). finest is
// the order used to locate neighbours (at least the mesh's finest order).
func (m Mesh) Boundary(in []bool, finest int) [][2][3]float64 {
	starts := m.starts(finest)
	var out [][2][3]float64
	for i, inside := range in {
		if !inside {
			continue
		}
		order := int(m.Order[i])
		face, ix, iy := split(order, m.Pix[i])
		n := float64(int64(1) << order)
		x0, y0, d := float64(ix)/n, float64(iy)/n, 1/n
		c := Vector(Centre(order, m.Pix[i]))
		// the corners in face coordinates, counter-clockwise: north, west, south, east
		corners := [5][2]float64{{x0 + d, y0 + d}, {x0, y0 + d}, {x0, y0}, {x0 + d, y0}, {x0 + d, y0 + d}}
		for e := 0; e < 4; e++ {
			a, b := corners[e], corners[e+1]
			mid := [2]float64{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
			for _, half := range [2][2][2]float64{{a, mid}, {mid, b}} {
				p, q := faceVector(face, half[0]), faceVector(face, half[1])
				h := faceVector(face, [2]float64{(half[0][0] + half[1][0]) / 2, (half[0][1] + half[1][1]) / 2})
				probe := [3]float64{h[0] + 0.25*(h[0]-c[0]), h[1] + 0.25*(h[1]-c[1]), h[2] + 0.25*(h[2]-c[2])}
				if !in[m.locate(starts, finest, probe)] {
					out = append(out, [2][3]float64{p, q})
				}
			}
		}
	}
	return out
}

// faceVector is the unit vector of the point (x, y) of a base face.
func faceVector(face int, xy [2]float64) [3]float64 {
	return Vector(faceToAngles(face, xy[0], xy[1]))
}
