"""The documentation: every Python example in docs/ runs, every public Python symbol has a
docstring and the generated reference shows it, the site builds with warnings as errors, and
the examples of the gallery run and draw their pictures."""

import inspect
import os
import pathlib
import re
import subprocess
import sys

import pytest

import gojammy

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
NOT_RUN = "<!-- not run:"


def python_blocks(page, language="python"):
    """The ```python (or other language) blocks of a Markdown page that are examples: (line,
    code), without those marked with a "<!-- not run: reason -->" line right above them."""
    lines = page.read_text().splitlines()
    blocks = []
    for i, line in enumerate(lines):
        if line.strip() == "```" + language:
            end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
            if not (i > 0 and lines[i - 1].startswith(NOT_RUN)):
                blocks.append((i + 1, "\n".join(lines[i + 1 : end])))
    return blocks


PAGES = sorted(p for p in DOCS.rglob("*.md") if python_blocks(p))


def test_the_docs_have_examples():
    names = {p.relative_to(DOCS).as_posix() for p in PAGES}
    assert {"index.md", "guide/plots.md", "guide/manifolds.md", "statistics.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_docs_examples_run(page, tmp_path, monkeypatch):
    """The examples of a page run one after the other in one namespace, as a reader would paste
    them, in a scratch directory."""
    pytest.importorskip("matplotlib").use("Agg")
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__docs__"}
    for line, code in python_blocks(page):
        try:
            exec(compile(code, f"{page.relative_to(ROOT)}:{line}", "exec"), namespace)
        except Exception as e:  # noqa: BLE001 - report the page and line of the failing example
            raise AssertionError(f"{page.relative_to(ROOT)}, example at line {line}: {type(e).__name__}: {e}") from e
    import matplotlib.pyplot as plt

    plt.close("all")


def public_symbols():
    """(qualified name, object) of every public symbol of the package: gojammy's exports with
    their public methods and properties, and the public functions of its modules."""
    import gojammy.dask
    import gojammy.grid_functions
    import gojammy.plotting

    out = []
    for name in gojammy.__all__:
        if name == "__version__":
            continue
        obj = getattr(gojammy, name)
        out.append((f"gojammy.{name}", obj))
        if inspect.isclass(obj):
            for member, value in vars(obj).items():
                if not member.startswith("_"):
                    out.append((f"gojammy.{name}.{member}", getattr(obj, member)))
    for module in (gojammy.plotting, gojammy.grid_functions, gojammy.dask):
        for name in getattr(module, "__all__", [n for n in vars(module) if not n.startswith("_")]):
            obj = getattr(module, name)
            if callable(obj) and getattr(obj, "__module__", "").startswith("gojammy"):
                out.append((f"{module.__name__}.{name}", obj))
    return out


def test_every_public_symbol_has_a_docstring():
    missing = [name for name, obj in public_symbols() if not (inspect.getdoc(obj) or "").strip()]
    assert not missing, f"public symbols without a docstring: {missing}"


def test_the_reference_lists_every_export():
    reference = (DOCS / "reference" / "python.md").read_text()
    directives = set(re.findall(r"^::: (\S+)", reference, re.M))
    for name in gojammy.__all__:
        if name != "__version__":
            assert f"gojammy.{name}" in directives, f"docs/reference/python.md has no ::: gojammy.{name}"
    assert {"gojammy.plotting", "gojammy.grid_functions", "gojammy.dask", "gojammy.torch"} <= directives


def test_the_site_builds_and_shows_every_symbol(tmp_path):
    """mkdocs build --strict (warnings are errors), then every public symbol's anchor in the
    generated Python reference."""
    pytest.importorskip("mkdocstrings")
    plt = pytest.importorskip("matplotlib.pyplot")
    site, pictures = tmp_path / "site", tmp_path / "pictures"
    pictures.mkdir()
    plt.imsave(pictures / "s2_posterior_sky.png", [[0.0, 1.0], [1.0, 0.0]])  # one picture of the gallery
    env = dict(os.environ, GOJAMMY_GALLERY_DIR=str(pictures))
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=ROOT,
                       capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    gallery = (site / "gallery" / "index.html").read_text()
    assert (site / "gallery" / "s2_posterior_sky.png").exists() and 'src="s2_posterior_sky.png"' in gallery
    assert gallery.count("Not built yet") == 6
    html = (site / "reference" / "python" / "index.html").read_text()
    anchors = set(re.findall(r'id="(gojammy[\w.]*)"', html))
    # methods are shown on the class that defines them (gojammy.pdf), inherited ones on subclasses too;
    # the coverage and statistics methods of pdf are shown from the modules that define them
    moved = {
        f"gojammy.pdf.{method}": f"gojammy.{module}.{method}"
        for module, methods in (
            ("_coverage", ("approximate_coverage", "coverage_and_or_pdf_scan")),
            ("_stats", ("entropy", "entropy_iterative", "entropy_grad", "expectation", "moments", "marginal_moments",
                        "calc_kl_diff_and_entropic_quantities", "fit_variational")),
        )
        for method in methods
    }
    absent = []
    for name, _ in public_symbols():
        shown = moved.get(name, name)
        if shown not in anchors and shown.replace("gojammy._coverage.", "").replace("gojammy._stats.", "") not in html:
            absent.append(name)
    assert not absent, f"not in the generated reference: {absent}"
    c_ref = (site / "reference" / "c" / "index.html").read_text()
    header = (ROOT / "include" / "gojammy.h").read_text()
    declared = re.findall(r"^(?:int|typedef struct|enum|typedef int \(\*)\s*(gj_\w+)", header, re.M)
    assert len(declared) > 45
    for name in declared:
        assert f'id="{name}"' in c_ref, f"{name} has no entry in the C reference"


def run_example(args, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, *map(str, args)], cwd=tmp_path, capture_output=True, text=True, timeout=900, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def check_pictures(tmp_path, names):
    pytest.importorskip("matplotlib")
    for name in names:
        path = tmp_path / name
        assert path.exists() and path.stat().st_size > 10000, f"{name} was not drawn"


def test_quickstart_example_draws_its_pictures(tmp_path):
    run_example([ROOT / "examples" / "quickstart.py", "--events", "2000", "--epochs", "1", "--out", tmp_path / "quickstart.png"], tmp_path)
    check_pictures(tmp_path, ["quickstart.png", "quickstart_training.png", "quickstart_sky.png"])


def test_s2_posterior_example(tmp_path):
    out = run_example([ROOT / "examples" / "s2_posterior.py", "--events", "3000", "--epochs", "3", "--coverage-events", "30",
                       "--out-dir", tmp_path], tmp_path)
    assert "true directions inside their 90 % region" in out
    check_pictures(tmp_path, ["s2_posterior_sky.png", "s2_posterior_coverage.png", "s2_posterior_training.png"])


def test_cpp_deployment_example(tmp_path):
    program = ROOT / "build" / "density_grid"
    if not program.exists():
        pytest.skip("build/density_grid is not built (make c-examples)")
    out = run_example([ROOT / "examples" / "cpp_deployment.py", "--program", program, "--events", "2000", "--epochs", "2",
                       "--grid", "60", "--out-dir", tmp_path], tmp_path)
    assert "C++ and Python log-densities" in out  # the example fails on a difference above 1e-12
    check_pictures(tmp_path, ["cpp_deployment.png"])


def test_the_c_programs_of_the_docs_compile_and_run(tmp_path):
    """Every complete C program in docs/ (a ```c block with a main function; the others are
    fragments of one) builds against include/gojammy.h and the library of `make lib`, and runs."""
    lib = ROOT / "build" / "libgojammy.so"
    if not lib.exists():
        pytest.skip("build/libgojammy.so is not built (make lib)")
    programs = [(page, line, code) for page in sorted(DOCS.rglob("*.md"))
                for line, code in python_blocks(page, "c") if "int main(" in code]
    assert programs, "docs/ has no complete C program"
    for k, (page, line, code) in enumerate(programs):
        source, exe = tmp_path / f"doc{k}.c", tmp_path / f"doc{k}"
        source.write_text(code)
        r = subprocess.run(["cc", "-std=c11", "-Wall", "-Werror", "-I", str(ROOT / "include"), str(source), "-o", str(exe),
                            "-L", str(lib.parent), "-lgojammy", f"-Wl,-rpath,{lib.parent}"], capture_output=True, text=True)
        assert r.returncode == 0, f"{page.relative_to(DOCS)}:{line}: {r.stderr}"
        r = subprocess.run([str(exe)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"{page.relative_to(DOCS)}:{line}: exit {r.returncode}: {r.stdout}{r.stderr}"

