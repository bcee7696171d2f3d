package flowcore

import (
	"bufio"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestPackageTiers keeps docs/architecture.md true: every Go package of the module is listed in
// its table with a tier, and a package imports only packages of lower tiers (no import runs back
// up, so there can be no cycle either).
func TestPackageTiers(t *testing.T) {
	const module = "github.com/gojammy/gojammy/"
	tiers := readTiers(t, filepath.Join("..", "docs", "architecture.md"))
	imports := moduleImports(t, "..", module)
	for pkg, deps := range imports {
		tier, ok := tiers[pkg]
		if !ok {
			t.Errorf("package %s is not in the table of docs/architecture.md", pkg)
			continue
		}
		for _, dep := range deps {
			if dt, ok := tiers[dep]; ok && dt >= tier {
				t.Errorf("%s (tier %d) imports %s (tier %d): imports must run to lower tiers", pkg, tier, dep, dt)
			}
		}
	}
	for pkg := range tiers {
		if _, ok := imports[pkg]; !ok {
			t.Errorf("docs/architecture.md lists %s, which is not a package of the module", pkg)
		}
	}
}

// readTiers parses the rows "| tier | `package` | job |" of the architecture page.
func readTiers(t *testing.T, path string) map[string]int {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile("^\\| *([0-9]+) *\\| *`([^`]+)` *\\|")
	tiers := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := row.FindStringSubmatch(sc.Text()); m != nil {
			tiers[m[2]], _ = strconv.Atoi(m[1])
		}
	}
	if len(tiers) == 0 {
		t.Fatalf("%s: no package table found", path)
	}
	return tiers
}

// moduleImports returns, for every package directory under root with non-test Go files (module
// paths relative to the module root), the module packages its non-test files import.
func moduleImports(t *testing.T, root, module string) map[string][]string {
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
			name == "testdata" || name == "python" || name == "examples" || name == "build") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(rel)
		file, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		deps := out[pkg]
		for _, imp := range file.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(p, module) {
				deps = append(deps, strings.TrimPrefix(p, module))
			}
		}
		out[pkg] = deps
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
