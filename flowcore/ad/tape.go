// Package ad is a small batched reverse-mode automatic-differentiation tape over float64 matrices.
//
// Every value is a Node: an R x C row-major matrix. Rows are batch rows (events); columns are
// features (dimensions, parameters). Elementwise binary operations broadcast an operand with one row
// over all rows and an operand with one column over all columns, so that one parameter row (an
// unconditional PDF) and one parameter row per event (a conditional PDF) share one code path.
//
// A Tape records, for every operation whose inputs need gradients, a closure that propagates the
// output's gradient to its inputs. Backward runs these closures in reverse order. A tape created
// with NewTape(false) records nothing and only computes values: the no-gradient path.
//
// Hot kernels and root-finding inverses are "custom" operations: a function that fills output nodes
// and registers its own vector-Jacobian product with Tape.Record.
//
// Operations never write into their inputs' values. Cols of a one-row node and Reshape rely on it:
// they return views that share the values (and the gradient) of their input instead of copies.
package ad

import "fmt"

// Node is one R x C matrix value on a tape, with its gradient once Backward has run.
type Node struct {
	R, C int
	// Val holds the R*C values, row-major.
	Val  []float64
	grad []float64
	tape *Tape
	// needsGrad is true when the node depends on a variable that requires a gradient.
	needsGrad bool
}

// Tape records the operations of one computation. A tape is used by one goroutine at a time.
//
// Node headers and values come from the tape's own storage, reused after Reset: a tape that is
// reset and reused (as the engine does per block of events) allocates nothing per operation once
// it has grown to the size of the computation.
type Tape struct {
	recording bool
	steps     []func()
	slab      []float64
	// nodes holds chunks of node headers; used counts the headers handed out since Reset.
	nodes [][]Node
	used  int
	// callRows is the number of rows of the whole call the tape's block belongs to (0: unknown).
	callRows int
}

// nodeChunk is the number of node headers allocated together.
const nodeChunk = 128

// NewTape returns an empty tape. With grad false it only evaluates values (no closures, no gradients).
func NewTape(grad bool) *Tape {
	return &Tape{recording: grad}
}

// Recording reports whether the tape records gradient steps.
func (t *Tape) Recording() bool { return t.recording }

// Reset forgets every recorded step so that the tape can be reused. Nodes created before Reset must
// not be used afterwards: their storage is recycled.
func (t *Tape) Reset() {
	clear(t.steps) // drop the closures' references
	t.steps = t.steps[:0]
	t.slab = t.slab[:0]
	for c := 0; c*nodeChunk < t.used; c++ {
		clear(t.nodes[c][:min(nodeChunk, t.used-c*nodeChunk)]) // drop references to caller values
	}
	t.used = 0
	t.callRows = 0
}

// SetCallRows records that the tape evaluates one block of a call on n rows in all (until Reset).
// Set-up work that pays only over many rows, such as a lookup table for a root search, asks for
// it: the decision then depends on the call, not on how the call is split into blocks.
func (t *Tape) SetCallRows(n int) { t.callRows = n }

// CallRows is the number of rows of the call set by SetCallRows (0 if not set).
func (t *Tape) CallRows() int { return t.callRows }

// node returns a node header from the tape's storage.
func (t *Tape) node(r, c int, val []float64) *Node {
	chunk, i := t.used/nodeChunk, t.used%nodeChunk
	if chunk == len(t.nodes) {
		t.nodes = append(t.nodes, make([]Node, nodeChunk))
	}
	t.used++
	n := &t.nodes[chunk][i]
	*n = Node{R: r, C: c, Val: val, tape: t}
	return n
}

// alloc returns n zeroed float64s from the tape's slab.
func (t *Tape) alloc(n int) []float64 {
	s := t.allocRaw(n)
	clear(s)
	return s
}

// allocRaw returns n float64s from the tape's slab with arbitrary contents, for values that are
// written in full before they are read.
func (t *Tape) allocRaw(n int) []float64 {
	if len(t.slab)+n > cap(t.slab) {
		size := 2 * cap(t.slab)
		if size < 1<<14 {
			size = 1 << 14
		}
		if size < n {
			size = n
		}
		// Old slices stay valid (they keep the old array alive); new allocations use the new slab.
		t.slab = make([]float64, 0, size)
	}
	start := len(t.slab)
	t.slab = t.slab[:start+n]
	return t.slab[start : start+n : start+n]
}

// Floats returns n zeroed float64s of work space that stays valid until the tape is Reset (custom
// operations keep state for their backward step there without a heap allocation per call).
func (t *Tape) Floats(n int) []float64 { return t.alloc(n) }

// FloatsRaw is Floats without the zeroing: the values are arbitrary, for work space that is
// written in full before it is read.
func (t *Tape) FloatsRaw(n int) []float64 { return t.allocRaw(n) }

// New returns a zero R x C node that does not need a gradient (a constant or an op output to fill).
func (t *Tape) New(r, c int) *Node {
	return t.node(r, c, t.alloc(r*c))
}

// NewRaw is New without the zeroing: an R x C node whose values the caller writes in full (the
// outputs of custom operations that set every value).
func (t *Tape) NewRaw(r, c int) *Node { return t.node(r, c, t.allocRaw(r*c)) }

// Const wraps values (copied) as an R x C constant node.
func (t *Tape) Const(r, c int, vals []float64) *Node {
	if len(vals) != r*c {
		panic(fmt.Sprintf("ad.Const: %d values for a %dx%d node", len(vals), r, c))
	}
	n := t.NewRaw(r, c)
	copy(n.Val, vals)
	return n
}

// Wrap uses vals (not copied; the caller must not change them while the tape is in use) as an
// R x C constant node.
func (t *Tape) Wrap(r, c int, vals []float64) *Node {
	if len(vals) != r*c {
		panic(fmt.Sprintf("ad.Wrap: %d values for a %dx%d node", len(vals), r, c))
	}
	return t.node(r, c, vals)
}

// WrapVar is Wrap for a leaf variable whose gradient is wanted.
func (t *Tape) WrapVar(r, c int, vals []float64) *Node {
	n := t.Wrap(r, c, vals)
	n.needsGrad = t.recording
	return n
}

// Scalar returns a 1 x 1 constant node.
func (t *Tape) Scalar(v float64) *Node {
	n := t.New(1, 1)
	n.Val[0] = v
	return n
}

// Var wraps values (copied) as an R x C node whose gradient is wanted (a leaf variable).
// On a non-recording tape it is a constant.
func (t *Tape) Var(r, c int, vals []float64) *Node {
	n := t.Const(r, c, vals)
	n.needsGrad = t.recording
	return n
}

// view returns an r x c node over a's values from offset start on (r·c of them), sharing them and,
// when a needs a gradient, the matching part of a's gradient: a zero-copy Cols or Reshape. Ops
// never write into their inputs, so the shared values stay a's.
func (a *Node) view(r, c, start int) *Node {
	n := a.tape.node(r, c, a.Val[start:start+r*c:start+r*c])
	if a.needsGrad {
		n.needsGrad = true
		g := a.Grad()
		n.grad = g[start : start+r*c : start+r*c]
	}
	return n
}

// Tape returns the tape that owns the node.
func (n *Node) Tape() *Tape { return n.tape }

// NeedsGrad reports whether the node depends on a leaf variable.
func (n *Node) NeedsGrad() bool { return n.needsGrad }

// RowStep is how a node's rows follow the rows of a result it broadcasts to: result row i reads
// row i·RowStep(), 0 for a node of one row (shared by all) and 1 otherwise. It replaces i mod R,
// whose integer division is slow in per-row loops.
func (n *Node) RowStep() int {
	if n.R == 1 {
		return 0
	}
	return 1
}

// At returns element (i, j).
func (n *Node) At(i, j int) float64 { return n.Val[i*n.C+j] }

// Grad returns the gradient of the last Backward with respect to this node (allocated as zeros on
// first use, so it is always of length R*C).
func (n *Node) Grad() []float64 {
	if n.grad == nil {
		n.grad = n.tape.alloc(len(n.Val))
	}
	return n.grad
}

// Record marks out as depending on ins (if any of them needs a gradient) and, on a recording tape,
// stores back to run during Backward. back must add to the Grad() of the inputs that NeedsGrad, from
// the Grad() of the outputs. It returns whether the step was recorded, so that callers may skip
// preparing state that only the backward step uses.
func (t *Tape) Record(outs []*Node, ins []*Node, back func()) bool {
	if !t.Tracks(ins...) {
		return false
	}
	for _, o := range outs {
		o.needsGrad = true
	}
	t.steps = append(t.steps, back)
	return true
}

// Tracks reports whether an operation on the inputs ins will be recorded: the tape records and one
// of them needs a gradient. Operations test it before building their backward closure, so that the
// value-only path allocates none.
func (t *Tape) Tracks(ins ...*Node) bool {
	if !t.recording {
		return false
	}
	for _, in := range ins {
		if in != nil && in.needsGrad {
			return true
		}
	}
	return false
}

// Backward seeds the gradient of the scalar-valued sum of root's entries with ones (or with seed if
// it is not nil, one value per entry) and propagates gradients to every node on the tape.
func (t *Tape) Backward(root *Node, seed []float64) {
	if !t.recording {
		panic("ad.Backward on a tape that does not record gradients")
	}
	g := root.Grad()
	if seed == nil {
		for i := range g {
			g[i] += 1
		}
	} else {
		if len(seed) != len(g) {
			panic("ad.Backward: seed length differs from the root size")
		}
		for i := range g {
			g[i] += seed[i]
		}
	}
	for i := len(t.steps) - 1; i >= 0; i-- {
		t.steps[i]()
	}
}
