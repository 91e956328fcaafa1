# probandi: `make run` serves the API with demo data; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PROBANDI_DATABASE_URL ?= sqlite:///./var/probandi.db
export PROBANDI_VOUCHER_DIR ?= ./var/vouchers

.PHONY: run test lint typecheck imports pytest bench clean locales

# pip without its noise: make says what each step does instead.
PIP := $(BIN)/python -m pip install -q --disable-pip-version-check --progress-bar off

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "probandi needs Python 3.11"'
	@echo "make: creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	@echo "make: installing probandi and its dependencies into $(VENV) (about a minute)"
	@$(PIP) -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	@echo "make: installing the development tools into $(VENV) (ruff, mypy, pytest, ...)"
	@$(PIP) -e '.[dev]'
	@touch $@

run: $(VENV)/.installed
	@mkdir -p var
	@echo "make: migrating the database"
	@$(BIN)/probandi migrate
	@echo "make: loading the demo data (first run only), then serving on http://127.0.0.1:8000"
	@$(BIN)/probandi serve --demo --host 127.0.0.1 --port 8000

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

imports: $(VENV)/.installed-dev
	$(BIN)/lint-imports

pytest: $(VENV)/.installed-dev
	@set +e; $(BIN)/pytest -n 3 $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no tests collected"; exit 0; fi; exit $$rc

test: lint typecheck imports pytest

# Extract every text into src/probandi/locales/messages.pot and merge it into each locale's
# .po (docs/i18n.md); LOCALE=zh_CN for one. Translate what it reports, then `make test`.
locales: $(VENV)/.installed
	$(BIN)/python -m probandi.entrypoints.catalog update $(if $(LOCALE),--locale $(LOCALE))

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/gate_api.py

clean:
	rm -rf $(VENV) var test-artifacts .mypy_cache .ruff_cache .pytest_cache
