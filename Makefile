# The two set-up commands of README.md: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint postgresql chromium
PG_BIN ?= /usr/lib/postgresql/15/bin

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-service: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[service]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[service,dev]'
	touch $@ $(VENV)/.installed-service

# Migrate, load the demo company once, start the payment sandbox and a worker, serve the API
# on http://127.0.0.1:8000; Ctrl-C stops everything.
run: $(VENV)/.installed-service
	$(BIN)/estate serve --demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests docs/examples benchmarks
	$(BIN)/ruff format --check src tests docs/examples benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# The integration tests start their own PostgreSQL 15 server from these binaries.
postgresql:
	@if [ ! -x "$(PG_BIN)/pg_ctl" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15; \
	  else \
	    echo "PostgreSQL 15 is needed for the tests: sudo apt-get install postgresql-15" >&2; exit 1; \
	  fi; \
	fi

# The page tests drive Debian's Chromium (with CJK fonts) through playwright.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; \
	  else \
	    echo "Chromium is needed for the page tests: sudo apt-get install chromium fonts-noto-cjk" >&2; exit 1; \
	  fi; \
	fi

test: lint postgresql chromium
	$(BIN)/pytest
