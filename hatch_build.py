"""Hatchling build hook: compiles the Go engine into python/gojammy/libgojammy.so.

It runs for every wheel build, editable ones included (``pip install .`` and ``pip install -e .``),
with ``go build -buildmode=c-shared ./capi``; it needs Go (>= the version in go.mod) and a C
compiler for cgo. Set GO to use another go binary. The wheel is tagged for this platform but not
for a Python version (the library is loaded with ctypes, so any Python 3 works with it).
"""

import os
import shutil
import subprocess
import sysconfig
import tempfile

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LIBRARY = "libgojammy.so"


def _platform_tag():
    """The wheel platform tag of this machine, e.g. linux_x86_64."""
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


class GoLibraryHook(BuildHookInterface):
    """Builds libgojammy.so into the package directory and marks the wheel platform-specific."""

    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        go = os.environ.get("GO") or shutil.which("go")
        if not go:
            raise RuntimeError(
                "gojammy: building the package needs the Go toolchain (https://go.dev/dl/) on PATH "
                "(or GO=/path/to/go), and a C compiler for cgo"
            )
        target = os.path.join(self.root, "python", "gojammy", LIBRARY)
        env = dict(os.environ, CGO_ENABLED="1")
        with tempfile.TemporaryDirectory() as tmp:
            # c-shared also writes a cgo header next to the library: build aside, keep only the .so.
            out = os.path.join(tmp, LIBRARY)
            cmd = [go, "build", "-trimpath", "-buildmode=c-shared", "-o", out, "./capi"]
            self.app.display_info("gojammy: " + " ".join(cmd))
            try:
                subprocess.run(cmd, cwd=self.root, env=env, check=True)
            except subprocess.CalledProcessError as e:
                raise RuntimeError(f"gojammy: '{' '.join(cmd)}' failed with exit status {e.returncode}") from None
            shutil.copyfile(out, target + ".tmp")
            os.replace(target + ".tmp", target)
        build_data["pure_python"] = False
        build_data["tag"] = f"py3-none-{_platform_tag()}"
        if version != "editable":
            build_data["force_include"][target] = f"gojammy/{LIBRARY}"
