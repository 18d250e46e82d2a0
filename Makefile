# Two entry points, both self-contained on a fresh machine with Python 3.11 and make:
#   make demo   - set up .venv and run the main job against the embedded default (the Genesys emulator)
#   make test   - set up .venv and run ruff, the import contract, mypy --strict and the whole test suite
# and, after changing a public docstring or an import between packages:
#   make docs   - regenerate docs/api.md and the dependency graph in docs/architecture.md
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint typecheck pytest browser bench schema docs clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/wrapup-bridge demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check wrapup_bridge tests benchmarks examples docs/*.py
	$(BIN)/ruff format --check wrapup_bridge tests benchmarks examples docs/*.py
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy wrapup_bridge

# In parallel (pytest-xdist): -n auto is two workers per core (tests/conftest.py says why); tests of one xdist_group
# (sharing an expensive fixture) on one worker. Bytecode is written even where PYTHONDONTWRITEBYTECODE is set (as in
# many containers): pytest keeps its rewritten test modules there, which every worker would otherwise redo.
pytest: $(STAMP) browser
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -n auto --dist loadgroup

# The mapping report is checked in a real headless browser: $WRAPUP_CHROMIUM, chromium, chromium-browser or
# google-chrome (the names tests/cli/test_mapping_report_browser.py looks for); Debian's chromium is installed
# when none is.
browser:
	@[ -n "$$WRAPUP_CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	  || command -v google-chrome >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the report's browser test"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null \
	  || { echo "could not install chromium without root: install chromium (or Chrome) yourself and, if it is not on"; \
	       echo "PATH as chromium, chromium-browser or google-chrome, set WRAPUP_CHROMIUM=/path/to/it"; exit 1; }; }

bench: $(STAMP)
	$(BIN)/python benchmarks/mapping.py
	$(BIN)/python benchmarks/replay.py
	$(BIN)/python benchmarks/live.py
	$(BIN)/python benchmarks/correlate.py
	$(BIN)/python benchmarks/authoring.py

schema: $(STAMP)
	$(BIN)/wrapup-bridge mapping schema > wrapup_bridge/schema/mapping-v1.schema.json

# The API reference (from the public names' docstrings) and the package graph (from the imports); tests fail when
# either is out of date.
docs: $(STAMP)
	$(BIN)/python docs/gen_api.py
	$(BIN)/python docs/gen_architecture.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build
