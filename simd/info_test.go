package simd

import (
	"strings"
	"testing"
)

func TestInfo(t *testing.T) {
	info := Info()
	if info.Level != Implementation() || info.Kernels["gemm"] == "" {
		t.Fatalf("Info() = %+v, Implementation() = %q", info, Implementation())
	}
	if info.Requested == "generic" && (info.Level != "generic" || info.Kernels["gemm"] != "generic" || gemmUse != &gemmGeneric) {
		t.Errorf("%s=generic but Info() = %+v", EnvVar, info)
	}
	if levelKernels(gemmLevel).gemm != gemmUse || gemmLevel > active.level {
		t.Errorf("gemm runs %s at level %v, chosen level %v", gemmUse.name, gemmLevel, active.level)
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
	t.Logf("%+v level %d", info, X86Level())
}

func TestChooseLevel(t *testing.T) {
	all := func(level) bool { return true }
	none := func(l level) bool { return l == levelGeneric }
	best := levelGeneric
	for l := levelGeneric; l < numLevels; l++ {
		if compiled(l) {
			best = l
		}
	}
	for _, tc := range []struct {
		req       string
		supported func(level) bool
		want      level
		note      string
	}{
		{"", all, best, ""},
		{"generic", all, levelGeneric, ""},
		{"GENERIC", all, levelGeneric, ""},
		{"sse9", all, best, "not one of"},
		{"avx2", none, levelGeneric, "avx2"},
		{"avx512", none, levelGeneric, "avx512"},
	} {
		s := chooseLevel(tc.req, tc.supported)
		if s.level != tc.want || (tc.note == "") != (s.note == "") || !strings.Contains(s.note, tc.note) {
			t.Errorf("chooseLevel(%q) = %+v, want level %v and a note containing %q", tc.req, s, tc.want, tc.note)
		}
	}
}
