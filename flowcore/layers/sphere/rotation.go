package sphere

import (
	"fmt"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/rotation"
)

// Rotation modes of the sphere layers (jammy_flows' rotation_mode).
const (
	modeHouseholder = "householder"
	modeAngles      = "angles"
	modeXYZ         = "xyz"
	modeQuaternion  = "quaternion"
)

// rotationModes lists the modes, in jammy_flows' order.
var rotationModes = []string{modeHouseholder, modeAngles, modeXYZ, modeQuaternion}

// rotator is an orthogonal map of embedding vectors given by a parameter row (1 x NumParams
// broadcast, or one row per point).
type rotator interface {
	NumParams() int
	// Apply maps the rows of e to M·e, or Mᵀ·e if inverse.
	Apply(e, params *ad.Node, inverse bool) *ad.Node
	// MatrixNode returns M (or Mᵀ if inverse) row-major, one row per parameter row.
	MatrixNode(params *ad.Node, inverse bool) *ad.Node
}

// newRotator returns the rotation of a mode on the embedding space of the sphere S^dim.
// householderIter is the number of reflections (-1: dim+1).
func newRotator(mode string, dim, householderIter int) (rotator, error) {
	switch mode {
	case modeHouseholder, modeAngles:
		r, err := rotation.New(mode, dim+1, householderIter)
		if err != nil {
			return nil, err
		}
		return r, nil
	case modeXYZ, modeQuaternion:
		if dim != 2 {
			return nil, fmt.Errorf("rotation_mode %q needs s2", mode)
		}
		if mode == modeXYZ {
			return matrixRotator{n: 3, matrix: xyzMatrix}, nil
		}
		return matrixRotator{n: 4, matrix: quaternionMatrix}, nil
	}
	return nil, fmt.Errorf("rotation_mode %q: must be one of %v", mode, rotationModes)
}

// matrixRotator builds a 3x3 matrix from its parameters on the tape and multiplies with it.
type matrixRotator struct {
	n int
	// matrix returns the nine entries M_ij (row-major), each a (rows of params) x 1 node.
	matrix func(p *ad.Node) [9]*ad.Node
}

func (r matrixRotator) NumParams() int { return r.n }

func (r matrixRotator) Apply(e, params *ad.Node, inverse bool) *ad.Node {
	m := r.matrix(params)
	cols := [3]*ad.Node{ad.Cols(e, 0, 1), ad.Cols(e, 1, 1), ad.Cols(e, 2, 1)}
	var out [3]*ad.Node
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			mij := m[3*i+j]
			if inverse {
				mij = m[3*j+i]
			}
			term := ad.Mul(mij, cols[j])
			if out[i] == nil {
				out[i] = term
			} else {
				out[i] = ad.Add(out[i], term)
			}
		}
	}
	return ad.Concat(out[:]...)
}

func (r matrixRotator) MatrixNode(params *ad.Node, inverse bool) *ad.Node {
	m := r.matrix(params)
	if inverse {
		m = [9]*ad.Node{m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]}
	}
	return ad.Concat(m[:]...)
}

// xyzMatrix is the rotation taking e_z to n = m/|m| for the parameters m (jammy_flows' "xyz"):
// rows [1-n_x²/(1+n_z), -n_x n_y/(1+n_z), n_x], [-n_x n_y/(1+n_z), 1-n_y²/(1+n_z), n_y],
// [-n_x, -n_y, n_z].
func xyzMatrix(p *ad.Node) [9]*ad.Node {
	m := [3]*ad.Node{ad.Cols(p, 0, 1), ad.Cols(p, 1, 1), ad.Cols(p, 2, 1)}
	norm := ad.Sqrt(ad.Add(ad.Add(ad.Square(m[0]), ad.Square(m[1])), ad.Square(m[2])))
	nx, ny, nz := ad.Div(m[0], norm), ad.Div(m[1], norm), ad.Div(m[2], norm)
	inv := ad.Div(p.Tape().Scalar(1), ad.AddScalar(nz, 1))
	one := func(a *ad.Node) *ad.Node { return ad.AddScalar(ad.Neg(a), 1) }
	nxy := ad.Neg(ad.Mul(ad.Mul(nx, ny), inv))
	return [9]*ad.Node{
		one(ad.Mul(ad.Square(nx), inv)), nxy, nx,
		nxy, one(ad.Mul(ad.Square(ny), inv)), ny,
		ad.Neg(nx), ad.Neg(ny), nz,
	}
}

// quaternionMatrix is the rotation of the quaternion (a, i, j, k), each product divided by the
// squared norm (jammy_flows' "quaternion").
func quaternionMatrix(p *ad.Node) [9]*ad.Node {
	a, i, j, k := ad.Cols(p, 0, 1), ad.Cols(p, 1, 1), ad.Cols(p, 2, 1), ad.Cols(p, 3, 1)
	s := ad.SumCols(ad.Square(p))
	two := func(x *ad.Node) *ad.Node { return ad.Div(ad.Scale(x, 2), s) }
	diag := func(x, y *ad.Node) *ad.Node {
		return ad.AddScalar(ad.Neg(two(ad.Add(ad.Square(x), ad.Square(y)))), 1)
	}
	ij, ak, ik, ja := ad.Mul(i, j), ad.Mul(a, k), ad.Mul(i, k), ad.Mul(j, a)
	jk, ia := ad.Mul(j, k), ad.Mul(i, a)
	return [9]*ad.Node{
		diag(j, k), two(ad.Sub(ij, ak)), two(ad.Add(ik, ja)),
		two(ad.Add(ij, ak)), diag(i, k), two(ad.Sub(jk, ia)),
		two(ad.Sub(ik, ja)), two(ad.Add(jk, ia)), diag(i, j),
	}
}
