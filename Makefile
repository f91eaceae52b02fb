# Two commands on a fresh machine: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: demo test lint bench schema clean package-check

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "needs $(PYTHON) on PATH (or make PYTHON=python3)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,html,browser]'
	@touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,html,browser,bench]'
	@touch $(BENCH_STAMP)

demo: $(STAMP)
	@echo "== compiling the simulation engine: once per install (about 32 s of CPU, measured; up to a minute on a busy 2-core machine); later runs load it in about a second"
	$(BIN)/whorunsit warmup
	$(BIN)/whorunsit simulate scenarios/you-build-it-ops-run-it.yaml

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check cli tests benchmarks

# the built wheel, installed in a throwaway venv (not editable), run from outside the tree
package-check: $(STAMP)
	bash .ci/package-check

# one part: make bench ONLY=scenarios (or startup, tiers3, at-scale, dask, sweep, fit)
bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py $(if $(ONLY),--only $(ONLY))

schema: $(STAMP)
	$(BIN)/whorunsit schema --output scenarios/whorunsit.schema.json

clean:
	rm -rf $(VENV) build dist cli/*.egg-info .pytest_cache
