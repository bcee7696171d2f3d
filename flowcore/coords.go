package flowcore

import (
	"fmt"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// EmbeddingFlags returns, per sub-manifold, whether its default coordinates are embedding
// coordinates (jammy_flows' get_embedding_flags).
func (p *PDF) EmbeddingFlags() []bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := make([]bool, len(p.subs))
	for k, s := range p.subs {
		out[k] = s.embedded
	}
	return out
}

// SetEmbeddingFlags makes embedding (true) or intrinsic (false) coordinates the default for
// sub-manifold sub, or for all of them when sub < 0 (jammy_flows' set_embedding_flags).
func (p *PDF) SetEmbeddingFlags(embedded bool, sub int) error {
	if sub >= len(p.subs) {
		return fmt.Errorf("sub_pdf_index: %d is out of range [0, %d)", sub, len(p.subs))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, s := range p.subs {
		if sub < 0 || k == sub {
			s.embedded = embedded
		}
	}
	return nil
}

// TransformTargetSpace converts n points from coordinates `from` to coordinates `to`
// (jammy_flows' transform_target_space) and returns them with the change of the log-volume
// element per row: log p_to(y) = log p_from(x) − logDet (log sin θ per S2 sub-manifold going from
// intrinsic to embedding coordinates, its negative going back, 0 elsewhere).
func (p *PDF) TransformTargetSpace(x []float64, n int, from, to Coords) ([]float64, []float64, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if d := p.Dim(from); n < 0 || len(x) != n*d {
		return nil, nil, fmt.Errorf("target: got %d values for %d rows of dimension %d", len(x), n, d)
	}
	t := ad.NewTape(false)
	xn := t.Wrap(n, p.Dim(from), x)
	logDet := t.New(n, 1)
	var parts []*ad.Node
	off := 0
	for _, s := range p.subs {
		w := s.dim(from)
		part := ad.Cols(xn, off, w)
		off += w
		fromEmb, toEmb := s.useEmbedding(from), s.useEmbedding(to)
		switch {
		case fromEmb && !toEmb:
			part = s.manifold.FromEmbedding(part)
			logDet = ad.Sub(logDet, s.manifold.LogVolume(part))
		case !fromEmb && toEmb:
			logDet = ad.Add(logDet, s.manifold.LogVolume(part))
			part = s.manifold.ToEmbedding(part)
		}
		parts = append(parts, part)
	}
	return ad.Concat(parts...).Val, logDet.Val, nil
}
