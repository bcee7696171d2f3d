package gaussianization

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/spec"
)

var benchBatches = []int{1, 100, 10000}

// cpuTime is the CPU time used by the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runEvents runs body b.N times on events events each and reports events per wall-clock second
// and per CPU second (the latter is robust against other processes sharing the machine; run with
// -cpu 1 so that the CPU time is one core's).
func runEvents(b *testing.B, events int, body func()) {
	b.ResetTimer()
	start := cpuTime()
	for i := 0; i < b.N; i++ {
		body()
	}
	cpu := cpuTime() - start
	b.ReportMetric(float64(events*b.N)/b.Elapsed().Seconds(), "events/s")
	if cpu > 0 {
		b.ReportMetric(float64(events*b.N)/cpu.Seconds(), "events/cpu-s")
	}
}

// benchLayer returns a default e2 layer (K = 10, with offset) and parameters near its initial
// values.
func benchLayer(b testing.TB) (*Layer, []float64) {
	l := build(b, 2, true, nil)
	return l, randParams(l, rand.New(rand.NewPCG(1, 2)), 1, 0.3)
}

func benchDirection(b *testing.B, forward bool) {
	l, p := benchLayer(b)
	for _, n := range benchBatches {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			pts := randPoints(rand.New(rand.NewPCG(3, 4)), n, 2, 1)
			t := ad.NewTape(false)
			runEvents(b, n, func() {
				t.Reset()
				x, pn := t.Const(n, 2, pts), t.Const(1, len(p), p)
				if forward {
					l.Forward(x, pn)
				} else {
					l.Inverse(x, pn)
				}
			})
		})
	}
}

// BenchmarkGInverse is the density direction of one e2 layer (K = 10).
func BenchmarkGInverse(b *testing.B) { benchDirection(b, false) }

// BenchmarkGForward is the sampling direction (root finding) of one e2 layer (K = 10).
func BenchmarkGForward(b *testing.B) { benchDirection(b, true) }

// benchChain builds e2 "gggg" as the PDF does: exact inverse normal in layer 0, offset in layer 3.
func benchChain(b *testing.B) ([]layers.Layer, [][]float64) {
	rng := rand.New(rand.NewPCG(5, 6))
	var ls []layers.Layer
	var ps [][]float64
	for i := 0; i < 4; i++ {
		opts := Entry.Schema.Defaults()
		if i == 0 {
			opts[optInverse] = "inormal_partly_precise"
		}
		l, err := Entry.New(layers.Context{Manifold: spec.ManifoldDef{Kind: spec.Euclidean, Dim: 2}, Index: i, Count: 4, ModelOffset: i == 3}, opts)
		if err != nil {
			b.Fatal(err)
		}
		ls = append(ls, l)
		ps = append(ps, randParams(l.(*Layer), rng, 1, 0.3))
	}
	return ls, ps
}

// BenchmarkGGGG is the whole e2 "gggg" flow (density: layers 3…0; sampling: layers 0…3).
func BenchmarkGGGG(b *testing.B) {
	ls, ps := benchChain(b)
	for _, dir := range []string{"density", "sample"} {
		for _, n := range benchBatches {
			b.Run(fmt.Sprintf("%s/batch=%d", dir, n), func(b *testing.B) {
				pts := randPoints(rand.New(rand.NewPCG(7, 8)), n, 2, 1)
				t := ad.NewTape(false)
				runEvents(b, n, func() {
					t.Reset()
					x := t.Const(n, 2, pts)
					for j := range ls {
						if dir == "density" {
							j = len(ls) - 1 - j
						}
						pn := t.Const(1, len(ps[j]), ps[j])
						if dir == "density" {
							x, _ = ls[j].Inverse(x, pn)
						} else {
							x, _ = ls[j].Forward(x, pn)
						}
					}
				})
			})
		}
	}
}

// BenchmarkGTrain is one training step's work of one e2 layer: density direction with shared
// parameters that need gradients (unconditional) or one parameter row per event (conditional),
// then the backward pass.
func BenchmarkGTrain(b *testing.B) {
	l, p := benchLayer(b)
	for _, mode := range []string{"shared", "per-event"} {
		for _, n := range []int{100, 10000} {
			b.Run(fmt.Sprintf("%s/batch=%d", mode, n), func(b *testing.B) {
				pts := randPoints(rand.New(rand.NewPCG(3, 4)), n, 2, 1)
				rows, pv := 1, p
				if mode == "per-event" {
					rows = n
					pv = make([]float64, 0, n*len(p))
					for i := 0; i < n; i++ {
						pv = append(pv, p...)
					}
				}
				t := ad.NewTape(true)
				runEvents(b, n, func() {
					t.Reset()
					z, ld := l.Inverse(t.Const(n, 2, pts), t.Var(rows, len(p), pv))
					t.Backward(ad.Add(ad.SumCols(ad.Square(z)), ld), nil)
				})
			})
		}
	}
}
