package healpix

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// fixture is testdata/healpy_nested.json, written by testdata/make_fixture.py with healpy.
type fixture struct {
	Maps []struct {
		Nside      int
		PixelArea  float64 `json:"pixel_area"`
		Pix        []int64
		Theta, Phi []float64
		PointTheta []float64   `json:"point_theta"`
		PointPhi   []float64   `json:"point_phi"`
		PointPix   []int64     `json:"point_pix"`
		CornerPix  []int64     `json:"corner_pix"`
		CornerVec  [][]float64 `json:"corner_vec"`
	}
}

func readFixture(t *testing.T) fixture {
	b, err := os.ReadFile("testdata/healpy_nested.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestAgainstHealpy compares pixel centres, areas, point -> pixel and corners with healpy's
// NESTED scheme for nside 1 to 8192.
func TestAgainstHealpy(t *testing.T) {
	var maxCentre, maxCorner, maxArea float64
	for _, m := range readFixture(t).Maps {
		order, err := Order(m.Nside)
		if err != nil {
			t.Fatal(err)
		}
		maxArea = math.Max(maxArea, math.Abs(PixelArea(order)-m.PixelArea)/m.PixelArea)
		for i, p := range m.Pix {
			th, ph := Centre(order, p)
			d := angle(Vector(th, ph), Vector(m.Theta[i], m.Phi[i]))
			maxCentre = math.Max(maxCentre, d)
			if d > 1e-12 || math.Abs(th-m.Theta[i]) > 1e-12 {
				t.Errorf("nside %d pixel %d: centre (%.15g, %.15g), healpy (%.15g, %.15g)", m.Nside, p, th, ph, m.Theta[i], m.Phi[i])
			}
			if q := Pixel(order, th, ph); q != p {
				t.Errorf("nside %d: the centre of pixel %d falls in pixel %d", m.Nside, p, q)
			}
		}
		for i, th := range m.PointTheta {
			if q := Pixel(order, th, m.PointPhi[i]); q != m.PointPix[i] {
				t.Errorf("nside %d: point (%.17g, %.17g) in pixel %d, healpy %d", m.Nside, th, m.PointPhi[i], q, m.PointPix[i])
			}
		}
		for i, p := range m.CornerPix {
			th, ph := Corners(order, p)
			for c := 0; c < 4; c++ {
				want := [3]float64{m.CornerVec[i][3*c], m.CornerVec[i][3*c+1], m.CornerVec[i][3*c+2]}
				d := angle(Vector(th[c], ph[c]), want)
				maxCorner = math.Max(maxCorner, d)
				if d > 1e-12 {
					t.Errorf("nside %d pixel %d corner %d: %v, healpy %v", m.Nside, p, c, Vector(th[c], ph[c]), want)
				}
			}
		}
	}
	t.Logf("largest deviation from healpy: centres %.2g rad, corners %.2g rad, relative area %.2g", maxCentre, maxCorner, maxArea)
}

// angle is the angle between two unit vectors (accurate for small angles).
func angle(a, b [3]float64) float64 {
	c := [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
	return math.Atan2(math.Sqrt(c[0]*c[0]+c[1]*c[1]+c[2]*c[2]), a[0]*b[0]+a[1]*b[1]+a[2]*b[2])
}

// TestRoundTrip checks pixel -> centre -> pixel for every pixel of small maps and for the
// children numbering 4p..4p+3 of the NESTED scheme.
func TestRoundTrip(t *testing.T) {
	for order := 0; order <= 5; order++ {
		var area float64
		for p := int64(0); p < NPix(order); p++ {
			th, ph := Centre(order, p)
			if q := Pixel(order, th, ph); q != p {
				t.Fatalf("order %d: centre of %d falls in %d", order, p, q)
			}
			if q := Pixel(order+1, th, ph) / 4; q != p {
				t.Fatalf("order %d: centre of %d falls in a child of %d", order, p, q)
			}
			area += PixelArea(order)
		}
		if math.Abs(area-4*math.Pi) > 1e-11 {
			t.Errorf("order %d: areas sum to %.15g", order, area)
		}
	}
	if _, err := Order(3); err == nil {
		t.Error("Order(3) accepted a non-power of two")
	}
}

// TestAdaptive refines a narrow density around one direction: the mesh covers the sphere, the
// cells are finest where the density is high, and the mass in the mesh matches the density's
// normalization.
func TestAdaptive(t *testing.T) {
	const kappa = 500.0
	mu := Vector(1.0, 2.0)
	logNorm := math.Log(kappa / (2 * math.Pi * -math.Expm1(-2*kappa)))
	calls := 0
	// guide points, as samples would be: the centres of the order-8 pixels within 5σ of the mode
	var gt, gp []float64
	for p := int64(0); p < NPix(8); p++ {
		th, ph := Centre(8, p)
		if v := Vector(th, ph); kappa*(1-(v[0]*mu[0]+v[1]*mu[1]+v[2]*mu[2])) < 12.5 {
			gt, gp = append(gt, th), append(gp, ph)
		}
	}
	m, logp, err := Adaptive(DefaultAdaptiveOptions(), gt, gp, func(theta, phi, out []float64) error {
		calls++
		for i := range theta {
			v := Vector(theta[i], phi[i])
			out[i] = logNorm + kappa*(v[0]*mu[0]+v[1]*mu[1]+v[2]*mu[2]-1)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var area, mass float64
	for i, lp := range logp {
		area += m.Area(i)
		mass += math.Exp(lp) * m.Area(i)
	}
	if math.Abs(area-4*math.Pi) > 1e-9 {
		t.Errorf("mesh area %.12g", area)
	}
	if math.Abs(mass-1) > 1e-3 {
		t.Errorf("mass on the mesh %.6g, want 1", mass)
	}
	finest := m.Order[0]
	for i := range m.Order {
		finest = max(finest, m.Order[i])
	}
	if p := Pixel(int(finest), 1.0, 2.0); !contains(m, int(finest), p) {
		t.Errorf("the cell at the mode is not of the finest order %d", finest)
	}
	t.Logf("%d cells, finest order %d, %d evaluation rounds, mass %.6f", m.Len(), finest, calls, mass)
}

func contains(m Mesh, order int, p int64) bool {
	for i := range m.Pix {
		if int(m.Order[i]) == order && m.Pix[i] == p {
			return true
		}
	}
	return false
}

// BenchmarkCentres converts a batch of pixels of an nside-1024 map to centres.
func BenchmarkCentres(b *testing.B) {
	const order = 10
	pix := make([]int64, 4096)
	for i := range pix {
		pix[i] = int64(i) * 3079
	}
	th, ph := make([]float64, len(pix)), make([]float64, len(pix))
	for b.Loop() {
		Centres(order, pix, th, ph)
	}
}
