package flowcore

import (
	"fmt"
	"slices"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// Coords chooses the coordinates of the points a call takes or returns, per sub-manifold:
// intrinsic coordinates (angles on spheres, values elsewhere) or embedding coordinates (unit
// vectors on spheres, the same values elsewhere). A call resolves its Coords once, when it starts,
// against the PDF's saved embedding flags, which never change after construction: the shapes of a
// call follow from its arguments alone. The zero value is SavedCoords.
type Coords struct {
	kind coordsKind
	// embedding is the explicit choice of a PerSubManifold value.
	embedding []bool
}

// coordsKind is the form of a Coords value.
type coordsKind int

const (
	savedKind coordsKind = iota
	intrinsicKind
	embeddingKind
	perSubManifoldKind
)

var (
	// SavedCoords are the coordinates recorded in the model: embedding coordinates for the
	// sub-manifolds whose saved embedding flag is set (Config.EmbeddingFlags), intrinsic ones
	// elsewhere (jammy_flows' default coordinates).
	SavedCoords = Coords{kind: savedKind}
	// IntrinsicCoords are intrinsic coordinates on every sub-manifold (force_intrinsic_coordinates).
	IntrinsicCoords = Coords{kind: intrinsicKind}
	// EmbeddingCoords are embedding coordinates on every sub-manifold (force_embedding_coordinates).
	EmbeddingCoords = Coords{kind: embeddingKind}
)

// PerSubManifold chooses the coordinates sub-manifold by sub-manifold, in pdf_defs order:
// embedding coordinates where embedding[k] is true, intrinsic ones elsewhere. A call given a
// choice whose length is not the PDF's number of sub-manifolds fails.
func PerSubManifold(embedding []bool) Coords {
	return Coords{kind: perSubManifoldKind, embedding: slices.Clone(embedding)}
}

// layout is a Coords resolved against one PDF: per sub-manifold, whether its points are in
// embedding coordinates.
type layout []bool

// resolve turns c into the per-sub-manifold choice for p.
func (p *PDF) resolve(c Coords) (layout, error) {
	l := make(layout, len(p.subs))
	switch c.kind {
	case savedKind:
		copy(l, p.cfg.EmbeddingFlags)
	case intrinsicKind:
	case embeddingKind:
		for k := range l {
			l[k] = true
		}
	case perSubManifoldKind:
		if len(c.embedding) != len(p.subs) {
			return nil, fmt.Errorf("coordinates: %d per-sub-manifold choices for a PDF of %d sub-manifolds", len(c.embedding), len(p.subs))
		}
		copy(l, c.embedding)
	default:
		return nil, fmt.Errorf("coordinates: unknown choice %d", int(c.kind))
	}
	return l, nil
}

// width is the dimension of a point under l.
func (p *PDF) width(l layout) int {
	n := 0
	for k, s := range p.subs {
		n += s.dim(l[k])
	}
	return n
}

// offset returns where sub-manifold k's columns start under l.
func (p *PDF) offset(k int, l layout) int {
	off := 0
	for j, s := range p.subs[:k] {
		off += s.dim(l[j])
	}
	return off
}

// Embedding reports, per sub-manifold, whether c means embedding coordinates on p; it fails only
// for a PerSubManifold choice of the wrong length.
func (p *PDF) Embedding(c Coords) ([]bool, error) {
	l, err := p.resolve(c)
	return []bool(l), err
}

// Dim is the total dimension of points in coordinates c; it fails only for a PerSubManifold
// choice of the wrong length.
func (p *PDF) Dim(c Coords) (int, error) {
	l, err := p.resolve(c)
	if err != nil {
		return 0, err
	}
	return p.width(l), nil
}

// Columns returns where every sub-manifold's columns start in points of coordinates c, and the
// total dimension last (jammy_flows' target_dim_indices as a list of offsets).
func (p *PDF) Columns(c Coords) ([]int, error) {
	l, err := p.resolve(c)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(p.subs)+1)
	for k := range p.subs {
		out[k+1] = p.offset(k+1, l)
	}
	return out, nil
}

// EmbeddingFlags returns the saved embedding flags, one per sub-manifold (jammy_flows'
// get_embedding_flags): true where SavedCoords are embedding coordinates.
func (p *PDF) EmbeddingFlags() []bool {
	return slices.Clone(p.cfg.EmbeddingFlags)
}

// TransformTargetSpace converts n points from coordinates `from` to coordinates `to`
// (jammy_flows' transform_target_space) and returns them with the change of the log-volume
// element per row: log p_to(y) = log p_from(x) − logDet (log sin θ per S2 sub-manifold going from
// intrinsic to embedding coordinates, its negative going back, 0 elsewhere).
func (p *PDF) TransformTargetSpace(x []float64, n int, from, to Coords) ([]float64, []float64, error) {
	lf, err := p.resolve(from)
	if err != nil {
		return nil, nil, err
	}
	lt, err := p.resolve(to)
	if err != nil {
		return nil, nil, err
	}
	d := p.width(lf)
	if n < 0 || len(x) != n*d {
		return nil, nil, fmt.Errorf("target: got %d values for %d rows of dimension %d", len(x), n, d)
	}
	t := ad.NewTape(false)
	xn := t.Wrap(n, d, x)
	logDet := t.New(n, 1)
	var parts []*ad.Node
	off := 0
	for k, s := range p.subs {
		w := s.dim(lf[k])
		part := ad.Cols(xn, off, w)
		off += w
		switch {
		case lf[k] && !lt[k]:
			part = s.manifold.FromEmbedding(part)
			logDet = ad.Sub(logDet, s.manifold.LogVolume(part))
		case !lf[k] && lt[k]:
			logDet = ad.Add(logDet, s.manifold.LogVolume(part))
			part = s.manifold.ToEmbedding(part)
		}
		parts = append(parts, part)
	}
	return ad.Concat(parts...).Val, logDet.Val, nil
}
