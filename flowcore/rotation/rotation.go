// Package rotation holds the parametrized linear maps of determinant ±1 that jammy_flows layers use
// to mix coordinates: products of Householder reflections, products of Givens rotations ("angles"),
// the 2-d Cayley rotation and the unit-triangular "triangular_combination" L·D·U (with det D = 1).
//
// A map M is given by a parameter row; Apply maps the rows of a node (one vector per row) to M·x or
// M⁻¹·x as one custom ad operation with a hand-written vector-Jacobian product for the points and
// the parameters. For the orthogonal modes M⁻¹ = Mᵀ.
package rotation

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// Mode names, as jammy_flows spells them.
const (
	Householder = "householder"
	Angles      = "angles"
	Cayley      = "cayley"
	Triangular  = "triangular_combination"
	None        = "none"
)

// Modes lists every mode name.
var Modes = []string{Householder, Triangular, Angles, Cayley, None}

// kernel is one mode's math on a single vector: coefficients derived from a parameter row, the map
// and its vector-Jacobian product.
type kernel interface {
	// numCoefs is the number of per-row coefficients and workSize the scratch length apply and
	// backward need.
	numCoefs() int
	workSize() int
	// coefs fills c from one parameter row p.
	coefs(p, c []float64)
	// apply writes M·x (or M⁻¹·x if inverse) to y; x and y do not overlap.
	apply(c, x, y, work []float64, inverse bool)
	// backward adds to gx and gc the gradients of ⟨g, apply(x)⟩ with respect to x and c.
	backward(c, x, g, gx, gc, work []float64, inverse bool)
	// paramGrad adds to gp the gradient with respect to the parameter row, given the gradient gc
	// with respect to the coefficients derived from it.
	paramGrad(p, c, gc, gp []float64)
}

// Rotation is one parametrized map on vectors of dimension Dim.
type Rotation struct {
	mode    string
	dim     int
	nParams int
	k       kernel
	// cache holds, per direction (forward, inverse), the dense matrix of the last constant shared
	// parameter row Apply saw: an unconditional model evaluated without gradients builds its
	// matrices once.
	cache [2]atomic.Pointer[denseMap]
}

// denseMap is one cached map: the raw parameters and the dense matrix.
type denseMap struct {
	raw, a []float64
}

// New returns the map of the given mode on dim-dimensional vectors. n is the number of Householder
// reflections (-1 means dim, 0 means none; ignored by the other modes). Parameter counts follow
// jammy_flows: householder n·dim, angles dim(dim-1)/2, cayley 1 (dim 2 only; none in dim 1),
// triangular_combination (dim-1) + dim(dim-1), none 0.
func New(mode string, dim, n int) (*Rotation, error) {
	if dim < 1 {
		return nil, fmt.Errorf("rotation: dimension %d must be at least 1", dim)
	}
	r := &Rotation{mode: mode, dim: dim}
	switch mode {
	case Householder:
		if n == -1 {
			n = dim
		}
		if n < 0 {
			return nil, fmt.Errorf("rotation: number of householder reflections %d must be -1 (= dimension) or >= 0", n)
		}
		if n > 0 {
			r.k = newHouseholder(dim, n)
		}
		r.nParams = n * dim
	case Angles:
		if dim > 1 {
			r.k = newAngles(dim)
			r.nParams = dim * (dim - 1) / 2
		}
	case Cayley:
		if dim > 2 {
			return nil, fmt.Errorf("rotation_mode %q needs dimension 2 (got %d); use householder or angles", mode, dim)
		}
		if dim == 2 {
			r.k = newCayley()
			r.nParams = 1
		}
	case Triangular:
		if dim > 1 {
			r.k = newTriangular(dim)
			r.nParams = dim - 1 + dim*(dim-1)
		}
	case None:
	default:
		return nil, fmt.Errorf("rotation_mode %q: must be one of %v", mode, Modes)
	}
	return r, nil
}

// Mode returns the mode name.
func (r *Rotation) Mode() string { return r.mode }

// Dim returns the vector dimension.
func (r *Rotation) Dim() int { return r.dim }

// NumParams returns the number of parameters of one map.
func (r *Rotation) NumParams() int { return r.nParams }

// InitialParams returns jammy_flows' default initial parameters of the g layer's rotation block:
// standard-normal Householder vectors, zeros for every other mode.
func (r *Rotation) InitialParams(rng *rand.Rand) []float64 {
	p := make([]float64, r.nParams)
	if r.mode == Householder {
		for i := range p {
			p[i] = rng.NormFloat64()
		}
	}
	return p
}

// Matrix returns M (dim x dim, row-major) for one parameter row.
func (r *Rotation) Matrix(params []float64) []float64 {
	if r.k == nil {
		m := make([]float64, r.dim*r.dim)
		for i := 0; i < r.dim; i++ {
			m[i*r.dim+i] = 1
		}
		return m
	}
	c := make([]float64, r.k.numCoefs())
	r.k.coefs(params, c)
	m := make([]float64, r.dim*r.dim)
	r.dense(c, m, make([]float64, r.k.workSize()+2*r.dim), false)
	return m
}

// dense sets m (Dim² values) to the matrix of the map with coefficients c (M, or M⁻¹ if inverse),
// row-major; work must hold the kernel's work space and 2·Dim values more.
func (r *Rotation) dense(c, m, work []float64, inverse bool) {
	d := r.dim
	e, col, work := work[:d], work[d:2*d], work[2*d:]
	for j := 0; j < d; j++ {
		clear(e)
		e[j] = 1
		r.k.apply(c, e, col, work, inverse)
		for i := 0; i < d; i++ {
			m[i*d+j] = col[i]
		}
	}
}

// Apply maps every row of x (R x Dim) to M·x, or M⁻¹·x if inverse, with the map of the matching
// row of params (1 x NumParams shared by all rows, or one row per row of x). With no parameters
// (mode none, or a mode that is the identity in this dimension) it returns x itself and params
// may be nil.
func (r *Rotation) Apply(x, params *ad.Node, inverse bool) *ad.Node {
	if r.k == nil {
		return x
	}
	d, nc := r.dim, r.k.numCoefs()
	if x.C != d || params.C != r.nParams || (x.R != params.R && x.R != 1 && params.R != 1) {
		panic(fmt.Sprintf("rotation.Apply (%s, dim %d): points %dx%d, params %dx%d (want %d columns)",
			r.mode, d, x.R, x.C, params.R, params.C, r.nParams))
	}
	rows := max(x.R, params.R)
	t := x.Tape()
	coef := t.New(params.R, nc).Val
	for i := 0; i < params.R; i++ {
		r.k.coefs(params.Val[i*r.nParams:(i+1)*r.nParams], coef[i*nc:(i+1)*nc])
	}
	out := t.New(rows, d)
	work := t.Floats(r.k.workSize())
	if params.R == 1 {
		// One map for all rows: apply it as a dense matrix.
		a := r.sharedMatrix(params, coef, inverse)
		applyDense(a, x, out)
		if t.Tracks(x, params) {
			t.Record([]*ad.Node{out}, []*ad.Node{x, params}, func() { r.sharedBackward(x, params, out, coef, a, work, inverse) })
		}
		return out
	}
	for i := 0; i < rows; i++ {
		xo, co := i*x.RowStep()*d, i*params.RowStep()*nc
		r.k.apply(coef[co:co+nc], x.Val[xo:xo+d], out.Val[i*d:(i+1)*d], work, inverse)
	}
	if !t.Tracks(x, params) {
		return out
	}
	t.Record([]*ad.Node{out}, []*ad.Node{x, params}, func() {
		g := out.Grad()
		gc := make([]float64, len(coef))
		gx := make([]float64, d)
		if x.NeedsGrad() {
			gx = x.Grad()
		}
		for i := 0; i < rows; i++ {
			xo, co, gxo := i*x.RowStep()*d, i*params.RowStep()*nc, i*x.RowStep()*d
			if !x.NeedsGrad() {
				gxo = 0
			}
			r.k.backward(coef[co:co+nc], x.Val[xo:xo+d], g[i*d:(i+1)*d], gx[gxo:gxo+d], gc[co:co+nc], work, inverse)
		}
		if params.NeedsGrad() {
			gp, np := params.Grad(), r.nParams
			for i := 0; i < params.R; i++ {
				r.k.paramGrad(params.Val[i*np:(i+1)*np], coef[i*nc:(i+1)*nc], gc[i*nc:(i+1)*nc], gp[i*np:(i+1)*np])
			}
		}
	})
	return out
}

// sharedMatrix returns the dense matrix of the one shared parameter row params with coefficients
// coef (M⁻¹ if inverse): from the cache when params is a constant row seen before, else built on
// the tape (and cached if constant).
func (r *Rotation) sharedMatrix(params *ad.Node, coef []float64, inverse bool) []float64 {
	t, d := params.Tape(), r.dim
	dir := 0
	if inverse {
		dir = 1
	}
	constant := !params.NeedsGrad()
	if c := r.cache[dir].Load(); constant && c != nil && slices.Equal(c.raw, params.Val) {
		return c.a
	}
	a := t.Floats(d * d)
	r.dense(coef, a, t.Floats(r.k.workSize()+2*d), inverse)
	if constant {
		r.cache[dir].Store(&denseMap{raw: slices.Clone(params.Val), a: slices.Clone(a)})
	}
	return a
}

// sharedBackward is the vector-Jacobian product of Apply for one shared map with dense matrix a:
// the points get aᵀ·g, and the parameters the gradient of ⟨G, a⟩ with G = Σ_rows g xᵀ, found with
// one kernel backward step per column of a (a·e_q is column q) instead of one per row.
func (r *Rotation) sharedBackward(x, params, out *ad.Node, coef, a, work []float64, inverse bool) {
	d, rows := r.dim, out.R
	g := out.Grad()
	gm := make([]float64, d*d)
	var gx []float64
	if x.NeedsGrad() {
		gx = x.Grad()
	}
	for i := 0; i < rows; i++ {
		gi := g[i*d : (i+1)*d]
		zero := true
		for _, v := range gi {
			zero = zero && v == 0
		}
		if zero {
			continue // also keeps NaN rows out of the shared gradient
		}
		xo := i * x.RowStep() * d
		xi := x.Val[xo : xo+d]
		if gx != nil {
			mulVecT(a, gi, gx[xo:xo+d])
		}
		for p, gp := range gi {
			for q, xq := range xi {
				gm[p*d+q] += gp * xq
			}
		}
	}
	if params.NeedsGrad() {
		r.matrixParamGrad(params.Val, coef, gm, params.Grad(), work, inverse)
	}
}

// matrixParamGrad adds to gp the gradient of ⟨G, A⟩ with respect to the parameter row p (with
// coefficients c), where A is the dense matrix of the map (M, or M⁻¹ if inverse): one kernel
// backward step per column of A (A·e_q is column q).
func (r *Rotation) matrixParamGrad(p, c, gm, gp, work []float64, inverse bool) {
	d := r.dim
	gc := make([]float64, len(c))
	e, col, sink := make([]float64, d), make([]float64, d), make([]float64, d)
	for q := 0; q < d; q++ {
		clear(e)
		e[q] = 1
		for i := 0; i < d; i++ {
			col[i] = gm[i*d+q]
		}
		r.k.backward(c, e, col, sink, gc, work, inverse)
	}
	r.k.paramGrad(p, c, gc, gp)
}

// MatrixNode returns the dense matrices of the maps of the parameter rows (M, or M⁻¹ if
// inverse), one row-major Dim x Dim matrix per row (params.R x Dim²), as one custom op; with no
// parameters it returns the identity as one constant row.
func (r *Rotation) MatrixNode(params *ad.Node, inverse bool) *ad.Node {
	d := r.dim
	if r.k == nil {
		t := params.Tape()
		return t.Const(1, d*d, r.Matrix(nil))
	}
	t, nc, np := params.Tape(), r.k.numCoefs(), r.nParams
	out := t.New(params.R, d*d)
	coef := t.Floats(params.R * nc)
	denseWork := t.Floats(r.k.workSize() + 2*d)
	work := denseWork[2*d:]
	for i := 0; i < params.R; i++ {
		c := coef[i*nc : (i+1)*nc]
		r.k.coefs(params.Val[i*np:(i+1)*np], c)
		r.dense(c, out.Val[i*d*d:(i+1)*d*d], denseWork, inverse)
	}
	if t.Tracks(params) {
		t.Record([]*ad.Node{out}, []*ad.Node{params}, func() {
			g, gp := out.Grad(), params.Grad()
			for i := 0; i < params.R; i++ {
				r.matrixParamGrad(params.Val[i*np:(i+1)*np], coef[i*nc:(i+1)*nc], g[i*d*d:(i+1)*d*d],
					gp[i*np:(i+1)*np], work, inverse)
			}
		})
	}
	return out
}

// applyDense sets every row of out to a·x_row for the d x d row-major matrix a (x has out's rows or
// one row).
func applyDense(a []float64, x, out *ad.Node) {
	d := out.C
	if d == 1 {
		a0 := a[0]
		for i := range out.Val {
			out.Val[i] = a0 * x.Val[i*x.RowStep()]
		}
		return
	}
	for i := 0; i < out.R; i++ {
		xo := i * x.RowStep() * d
		xi, oi := x.Val[xo:xo+d], out.Val[i*d:(i+1)*d]
		for p := range oi {
			s := 0.0
			for q, v := range xi {
				s += a[p*d+q] * v
			}
			oi[p] = s
		}
	}
}

// mulVecT adds aᵀ·v to out for a square row-major matrix a.
func mulVecT(a, v, out []float64) {
	d := len(v)
	for p := 0; p < d; p++ {
		s := 0.0
		for q, vq := range v {
			s += a[q*d+p] * vq
		}
		out[p] += s
	}
}
