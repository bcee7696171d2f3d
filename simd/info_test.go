package simd

import "testing"

func TestInfo(t *testing.T) {
	if Implementation() != "generic" {
		t.Fatalf("Implementation() = %q, want generic until assembly kernels exist", Implementation())
	}
	all := map[string]bool{}
	for _, f := range AllFeatures() {
		all[f] = true
	}
	for _, f := range Features() {
		if !all[f] {
			t.Errorf("feature %q reported but not in AllFeatures", f)
		}
	}
	if l := X86Level(); l < 0 || l > 4 {
		t.Errorf("X86Level() = %d", l)
	}
	t.Logf("cpu %q features %v level %d", CPUName(), Features(), X86Level())
}
