# logos developer commands. Every target creates .venv (if missing) and installs the core and
# every plugin editable, so a fresh clone needs only Python >= 3.11 and pip.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PLUGINS := $(sort $(wildcard plugins/logos_*))
STAMP := $(VENV)/.logos-installed

.PHONY: install demo test lint format bench clean

PIP := $(BIN)/python -m pip --quiet --quiet --disable-pip-version-check --no-input

$(BIN)/python:
	@echo "creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip

# pip prints only errors; the one line above says what is happening
$(STAMP): $(BIN)/python pyproject.toml $(addsuffix /pyproject.toml,$(PLUGINS))
	@echo "installing logos and its plugins (editable, with test extras) into $(VENV)"
	@$(PIP) install -e ".[test]" $(foreach p,$(PLUGINS),-e "$(p)[test]")
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/logos plugins list
	$(BIN)/logos backtest examples/sma_cross.toml --out runs/demo --force
	rm -rf runs/demo-paper  # the demo's own folder: a new session each time, never a resume
	$(BIN)/logos trade examples/sma_cross_paper.toml --run-dir runs/demo-paper
	$(BIN)/logos report runs/demo-paper --format html

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/bench_backtest.py

clean:
	rm -rf $(VENV) build *.egg-info plugins/*/*.egg-info .pytest_cache
