package flowcore

// LogDensityAmortized is LogDensity for an amortize-everything PDF: amort holds n rows of
// NumAmortizationParams amortization parameters (every layer parameter and MLP weight of the
// event), jammy_flows' amortization_parameters. For any other PDF amort must be nil.
func (p *PDF) LogDensityAmortized(x []float64, n int, cond, amort []float64, c Coords) (Density, error) {
	d, _, err := p.evaluate(x, n, cond, false, amort, c, false, nil, nil)
	return d, err
}

// LogDensityGradAmortized is LogDensityGrad with amortization parameters; the gradient with
// respect to them is Gradients.Amortization.
func (p *PDF) LogDensityGradAmortized(x []float64, n int, cond, amort []float64, c Coords) (Density, Gradients, error) {
	return p.evaluate(x, n, cond, false, amort, c, true, nil, nil)
}

// SampleAmortized is Sample for an amortize-everything PDF: one event per row of amort (n rows;
// cond, if the PDF is conditional, has n rows too).
func (p *PDF) SampleAmortized(n int, cond, amort []float64, seed uint64, c Coords) (Samples, error) {
	s, _, err := p.sample(n, cond, false, amort, drawNormals(seed), c, nil, nil)
	return s, err
}

// SampleVJPAmortized is SampleVJP with amortization parameters; the gradient with respect to
// them is SampleGradients.Amortization (n x NumAmortizationParams).
func (p *PDF) SampleVJPAmortized(n int, cond, amort []float64, seed uint64, c Coords, seeds SampleSeeds) (Samples, SampleGradients, error) {
	return p.sample(n, cond, false, amort, drawNormals(seed), c, &seeds, nil)
}
