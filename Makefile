# tiaokuai: two commands do all set-up on a fresh machine.
#   make demo   creates .venv if missing, installs, runs the headline experiment
#   make test   same set-up, then the whole test suite
.DEFAULT_GOAL := help
SHELL := /bin/sh

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed

.PHONY: help setup demo test test-all test-fast lint browser screenshot bench clean ci-demo

help:
	@echo "make demo    set up .venv and run the headline comparison (writes results/)"
	@echo "make test    set up .venv (and Chromium), lint, and run the whole test suite on every core (tests 2 min 52 s measured at load 2-3, 2026-12-06)"
	@echo "make test-fast  the inner loop: every test not marked slow or browser (1 min 31 s measured at load 4, 2026-12-06)"
	@echo "make lint    ruff and mypy on sim/"
	@echo "make bench   run the benchmark scripts in benchmarks/"
	@echo "make screenshot  refresh docs/screenshot-viz.png from the browser test"

$(PY):
	@base=$$(scripts/find-python) || exit 1; \
	echo "creating $(VENV) with $$base"; \
	"$$base" -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

# Chromium for the browser test: Debian's package (Playwright cannot download its own here).
browser:
	@if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Chromium (Debian package) for the browser test"; \
		(apt-get install -y -q chromium >/dev/null 2>&1 || \
		 (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) || \
		echo "WARNING: could not install chromium; the browser test will be skipped"; \
	else echo "WARNING: chromium not found and cannot apt-get it here; the browser test will be skipped"; fi

demo: setup
	$(VENV)/bin/tiaokuai sweep experiments/unlimited-vs-gated.yaml --out results/unlimited-vs-gated --restart
	$(VENV)/bin/tiaokuai compare results/unlimited-vs-gated

# pytest-xdist: one worker per core (at most 4), each test file kept on one worker, so a
# file's module fixtures and run caches are built once; tests/conftest.py starts the slow
# files first so that the short ones fill the end. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto
XDIST := -n $(PYTEST_WORKERS) --maxprocesses 4 --dist loadfile --no-loadscope-reorder

# lint beside the tests (-j2; -Oline keeps each line whole): mypy without its cache, as on a
# fresh clone, costs about 30 s of CPU, which the test workers' cores absorb
test: setup browser
	@$(MAKE) --no-print-directory -j2 -Oline lint test-all

test-all: setup
	$(PY) -m pytest -q $(XDIST)

# the inner loop: no statistical studies, no whole sweeps, no browser. Compiled modules are
# cached even where PYTHONDONTWRITEBYTECODE is set: otherwise every worker, and every
# subprocess a test starts, recompiles sim/ and re-rewrites the test files' asserts
# (about 5 s of CPU per worker)
test-fast: setup
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -q $(XDIST) -m "not slow and not browser"

lint: setup
	$(PY) -m ruff check sim
	$(PY) -m mypy

# refresh docs/screenshot-viz.png (the browser test's fixed state) after changing the app
screenshot: setup browser
	TIAOKUAI_UPDATE_SCREENSHOT=1 $(PY) -m pytest -q tests/test_viz_browser.py

bench: setup
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

# CI's reduced headline experiment: few replications, short horizon, same plots.
ci-demo: setup
	$(VENV)/bin/tiaokuai sweep experiments/ci-smoke.yaml --out results/ci-smoke --restart
	$(VENV)/bin/tiaokuai compare results/ci-smoke
