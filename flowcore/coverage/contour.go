package coverage

import (
	"math"
	"slices"

	"github.com/gojammy/gojammy/flowcore/healpix"
)

// Contour is the boundary of a highest-density region, for plotting.
type Contour struct {
	// Level is the probability of the region.
	Level float64
	// Polygons are its boundary lines: each a flat list of points (x0, y0, x1, y1, ...) in
	// intrinsic coordinates (the two grid axes, or θ and φ on S2); a closed line repeats its first
	// point at the end, a line that ends at the edge of a grid is open. On S2 a line that crosses
	// φ = 0 jumps by 2π there.
	Polygons [][]float64
}

// point is a contour vertex: (x, y, 0) on a grid, a unit vector on S2.
type point = [3]float64

// gridContours traces the highest-density regions of a 2-d grid (pts x pts cells, last axis
// fastest, centres pos) at each level with marching squares on the cell centres.
func gridContours(h hpd, logp, pos []float64, pts int, levels []float64) []Contour {
	out := make([]Contour, len(levels))
	at := func(i, j int) point { g := i*pts + j; return point{pos[2*g], pos[2*g+1]} }
	for l, level := range levels {
		t := h.threshold(level)
		var segs [][2]point
		// crossing is where the threshold crosses the grid edge between cells g and k
		crossing := func(gi, gj, ki, kj int) point {
			a, b := logp[gi*pts+gj], logp[ki*pts+kj]
			f := (t - a) / (b - a)
			if math.IsInf(a, -1) || math.IsInf(b, -1) || math.IsNaN(f) {
				f = 0.5
			}
			p, q := at(gi, gj), at(ki, kj)
			return point{p[0] + f*(q[0]-p[0]), p[1] + f*(q[1]-p[1])}
		}
		for i := 0; i+1 < pts; i++ {
			for j := 0; j+1 < pts; j++ {
				// corners a (i,j), b (i+1,j), c (i+1,j+1), d (i,j+1); edges bottom a-b, right b-c,
				// top d-c, left a-d
				corner := [4][2]int{{i, j}, {i + 1, j}, {i + 1, j + 1}, {i, j + 1}}
				var in [4]bool
				var e []point
				for k := range corner {
					in[k] = logp[corner[k][0]*pts+corner[k][1]] > t
				}
				for _, pair := range [4][2]int{{0, 1}, {1, 2}, {3, 2}, {0, 3}} {
					if in[pair[0]] != in[pair[1]] {
						p, q := corner[pair[0]], corner[pair[1]]
						e = append(e, crossing(p[0], p[1], q[0], q[1]))
					}
				}
				switch len(e) {
				case 2:
					segs = append(segs, [2]point{e[0], e[1]})
				case 4: // a saddle: the mean of the corners decides which corners connect
					mean := 0.0
					for _, c := range corner {
						mean += logp[c[0]*pts+c[1]] / 4
					}
					if in[0] == (mean > t) {
						segs = append(segs, [2]point{e[0], e[1]}, [2]point{e[2], e[3]})
					} else {
						segs = append(segs, [2]point{e[3], e[0]}, [2]point{e[1], e[2]})
					}
				}
			}
		}
		out[l] = Contour{Level: level, Polygons: chain(segs, func(p point) [2]float64 { return [2]float64{p[0], p[1]} })}
	}
	return out
}

// skyContours traces the highest-density regions of a HEALPix mesh at each level: the boundary
// of the cells inside the region.
func skyContours(h hpd, mesh healpix.Mesh, logp []float64, finest int, levels []float64) []Contour {
	out := make([]Contour, len(levels))
	in := make([]bool, len(logp))
	for l, level := range levels {
		t := h.threshold(level)
		for i, lp := range logp {
			in[i] = lp > t
		}
		out[l] = Contour{Level: level, Polygons: chain(mesh.Boundary(in, finest), func(v point) [2]float64 {
			return [2]float64{math.Acos(max(-1, min(1, v[2]))), math.Mod(math.Atan2(v[1], v[0])+2*math.Pi, 2*math.Pi)}
		})}
	}
	return out
}

// threshold is the log-density between the least dense cell of the region holding probability
// level and the next cell (so that no cell lies on it).
func (h hpd) threshold(level float64) float64 {
	k, _ := slices.BinarySearch(h.mass, level)
	if k >= len(h.logp)-1 {
		return math.Inf(-1)
	}
	return (h.logp[k] + h.logp[k+1]) / 2
}

// chain joins segments that share end points into lines and returns each as flat coordinates
// (coord maps a point to the two output coordinates). End points match when they agree to 1e-9.
func chain(segs [][2]point, coord func(point) [2]float64) [][]float64 {
	type key [3]int64
	keyOf := func(p point) key {
		return key{int64(math.Round(p[0] * 1e9)), int64(math.Round(p[1] * 1e9)), int64(math.Round(p[2] * 1e9))}
	}
	ends := map[key][]int{}
	segs = slices.DeleteFunc(segs, func(s [2]point) bool { return keyOf(s[0]) == keyOf(s[1]) })
	for s, seg := range segs {
		for _, p := range seg {
			k := keyOf(p)
			ends[k] = append(ends[k], s)
		}
	}
	used := make([]bool, len(segs))
	// next returns an unused segment at p and its other end
	next := func(p point) (int, point, bool) {
		for _, s := range ends[keyOf(p)] {
			if !used[s] {
				other := segs[s][1]
				if keyOf(segs[s][1]) == keyOf(p) {
					other = segs[s][0]
				}
				return s, other, true
			}
		}
		return 0, point{}, false
	}
	var lines [][]float64
	walk := func(s int) {
		used[s] = true
		line := []point{segs[s][0], segs[s][1]}
		for _, forward := range []bool{true, false} {
			for {
				end := line[len(line)-1]
				if !forward {
					end = line[0]
				}
				t, p, ok := next(end)
				if !ok {
					break
				}
				used[t] = true
				if forward {
					line = append(line, p)
				} else {
					line = append([]point{p}, line...)
				}
			}
		}
		flat := make([]float64, 0, 2*len(line))
		for _, p := range line {
			c := coord(p)
			flat = append(flat, c[0], c[1])
		}
		lines = append(lines, flat)
	}
	// open lines first (from an end point used once), then the closed ones
	for s, seg := range segs {
		if !used[s] && (len(ends[keyOf(seg[0])]) == 1 || len(ends[keyOf(seg[1])]) == 1) {
			walk(s)
		}
	}
	for s := range segs {
		if !used[s] {
			walk(s)
		}
	}
	return lines
}
