# Entry points, each doing its own set-up on a fresh machine (see README).
PYTHON ?= python3
# Test processes for `make test` (pytest-xdist): one per core by default; WORKERS=0 runs in one.
WORKERS ?= auto
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run run-telegram run-wechat test test-sqlite demo lint bench clean

# One stamp per set of extras: `make run` installs only what the console needs; a channel's
# target adds its extra; `make test` adds everything the suite exercises.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.core: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.%: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[$*]'
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,wechat,postgres]'
	touch $@

run: $(VENV)/.core
	$(BIN)/classbot run

run-telegram: $(VENV)/.telegram
	$(BIN)/classbot run

run-wechat: $(VENV)/.wechat
	$(BIN)/classbot run

demo: $(VENV)/.core
	$(BIN)/classbot demo

lint: $(VENV)/.test
	$(BIN)/ruff check .

# The whole suite on SQLite, then on a PostgreSQL server started for the run, on every Python
# version present (.ci/suite.sh says how).
test: $(VENV)/.test
	$(BIN)/ruff check .
	WORKERS=$(WORKERS) bash .ci/suite.sh

# SQLite only, in the venv: the quick loop while working.
test-sqlite: $(VENV)/.test
	$(BIN)/pytest -n $(WORKERS) --dist worksteal

bench: $(VENV)/.core
	$(BIN)/python bench/inbound.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/weekly.py

# Never deletes a database (./data/ or wherever config.yaml puts it): only what set-up rebuilds.
clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
