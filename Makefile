# Two entry points, each doing its own set-up on a fresh machine (see README).
PYTHON ?= python3
# Test processes for `make test` (pytest-xdist): one per core by default; WORKERS=0 runs in one.
WORKERS ?= auto
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test demo lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,wechat]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/classbot run

demo: $(STAMP)
	$(BIN)/classbot demo

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(WORKERS) --dist worksteal

bench: $(STAMP)
	$(BIN)/python bench/inbound.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/weekly.py

clean:
	rm -rf $(VENV) classbot.db classbot.db-wal classbot.db-shm
