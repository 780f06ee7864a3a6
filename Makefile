# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi.py
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test install translations migrate seed lint test-sqlite test-postgres test-e2e browser pdftools bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

translations: install
	$(BIN)/flask translate compile >/dev/null

migrate: translations
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask demo seed --province 25

run: seed
	@echo "Serving the portal on http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-sqlite: translations pdftools
	$(BIN)/pytest -m "not e2e"

test-postgres: translations pdftools
	@if $(BIN)/python -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/test', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== PostgreSQL run =="; \
		TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -m "not e2e"; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is required in CI but 127.0.0.1:5432/test is not reachable." >&2; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL run (no server on 127.0.0.1:5432, database 'test'). Set up PostgreSQL to run it."; \
	fi

browser:
	@if [ ! -x $(CHROMIUM) ] && [ "$$CI" = "true" ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# pdftotext (poppler) reads the PDF reports and posters back in the tests, as a person's
# reader would; CI installs it, a laptop without it gets a clear message from the tests.
pdftools:
	@if ! command -v pdftotext >/dev/null && [ "$$CI" = "true" ]; then \
		echo "Installing Debian's poppler-utils (pdftotext) for the PDF tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	fi

test-e2e: translations browser
	@if [ -x $(CHROMIUM) ]; then \
		echo "== Browser tests (Playwright + $(CHROMIUM)) =="; \
		$(BIN)/pytest -m e2e; \
	elif [ "$$CI" = "true" ]; then \
		echo "chromium is required in CI but $(CHROMIUM) is missing." >&2; exit 1; \
	else \
		echo "SKIPPED: browser tests ($(CHROMIUM) not found; apt-get install chromium to run them)."; \
	fi

test: lint test-sqlite test-postgres test-e2e

bench: translations
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache instance/*.sqlite3*
