//go:build unix

package flowcore_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
)

// SaveFile: a new file gets 0666 minus the umask (not a forced 0600), a replaced file keeps its
// mode, a symbolic link is followed (the link stays, its target gets the model), a dangling link
// and a directory are refused, and no temporary file is left behind.
func TestSaveFileModesAndLinks(t *testing.T) {
	p, raw := smallModelFile(t)
	dir := t.TempDir()
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)

	fresh := filepath.Join(dir, "fresh.safetensors")
	if err := flowcore.SaveFile(fresh, p); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, fresh); got != 0o640 {
		t.Errorf("new file: mode %o, want 0640 (0666 minus umask 027)", got)
	}
	if err := os.Chmod(fresh, 0o604); err != nil {
		t.Fatal(err)
	}
	if err := flowcore.SaveFile(fresh, p); err != nil || mode(t, fresh) != 0o604 {
		t.Errorf("replaced file: %v, mode %o, want 0604 kept", err, mode(t, fresh))
	}

	target := filepath.Join(dir, "sub", "target.safetensors")
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.safetensors")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := flowcore.SaveFile(link, p); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symbolic link was replaced: %v", err)
	}
	if got, _ := os.ReadFile(target); string(got) != string(raw) {
		t.Error("the link's target does not hold the model")
	}
	dangling := filepath.Join(dir, "dangling.safetensors")
	if err := os.Symlink(filepath.Join(dir, "missing", "x"), dangling); err != nil {
		t.Fatal(err)
	}
	if err := flowcore.SaveFile(dangling, p); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("dangling link: %v", err)
	}
	if err := flowcore.SaveFile(dir, p); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
	for _, d := range []string{dir, filepath.Dir(target)} {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".gojammy-") {
				t.Errorf("temporary file %s left behind", e.Name())
			}
		}
	}
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}
