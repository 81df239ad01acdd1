# logos developer commands. Every target creates .venv (if missing) and installs the core and
# every plugin editable, so a fresh clone needs only Python >= 3.11 and pip.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PLUGINS := $(sort $(wildcard plugins/logos_*))
STAMP := $(VENV)/.logos-installed

.PHONY: install demo test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml $(addsuffix /pyproject.toml,$(PLUGINS))
	$(BIN)/python -m pip install --quiet -e ".[test]" $(foreach p,$(PLUGINS),-e "$(p)[test]")
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/logos plugins list
	$(BIN)/logos backtest examples/sma_cross.toml --out runs/demo
	@echo "artifacts of the demo backtest: runs/demo/ (orders.csv trades.csv positions.csv account.csv session.md)"

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
