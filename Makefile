# gojammy: build and test entry points. The README's two set-up commands are
#   make quickstart   build, install into a local virtual environment, run examples/quickstart.py
#   make test         all tests: go test ./... (best kernels, -tags noasm, GOJAMMY_SIMD=generic), the C/C++ examples, pytest,
#                     the PyTorch bridge with Debian's python3-torch, fuzz-short, test-race, test-sanitize, docs
# Needs Go, a C/C++ compiler and Python 3; nothing else is installed system-wide.

GO      ?= go
PYTHON  ?= python3
BUILD   := build
LIB     := $(BUILD)/libgojammy.so
VENV    := .venv

export CGO_ENABLED := 1

CFLAGS     ?= -O2 -g
CXXFLAGS   ?= -O2 -g
C_STRICT   := -std=c11 -Wall -Wextra -Werror -pedantic
CXX_STRICT := -std=c++17 -Wall -Wextra -Werror -pedantic
# Example programs live next to the library and find it through their rpath.
GJ_LDFLAGS := -L$(BUILD) -lgojammy -Wl,-rpath,'$$ORIGIN'

C_PROGRAMS := $(BUILD)/make_model $(BUILD)/eval_model_c $(BUILD)/check_errors $(BUILD)/check_threads $(BUILD)/check_amortized $(BUILD)/check_fork $(BUILD)/check_limits \
	$(BUILD)/check_stats
CXX_PROGRAMS := $(BUILD)/eval_model_cpp $(BUILD)/density_grid

# Models evaluated by the C and C++ examples in test-c: two written by make_model here (an
# unconditional one and a conditional autoregressive one); other test suites (e.g. pytest) may
# add model files saved from Python: make test-c C_TEST_MODELS_EXTRA="path/a path/b".
C_TEST_MODELS := $(BUILD)/model_e2.safetensors $(BUILD)/model_cond_e1e2.safetensors
C_TEST_MODELS_EXTRA ?=

.PHONY: fuzz fuzz-short test-race test-sanitize examples docs
.PHONY: all lib c-examples check-header test-c install test-install test-go test-simd check-generate test-python test-torch test-wheel test-root test-root-if-installed test quickstart venv clean help

all: lib

help:
	@echo "make lib          build $(LIB) (go build -buildmode=c-shared ./capi)"
	@echo "make c-examples   build the C and C++ examples against include/gojammy.h"
	@echo "make test-c       check the header and run the C and C++ examples and checks"
	@echo "make install      install library, headers, pkg-config and CMake files (PREFIX=/usr/local)"
	@echo "make test-install install into build/prefix, build and run examples/install with CMake and pkg-config"
	@echo "make test-root    the ROOT macros (examples/root) in real ROOT from PyPI (installs .venv-root)"
	@echo "make test-wheel   python -m build (sdist, then the wheel from it); install the wheel without Go; smoke test"
	@echo "make test-simd    the Go tests again with -tags noasm and GOJAMMY_SIMD=generic (simd also purego)"
	@echo "make check-generate  regenerate simd's assembly with avo and fail on any difference"
	@echo "make test-torch   the PyTorch bridge's tests with Debian's python3-torch (skipped without it)"
	@echo "make test         go test ./..., test-simd, test-c, pytest, test-torch, fuzz-short, test-race, test-sanitize, docs"
	@echo "make fuzz         every fuzz target for FUZZTIME (10m) each; fuzz-short: 20 s each"
	@echo "make test-race    go test -race -short ./..."
	@echo "make test-sanitize the C/C++ checks under ASan+UBSan against a go build -asan library"
	@echo "make quickstart   install into $(VENV) and run examples/quickstart.py"
	@echo "make examples     the quickstart, examples/s2_posterior.py and examples/cpp_deployment.py: pictures into $(BUILD)/"
	@echo "make docs         the documentation site (MkDocs, warnings as errors) into $(BUILD)/site"

# ---- C library ------------------------------------------------------------------------------

GO_SOURCES := $(shell find capi flowcore simd -name '*.go' -not -name '*_test.go' -o -name '*.[chs]') \
	include/gojammy.h go.mod go.sum

lib: $(LIB)

$(LIB): $(GO_SOURCES)
	@mkdir -p $(BUILD)
	$(GO) build -buildmode=c-shared -o $(LIB) ./capi

# ---- C and C++ examples ---------------------------------------------------------------------

c-examples: $(C_PROGRAMS) $(CXX_PROGRAMS)

$(BUILD)/make_model: examples/c/make_model.c include/gojammy.h $(LIB)
	$(CC) $(CFLAGS) $(C_STRICT) -Iinclude $< -o $@ $(GJ_LDFLAGS) -lm

$(BUILD)/eval_model_c: examples/c/eval_model.c include/gojammy.h $(LIB)
	$(CC) $(CFLAGS) $(C_STRICT) -Iinclude $< -o $@ $(GJ_LDFLAGS) -lm

$(BUILD)/check_errors: examples/c/check_errors.c examples/c/expect.h include/gojammy.h $(LIB)
	$(CC) $(CFLAGS) $(C_STRICT) -D_POSIX_C_SOURCE=200809L -Iinclude $< -o $@ $(GJ_LDFLAGS) -lm -pthread

$(BUILD)/check_amortized: examples/c/check_amortized.c examples/c/expect.h include/gojammy.h $(LIB)
	$(CC) $(CFLAGS) $(C_STRICT) -Iinclude $< -o $@ $(GJ_LDFLAGS) -lm

$(BUILD)/check_stats: examples/c/check_stats.c examples/c/expect.h include/gojammy.h $(LIB)
	$(CC) $(CFLAGS) $(C_STRICT) -D_DEFAULT_SOURCE -Iinclude $< -o $@ $(GJ_LDFLAGS) -lm

$(BUILD)/check_fork: examples/c/check_fork.c examples/c/expect.h include/gojammy.h $(LIB)
	$(CC) $(CFLAGS) $(C_STRICT) -D_DEFAULT_SOURCE -Iinclude $< -o $@ $(GJ_LDFLAGS)

$(BUILD)/check_limits: examples/c/check_limits.c examples/c/expect.h include/gojammy.h $(LIB)
	$(CC) $(CFLAGS) $(C_STRICT) -Iinclude $< -o $@ $(GJ_LDFLAGS) -lm

$(BUILD)/check_threads: examples/c/check_threads.c include/gojammy.h $(LIB)
	$(CC) $(CFLAGS) $(C_STRICT) -D_POSIX_C_SOURCE=200809L -Iinclude $< -o $@ $(GJ_LDFLAGS) -pthread

$(BUILD)/eval_model_cpp: examples/cpp/eval_model.cpp include/gojammy.hpp include/gojammy.h $(LIB)
	$(CXX) $(CXXFLAGS) $(CXX_STRICT) -Iinclude $< -o $@ $(GJ_LDFLAGS)

$(BUILD)/density_grid: examples/cpp/density_grid.cpp include/gojammy.hpp include/gojammy.h $(LIB)
	$(CXX) $(CXXFLAGS) $(CXX_STRICT) -Iinclude $< -o $@ $(GJ_LDFLAGS)

# The header compiles on its own as C99 and C++ without warnings (with its initializer macros),
# and declares exactly the gj_ functions the library exports (the library build itself checks
# every prototype's types).
check-header: lib
	@printf '#include "gojammy.h"\nint gj_header_check(void);\nint gj_header_check(void) {\n  gj_coords c = GJ_COORDS_INIT(GJ_COORDS_SAVED);\n  gj_create_options o = GJ_CREATE_OPTIONS_INIT("e2", "gg");\n  gj_fit_options f = GJ_FIT_OPTIONS_INIT;\n  gj_scan_options s = GJ_SCAN_OPTIONS_INIT;\n  return (int)(c.struct_size + o.struct_size + f.struct_size + s.struct_size) + GJ_VERSION_MAJOR + GJ_VERSION_MINOR + GJ_VERSION_PATCH;\n}\n' > $(BUILD)/header_only.c
	$(CC) -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude -c $(BUILD)/header_only.c -o $(BUILD)/header_only_c.o
	$(CXX) -x c++ $(CXX_STRICT) -Iinclude -c $(BUILD)/header_only.c -o $(BUILD)/header_only_cpp.o
	@grep -o '^int gj_[a-z0-9_]*' include/gojammy.h | sed 's/^int //' | sort > $(BUILD)/symbols_header.txt
	@nm -D --defined-only $(LIB) | awk '$$3 ~ /^gj_/ {print $$3}' | sort > $(BUILD)/symbols_library.txt
	@diff -u $(BUILD)/symbols_header.txt $(BUILD)/symbols_library.txt || \
		{ echo "include/gojammy.h and $(LIB) disagree on the gj_ functions (- header, + library)"; exit 1; }
	@echo "check-header: $$(wc -l < $(BUILD)/symbols_header.txt) functions, header clean as C99 and C++17"

$(BUILD)/model_e2.safetensors: $(BUILD)/make_model
	$(BUILD)/make_model $@ e2 gggg

$(BUILD)/model_cond_e1e2.safetensors: $(BUILD)/make_model
	$(BUILD)/make_model $@ e1+e2 gg+gg 2

test-c: check-header c-examples $(C_TEST_MODELS)
	@for m in $(C_TEST_MODELS) $(C_TEST_MODELS_EXTRA); do \
		$(BUILD)/eval_model_c $$m && $(BUILD)/eval_model_cpp $$m || exit 1; \
	done
	$(BUILD)/check_errors $(BUILD)
	GOJAMMY_TEST_PANIC=gj_pdf_sample $(BUILD)/check_errors $(BUILD)
	$(BUILD)/check_amortized
	$(BUILD)/check_stats
	$(BUILD)/check_threads
	$(BUILD)/check_fork
	$(BUILD)/check_limits $(BUILD)

# ---- Installation ----------------------------------------------------------------------------
# make install PREFIX=... (DESTDIR for staging) installs the library with its soname
# libgojammy.so.<ABI> (the ABI version of gojammy.h) as libgojammy.so.<version>, the headers
# gojammy.h and gojammy.hpp, a pkg-config file and a CMake package (gojammy::gojammy).

PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
header_number = $(shell awk '/^\#define $(1) /{print $$3}' include/gojammy.h)
ABI        := $(call header_number,GJ_ABI_VERSION)
MAJOR      := $(call header_number,GJ_VERSION_MAJOR)
VERSION    := $(MAJOR).$(call header_number,GJ_VERSION_MINOR).$(call header_number,GJ_VERSION_PATCH)
SONAME     := libgojammy.so.$(ABI)
INSTALL_LIB := $(BUILD)/install/$(SONAME)
SUBST = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
	-e 's|@VERSION@|$(VERSION)|g' -e 's|@MAJOR@|$(MAJOR)|g' -e 's|@ABI@|$(ABI)|g' -e 's|@SONAME@|$(SONAME)|g'

$(INSTALL_LIB): $(GO_SOURCES)
	@mkdir -p $(dir $@)
	$(GO) build -buildmode=c-shared -ldflags '-extldflags "-Wl,-soname,$(SONAME)"' -o $@ ./capi

install: $(INSTALL_LIB)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(LIBDIR)/cmake/gojammy $(DESTDIR)$(INCLUDEDIR)
	install -m 755 $(INSTALL_LIB) $(DESTDIR)$(LIBDIR)/libgojammy.so.$(VERSION)
	ln -sf libgojammy.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libgojammy.so
	install -m 644 include/gojammy.h include/gojammy.hpp $(DESTDIR)$(INCLUDEDIR)/
	$(SUBST) packaging/gojammy.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/gojammy.pc
	$(SUBST) packaging/gojammyConfig.cmake.in > $(DESTDIR)$(LIBDIR)/cmake/gojammy/gojammyConfig.cmake
	$(SUBST) packaging/gojammyConfigVersion.cmake.in > $(DESTDIR)$(LIBDIR)/cmake/gojammy/gojammyConfigVersion.cmake

# test-install: install into a scratch prefix, then build examples/install/app.cpp against it
# with CMake (find_package) and with pkg-config, and run both.
TEST_PREFIX := $(abspath $(BUILD))/prefix

test-install:
	rm -rf $(TEST_PREFIX) $(BUILD)/app-cmake
	$(MAKE) --no-print-directory install PREFIX=$(TEST_PREFIX)
	cmake -S examples/install -B $(BUILD)/app-cmake -DCMAKE_PREFIX_PATH=$(TEST_PREFIX) -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BUILD)/app-cmake >/dev/null
	$(BUILD)/app-cmake/app
	$(CXX) $(CXXFLAGS) $(CXX_STRICT) examples/install/app.cpp -o $(BUILD)/app-pkgconfig \
		$$(PKG_CONFIG_PATH=$(TEST_PREFIX)/lib/pkgconfig pkg-config --cflags --libs gojammy) \
		-Wl,-rpath,$(TEST_PREFIX)/lib -pthread
	$(BUILD)/app-pkgconfig
	@readelf -d $(BUILD)/app-pkgconfig | grep -q 'NEEDED.*\[$(SONAME)\]' || { echo "app-pkgconfig does not link $(SONAME)"; exit 1; }

# ---- ROOT ----------------------------------------------------------------------------------
# test-root: the macros of examples/root inside real ROOT (PyPI's ROOT 6.40 wheel for CPython
# 3.11, about 700 MB installed into .venv-root): sampling into a TTree, a log_pdf column with
# RDataFrame, a trained flow as a RooFit signal shape. `make test` runs it when .venv-root has
# ROOT; .ci/run runs it always.
ROOT_VENV := .venv-root

test-root: lib
	test -x $(ROOT_VENV)/bin/python || $(PYTHON) -m venv $(ROOT_VENV)
	$(ROOT_VENV)/bin/python -m pip install --quiet root numpy pytest
	PYTHONPATH=python GOJAMMY_LIBRARY=$(abspath $(LIB)) $(ROOT_VENV)/bin/python -m pytest -q python/tests/test_root.py

test-root-if-installed:
	@if test -x $(ROOT_VENV)/bin/python && $(ROOT_VENV)/bin/python -c 'import ROOT' 2>/dev/null; then \
		$(MAKE) --no-print-directory test-root; \
	else \
		echo "test-root: skipped: no ROOT in $(ROOT_VENV) (make test-root installs it)"; \
	fi

# ---- Wheel ---------------------------------------------------------------------------------
# test-wheel: `python -m build` makes the sdist and from it (so from source) the wheel, tagged
# manylinux_2_<glibc>_<arch> with the library inside; the wheel installs into a fresh virtual
# environment with no Go on PATH and passes a smoke test there.
WHEEL_DIR := $(BUILD)/wheel
WHEEL_PATH := /usr/bin:/bin

test-wheel: venv
	rm -rf $(WHEEL_DIR)
	$(VPY) -m pip install --quiet build
	$(VPY) -m build --outdir $(WHEEL_DIR) . >/dev/null
	$(PYTHON) -m venv $(WHEEL_DIR)/venv
	cd / && env -u GOJAMMY_LIBRARY PATH=$(WHEEL_PATH) $(abspath $(WHEEL_DIR))/venv/bin/python -m pip install --quiet $(abspath $(WHEEL_DIR))/gojammy-*-manylinux_*.whl
	cd / && env -u GOJAMMY_LIBRARY PATH=$(WHEEL_PATH) $(abspath $(WHEEL_DIR))/venv/bin/python -c \
		'import shutil, gojammy; assert shutil.which("go") is None; p = gojammy.pdf("e2+s2", "gg+f", seed=1); \
		s = p.sample(samplesize=100, seed=2); assert abs(p(s[0])[0] - s[2]).max() < 1e-9; \
		print("wheel:", gojammy.info()["library_path"], gojammy.__version__)'

# ---- Go ---------------------------------------------------------------------------------------

test-go:
	$(GO) vet ./...
	$(GO) test ./...

# Every simd implementation is tested in the default run (test-go, the best implementation);
# these runs repeat the whole Go suite without assembly (-tags noasm; purego for simd alone, the
# same build) and with the run-time override to the generic kernels.
test-simd:
	$(GO) vet -tags noasm ./...
	$(GO) test -tags noasm ./...
	$(GO) test -tags purego ./simd/...
	GOJAMMY_SIMD=generic $(GO) test ./...

# The committed assembly (simd/*_amd64.s and the Go declarations avo writes next to each) must
# be exactly what simd/_asm generates.
SIMD_GENERATED = $(foreach s,$(wildcard simd/*_amd64.s),$(s) $(s:.s=.go))

check-generate:
	$(GO) generate ./simd/
	git diff --exit-code -- $(SIMD_GENERATED)

# ---- Python (the Python package's targets; see python/, pyproject.toml, hatch_build.py) ------

VPY := $(VENV)/bin/python

# venv: a local virtual environment with gojammy installed in editable mode plus numpy and
# pytest from PyPI. The build hook (hatch_build.py) compiles libgojammy.so into python/gojammy/;
# it runs on every `make venv`, so the library always matches the Go sources (Go's build cache
# keeps that quick).
venv: $(VENV)/.created
	$(VPY) -m pip install --quiet --no-build-isolation -e '.[test]'

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet 'hatchling>=1.18' editables
	@touch $@

test-python: venv
	$(VPY) -m pytest -q python/tests

# quickstart: install (matplotlib is optional: without it there is no plot) and run the example.
quickstart: venv
	$(VPY) -m pip install --quiet matplotlib || echo "matplotlib could not be installed: the quickstart runs without its plot"
	@mkdir -p $(BUILD)
	$(VPY) examples/quickstart.py --out $(BUILD)/quickstart.png

# examples: the quickstart and the two further examples, each writing its pictures into build/
# (the documentation's gallery): a conditional direction posterior on S2 and a model trained in
# Python evaluated by a C++ program.
examples: quickstart $(BUILD)/density_grid
	$(VPY) examples/s2_posterior.py --out-dir $(BUILD)
	$(VPY) examples/cpp_deployment.py --program $(BUILD)/density_grid --out-dir $(BUILD)

# docs: the documentation site (mkdocs.yml; pages in docs/, the Python reference generated from
# the docstrings by mkdocstrings, the C reference from include/gojammy.h) into build/site, with
# warnings as errors. The gallery shows the pictures of `make examples` when they exist.
docs: venv
	$(VPY) -m pip install --quiet mkdocs mkdocstrings-python
	$(VPY) -m mkdocs build --strict --site-dir $(BUILD)/site
# ---- Hardening: fuzzing, race detector, sanitizers --------------------------------------------
# fuzz: every fuzz target for FUZZTIME each (10 minutes; corpora in testdata/fuzz of each package,
# new crashers land there and become regression tests). fuzz-short: the bounded CI run (20 s each).
FUZZTIME   ?= 10m
FUZZ_SHORT ?= 20s
FUZZ_TARGETS := ./flowcore/spec:FuzzDefinitions ./flowcore/spec:FuzzOptionsJSON ./flowcore:FuzzNew \
	./flowcore:FuzzModelFile ./flowcore:FuzzSignedModelFile ./capi:FuzzArgumentChecks

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "go test $${t%%:*} -run '^$$' -fuzz '^$${t##*:}$$' -fuzztime $(FUZZTIME)"; \
		$(GO) test $${t%%:*} -run '^$$' -fuzz "^$${t##*:}\$$" -fuzztime $(FUZZTIME) -timeout 0 || exit 1; \
	done

fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZ_SHORT)

# test-race: the whole module under the race detector; -short skips or shortens the long
# training tests.
test-race:
	$(GO) test -race -short -timeout 30m ./...

# test-sanitize: the C and C++ examples and checks built with AddressSanitizer and
# UndefinedBehaviorSanitizer against a library built with `go build -asan` (Go's and cgo's memory
# accesses instrumented too), run with leak detection on.
SAN_DIR   := $(BUILD)/sanitize
SANITIZE  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_LINK  := -L$(SAN_DIR) -lgojammy -Wl,-rpath,'$$ORIGIN' -lm -pthread
SAN_C     := check_errors check_amortized check_limits check_fork check_threads make_model eval_model

test-sanitize:
	@mkdir -p $(SAN_DIR)
	$(GO) build -asan -buildmode=c-shared -o $(SAN_DIR)/libgojammy.so ./capi
	@for p in $(SAN_C); do \
		$(CC) $(SANITIZE) $(C_STRICT) -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Iinclude examples/c/$$p.c -o $(SAN_DIR)/$$p $(SAN_LINK) || exit 1; \
	done
	$(CXX) $(SANITIZE) $(CXX_STRICT) -Iinclude examples/cpp/eval_model.cpp -o $(SAN_DIR)/eval_model_cpp $(SAN_LINK)
	cd $(SAN_DIR) && export UBSAN_OPTIONS=print_stacktrace=1 && \
		./make_model model.safetensors e2 gggg && ./make_model model_cond.safetensors e1+e2 gg+gg 2 && \
		./eval_model model.safetensors && ./eval_model_cpp model.safetensors && ./eval_model model_cond.safetensors && \
		./check_errors . && GOJAMMY_TEST_PANIC=gj_pdf_sample ./check_errors . && ./check_amortized && \
		./check_limits . && ./check_fork && ./check_threads

# ---- everything -------------------------------------------------------------------------------

# test-torch: the PyTorch bridge (gojammy.torch) with Debian's python3-torch, which is built for
# the system Python: a second virtual environment that sees the system packages, pytest from
# PyPI, gojammy from the source tree and the library of `make lib`. Without that torch the target
# says so and passes (.ci/run installs python3-torch).
TORCH_PYTHON ?= /usr/bin/python3
TORCH_VENV   := .venv-torch

test-torch: lib
	@if $(TORCH_PYTHON) -c 'import torch' 2>/dev/null; then \
		test -x $(TORCH_VENV)/bin/python || $(TORCH_PYTHON) -m venv --system-site-packages $(TORCH_VENV); \
		$(TORCH_VENV)/bin/python -m pip install --quiet pytest; \
		echo "PYTHONPATH=python $(TORCH_VENV)/bin/python -m pytest -q python/tests/test_torch.py"; \
		PYTHONPATH=python GOJAMMY_LIBRARY=$(abspath $(LIB)) $(TORCH_VENV)/bin/python -m pytest -q python/tests/test_torch.py; \
	else \
		echo "test-torch: skipped: $(TORCH_PYTHON) cannot import torch (apt-get install python3-torch)"; \
	fi

# test: every test, as the README says (test-root when ROOT is installed; .ci/run installs it).
test: test-go test-simd test-c test-install test-python test-torch test-wheel test-root-if-installed fuzz-short test-race test-sanitize docs

clean:
	rm -rf $(BUILD)
