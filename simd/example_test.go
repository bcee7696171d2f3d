package simd_test

import (
	"fmt"

	"github.com/gojammy/gojammy/simd"
)

// A linear layer y = x·Wᵀ + b on a batch of rows, as flowcore's ad.Linear computes it: W is
// stored out×in (torch.nn.Linear), so op(B) = Wᵀ, and beta = 1 adds to the bias already in y.
func ExampleDgemm() {
	const batch, in, out = 2, 3, 2
	x := []float64{1, 2, 3, 4, 5, 6}        // batch×in
	w := []float64{1, 0, -1, 0.5, 0.5, 0.5} // out×in
	b := []float64{10, 20}
	y := make([]float64, batch*out)
	for i := 0; i < batch; i++ {
		copy(y[i*out:], b)
	}
	simd.Dgemm(false, true, batch, out, in, 1, x, in, w, in, 1, y, out)
	fmt.Println(y)
	// Output: [8 23 8 27.5]
}
