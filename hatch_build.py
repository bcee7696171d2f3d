"""Hatchling build hook: compiles the Go engine into python/gojammy/libgojammy.so.

It runs for every wheel build, editable ones included (``pip install .`` and ``pip install -e .``),
with ``go build -buildmode=c-shared ./capi``; it needs Go (>= the version in go.mod) and a C
compiler for cgo. Set GO to use another go binary. The wheel is tagged for this platform but not
for a Python version (the library is loaded with ctypes, so any Python 3 works with it). On Linux
the platform tag is the PEP 600 manylinux tag of the newest glibc symbol version the library
needs (the library links nothing but libc), e.g. manylinux_2_34_x86_64.
"""

import os
import platform
import re
import shutil
import subprocess
import sysconfig
import tempfile

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LIBRARY = "libgojammy.so"


def _platform_tag(library):
    """The wheel platform tag for the built library: manylinux_2_<minor>_<arch> on Linux (the
    newest GLIBC_2.<minor> symbol version it references), else this machine's tag."""
    if platform.system() == "Linux":
        with open(library, "rb") as f:
            minors = [int(m) for m in re.findall(rb"GLIBC_2\.(\d+)", f.read())]
        if minors:
            return f"manylinux_2_{max(minors)}_{platform.machine()}"
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
        build_data["tag"] = f"py3-none-{_platform_tag(target)}"
        if version != "editable":
            build_data["force_include"][target] = f"gojammy/{LIBRARY}"
