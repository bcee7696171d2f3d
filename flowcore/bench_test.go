package flowcore_test

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/train"
)

// benchModels are the models of the Go benchmarks (benchmarks/compare.py measures these and more
// through Python, beside jammy_flows).
var benchModels = []benchConfig{
	{"e2", "gggg", 0}, {"e10", "gggg", 0}, {"e1", "g", 0}, {"i1", "r", 0},
	{"s2", "f", 0}, {"s2", "v", 0}, {"s1", "m", 0}, {"s1", "o", 0}, {"e4+s2+e4", "gggg+n+gggg", 0},
	{"e4+s2+e4", "gggg+f+gggg", 0}, {"e2", "gggg", 8}, {"s2", "v", 8},
}

// benchConfig is a benchmarked PDF: its definitions and the width of its conditional input (0:
// unconditional).
type benchConfig struct {
	pdf, flow string
	cond      int
}

// name is the benchmark's name of the configuration.
func (c benchConfig) name() string {
	if c.cond > 0 {
		return fmt.Sprintf("%s_%s_c%d", c.pdf, c.flow, c.cond)
	}
	return c.pdf + "_" + c.flow
}

// benchModel builds the PDF of c and n of its samples, with n standard-normal conditional rows
// for a conditional PDF (nil otherwise).
func benchModel(b *testing.B, c benchConfig, n int) (p *flowcore.PDF, x, cond []float64) {
	cfg := flowcore.DefaultConfig()
	cfg.ConditionalInputDim = c.cond
	p, err := flowcore.New(c.pdf, c.flow, cfg)
	if err != nil {
		b.Fatal(err)
	}
	if c.cond > 0 {
		rng := rand.New(rand.NewPCG(1, 2))
		cond = make([]float64, n*c.cond)
		for i := range cond {
			cond[i] = rng.NormFloat64()
		}
	}
	s, err := p.Sample(n, cond, 1, flowcore.SavedCoords)
	if err != nil {
		b.Fatal(err)
	}
	return p, s.X, cond
}

// cpuTime is the CPU time (user + system, all threads) the process has used so far.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// reportEvents reports events/s (wall clock) and cpu-ns/event, the CPU time per event since
// start (from cpuTime) of the process's threads, GC included. On one thread on a machine where
// other work competes for the cores, cpu-ns/event stays close to the quiet-machine figure while
// wall-clock rates do not.
func reportEvents(b *testing.B, n int, start time.Duration) {
	events := float64(n) * float64(b.N)
	b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(cpuTime()-start)/events, "cpu-ns/event")
}

// BenchmarkLogDensity measures evaluation; events/s = batch / (ns/op) * 1e9.
func BenchmarkLogDensity(b *testing.B) {
	for _, m := range benchModels {
		for _, n := range []int{1, 100, 10000} {
			b.Run(fmt.Sprintf("%s/batch=%d", m.name(), n), func(b *testing.B) {
				p, x, cond := benchModel(b, m, n)
				b.ResetTimer()
				cpu := cpuTime()
				for i := 0; i < b.N; i++ {
					if _, err := p.LogDensity(x, n, cond, flowcore.SavedCoords); err != nil {
						b.Fatal(err)
					}
				}
				reportEvents(b, n, cpu)
			})
		}
	}
}

// BenchmarkSample measures sampling.
func BenchmarkSample(b *testing.B) {
	for _, m := range benchModels {
		for _, n := range []int{1, 100, 10000} {
			b.Run(fmt.Sprintf("%s/batch=%d", m.name(), n), func(b *testing.B) {
				p, _, cond := benchModel(b, m, n)
				b.ResetTimer()
				cpu := cpuTime()
				for i := 0; i < b.N; i++ {
					if _, err := p.Sample(n, cond, uint64(i), flowcore.SavedCoords); err != nil {
						b.Fatal(err)
					}
				}
				reportEvents(b, n, cpu)
			})
		}
	}
}

// BenchmarkTrainStep measures one Adam step (gradient of the mean log-likelihood + update).
func BenchmarkTrainStep(b *testing.B) {
	for _, m := range benchModels {
		for _, n := range []int{1, 100, 256, 10000} {
			b.Run(fmt.Sprintf("%s/batch=%d", m.name(), n), func(b *testing.B) {
				p, x, cond := benchModel(b, m, n)
				b.ResetTimer()
				cpu := cpuTime()
				if _, err := train.Fit(p, x, n, cond, train.Options{Steps: b.N, BatchSize: n, LearningRate: 1e-4}, nil); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// scalingModels are the models whose thread scaling the issue of the kernel floor fixes: two
// threads at least 1.8x one at batch 100,000.
var scalingModels = []benchConfig{{"e2", "gggg", 0}, {"s2", "f", 0}, {"e4+s2+e4", "gggg+n+gggg", 0}}

// BenchmarkScaling measures evaluation and sampling at batch 100,000, meant to be run with
// -cpu 1,2 (the engine uses GOMAXPROCS threads unless SetThreads says otherwise); the ratio of the
// events/s of -2 to those of -1 is the speed-up of two threads.
func BenchmarkScaling(b *testing.B) {
	const n = 100000
	for _, m := range scalingModels {
		b.Run(m.name(), func(b *testing.B) {
			p, x, _ := benchModel(b, m, n)
			b.Run("LogDensity", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := p.LogDensity(x, n, nil, flowcore.SavedCoords); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			})
			b.Run("Sample", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := p.Sample(n, nil, uint64(i), flowcore.SavedCoords); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			})
		})
	}
}

// scanModels are the conditional models of the one-row benchmarks: the shapes of an amortized
// coverage scan, where one conditional row (an event) is evaluated at many points.
var scanModels = []benchConfig{{"e2", "gggg", 8}, {"s2", "v", 8}, {"s2", "n", 8}, {"e2+s2", "gg+n", 8}}

// BenchmarkOneRow measures LogDensityAt and SampleAt: 100 and 10,000 points for one conditional
// row, another row in every call (as a scan does per event).
func BenchmarkOneRow(b *testing.B) {
	for _, m := range scanModels {
		for _, n := range []int{100, 10000} {
			b.Run(fmt.Sprintf("%s/batch=%d", m.name(), n), func(b *testing.B) {
				p, x, cond := benchModel(b, m, n)
				row := func(i int) []float64 { i %= n; return cond[i*m.cond : (i+1)*m.cond] }
				b.Run("LogDensityAt", func(b *testing.B) {
					cpu := cpuTime()
					for i := 0; b.Loop(); i++ {
						if _, err := p.LogDensityAt(x, n, row(i), flowcore.SavedCoords); err != nil {
							b.Fatal(err)
						}
					}
					reportEvents(b, n, cpu)
				})
				b.Run("SampleAt", func(b *testing.B) {
					cpu := cpuTime()
					for i := 0; b.Loop(); i++ {
						if _, err := p.SampleAt(n, row(i), uint64(i), flowcore.SavedCoords); err != nil {
							b.Fatal(err)
						}
					}
					reportEvents(b, n, cpu)
				})
			})
		}
	}
}
