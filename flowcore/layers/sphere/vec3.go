package sphere

import "github.com/gojammy/gojammy/flowcore/ad"

// vec3 is a batch of 3-vectors as three R x 1 (or 1 x 1, or R x C) columns on the tape.
type vec3 [3]*ad.Node

// splitVec3 returns the columns of an R x 3 node.
func splitVec3(e *ad.Node) vec3 {
	return vec3{ad.Cols(e, 0, 1), ad.Cols(e, 1, 1), ad.Cols(e, 2, 1)}
}

// node joins the columns into an R x 3 node.
func (a vec3) node() *ad.Node { return ad.Concat(a[0], a[1], a[2]) }

func (a vec3) dot(b vec3) *ad.Node { return dotVec3(a, b) }

func (a vec3) add(b vec3) vec3 {
	return vec3{ad.Add(a[0], b[0]), ad.Add(a[1], b[1]), ad.Add(a[2], b[2])}
}

func (a vec3) sub(b vec3) vec3 {
	return vec3{ad.Sub(a[0], b[0]), ad.Sub(a[1], b[1]), ad.Sub(a[2], b[2])}
}

// scale multiplies every component by s (broadcasting).
func (a vec3) scale(s *ad.Node) vec3 {
	return vec3{mul(a[0], s), mul(a[1], s), mul(a[2], s)}
}

func (a vec3) cross(b vec3) vec3 {
	return vec3{
		ad.Sub(mul(a[1], b[2]), mul(a[2], b[1])),
		ad.Sub(mul(a[2], b[0]), mul(a[0], b[2])),
		ad.Sub(mul(a[0], b[1]), mul(a[1], b[0])),
	}
}

// sumCols returns the row sums of every component (R x C -> R x 1).
func (a vec3) sumCols() vec3 {
	return vec3{ad.SumCols(a[0]), ad.SumCols(a[1]), ad.SumCols(a[2])}
}
