package coverage

import (
	"fmt"
	"slices"

	"github.com/gojammy/gojammy/flowcore"
)

// amortizedModel scans an amortize-everything PDF: each of its rows is the PDF's conditional
// input followed by the amortization parameters of one event.
type amortizedModel struct{ pdfModel }

func (m amortizedModel) condDim() int { return m.p.ConditionalDim() + m.p.NumAmortizationParams() }

// split repeats the conditional input and the amortization parameters of row for n points.
func (m amortizedModel) split(row []float64, n int) (cond, amort []float64) {
	cd := m.p.ConditionalDim()
	if cd > 0 {
		cond = slices.Repeat(row[:cd], n)
	}
	return cond, slices.Repeat(row[cd:], n)
}

func (m amortizedModel) sample(n int, row []float64, seed uint64) ([]float64, []float64, error) {
	cond, amort := m.split(row, n)
	s, err := m.p.SampleAmortized(n, cond, amort, seed, flowcore.IntrinsicCoords)
	if err != nil {
		return nil, nil, err
	}
	return s.X, s.LogPDF, m.toNaturalVolume(s.X, n, s.LogPDF)
}

func (m amortizedModel) logDensity(x []float64, n int, row []float64) ([]float64, error) {
	cond, amort := m.split(row, n)
	d, err := m.p.LogDensityAmortized(x, n, cond, amort, flowcore.IntrinsicCoords)
	if err != nil {
		return nil, err
	}
	return d.LogPDF, m.toNaturalVolume(x, n, d.LogPDF)
}

// RunAmortized is Run for an amortize-everything PDF: amort holds one row of amortization
// parameters per scan (NumAmortizationParams values each), with as many conditional rows in
// cond for a conditional PDF and, if labels are given, one label per row.
func RunAmortized(p *flowcore.PDF, labels []float64, n int, labelCoords flowcore.Coords, cond, amort []float64, opt Options) (Result, error) {
	joined, err := amortizedRows(p, cond, amort)
	if err != nil {
		return Result{}, err
	}
	if labels, err = intrinsicLabels(p, labels, n, labelCoords); err != nil {
		return Result{}, err
	}
	return run(amortizedModel{pdfModel{p}}, labels, n, joined, opt)
}

// amortizedRows checks the conditional inputs and amortization parameters of the scans of an
// amortize-everything PDF and joins them into the rows of an amortizedModel.
func amortizedRows(p *flowcore.PDF, cond, amort []float64) ([]float64, error) {
	na, cd := p.NumAmortizationParams(), p.ConditionalDim()
	if !p.TakesAmortizationParams() {
		return nil, fmt.Errorf("amortization_parameters: only a PDF built with amortize_everything takes them")
	}
	if len(amort) == 0 || len(amort)%na != 0 {
		return nil, fmt.Errorf("amortization_parameters: need rows of %d values, got %d values", na, len(amort))
	}
	rows := len(amort) / na
	if len(cond) != rows*cd {
		return nil, fmt.Errorf("conditional_input: need %d rows of %d values (one per amortization row), got %d values", rows, cd, len(cond))
	}
	joined := make([]float64, 0, rows*(cd+na))
	for r := range rows {
		joined = append(joined, cond[r*cd:(r+1)*cd]...)
		joined = append(joined, amort[r*na:(r+1)*na]...)
	}
	return joined, nil
}
