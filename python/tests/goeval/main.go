// Command goeval evaluates a saved gojammy model with flowcore directly (no C boundary), so the
// Python tests can check that the library returns exactly what Go computes.
//
//	goeval density MODEL X.f64 N COORDS OUT.f64   writes log_pdf, base_log_pdf, base
//	goeval grad    MODEL X.f64 N COORDS OUT.f64   writes log_pdf, grad_params, grad_x
//	goeval sample  MODEL N SEED COORDS OUT.f64    writes samples, base, log_pdf, base_log_pdf
//
// Arrays are raw little-endian float64, concatenated in the order listed; COORDS is 0 (the saved
// embedding flags), 1 (intrinsic) or 2 (embedding). Only unconditional models are supported.
package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/gojammy/gojammy/flowcore"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "goeval:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 6 {
		return fmt.Errorf("usage: goeval density|grad MODEL X N COORDS OUT, or goeval sample MODEL N SEED COORDS OUT")
	}
	p, err := flowcore.LoadFile(args[1])
	if err != nil {
		return err
	}
	coords, err := strconv.Atoi(args[4])
	if err != nil {
		return err
	}
	choices := []flowcore.Coords{flowcore.SavedCoords, flowcore.IntrinsicCoords, flowcore.EmbeddingCoords}
	if coords < 0 || coords >= len(choices) {
		return fmt.Errorf("COORDS: %d is not 0, 1 or 2", coords)
	}
	c := choices[coords]
	switch args[0] {
	case "density", "grad":
		x, err := readFloats(args[2])
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(args[3])
		if err != nil {
			return err
		}
		if args[0] == "density" {
			d, err := p.LogDensity(x, n, nil, c)
			if err != nil {
				return err
			}
			return writeFloats(args[5], d.LogPDF, d.BaseLogPDF, d.Base)
		}
		d, g, err := p.LogDensityGrad(x, n, nil, c)
		if err != nil {
			return err
		}
		return writeFloats(args[5], d.LogPDF, g.Params, g.X)
	case "sample":
		n, err := strconv.Atoi(args[2])
		if err != nil {
			return err
		}
		seed, err := strconv.ParseUint(args[3], 10, 64)
		if err != nil {
			return err
		}
		s, err := p.Sample(n, nil, seed, c)
		if err != nil {
			return err
		}
		return writeFloats(args[5], s.X, s.Base, s.LogPDF, s.BaseLogPDF)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// readFloats reads a file of little-endian float64 values.
func readFloats(path string) ([]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(b)/8)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return out, nil
}

// writeFloats writes the parts one after the other as little-endian float64 values.
func writeFloats(path string, parts ...[]float64) error {
	var b []byte
	for _, part := range parts {
		for _, v := range part {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	return os.WriteFile(path, b, 0o644)
}
