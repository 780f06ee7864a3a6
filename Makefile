# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi.py
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test test-fast test-times-reset install translations migrate seed lint test-sqlite test-postgres test-e2e browser pdftools bench wrk clean

# Two xdist workers (the suite's 2-core target machine), whole files per worker: a module's
# fixtures (the demo data copy, a crawl's shared state) stay in one process. Files go out in
# the order tests/conftest.py sets (the longest first), not xdist's own. Override with
# e.g. `make test PYTEST_WORKERS=0` to run in one process.
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=10
STAGE_TIMES := .test-stage-times

# $(call stage,NAME,COMMAND): shell code that runs one pytest stage, prints and records its
# wall time and exits with its code. Exit code 5 means "no test collected" (e.g. a marker
# selected nothing): it is reported but cannot fail the build by itself.
stage = start=$$(date +%s); $(2); rc=$$?; secs=$$(( $$(date +%s) - start )); \
	if [ $$rc -eq 5 ]; then echo "NOTE: $(1): pytest collected no tests." >&2; rc=0; fi; \
	line=$$(printf '%-10s %3dm%02ds  (exit %d, load average %s)' '$(1)' $$((secs / 60)) \
		$$((secs % 60)) $$rc "$$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"); \
	echo "== $$line =="; echo "$$line" >> $(STAGE_TIMES); exit $$rc

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

# The edit loop: SQLite only, no browser, no PostgreSQL.
test-fast: translations pdftools
	@$(call stage,SQLite,$(PYTEST) -m "not e2e")

test-sqlite: translations pdftools
	@$(call stage,SQLite,$(PYTEST) -m "not e2e")

test-postgres: translations pdftools
	@if $(BIN)/python -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/test', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== PostgreSQL run (each xdist worker on its own database test_gwN) =="; \
		$(call stage,PostgreSQL,TEST_DATABASE_URL=$(PG_TEST_URL) $(PYTEST) -m "not e2e"); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is required in CI but 127.0.0.1:5432/test is not reachable." >&2; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL run (no server on 127.0.0.1:5432, database 'test'). Set up PostgreSQL to run it."; \
		echo "PostgreSQL skipped" >> $(STAGE_TIMES); \
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

# Every browser test lives in an e2e folder: collecting only those saves importing the
# whole suite (12 -> 5 s).
E2E_PATHS := $(wildcard tests/e2e tests/*/e2e)

# The browser tests run in one process: two real browsers and live servers on two cores made
# timing-sensitive steps (a service worker's sync, a dashboard's drill-down) flaky.
test-e2e: translations browser
	@if [ -x $(CHROMIUM) ]; then \
		echo "== Browser tests (Playwright + $(CHROMIUM)) =="; \
		$(call stage,Browser,$(BIN)/pytest --durations=10 -m e2e $(E2E_PATHS)); \
	elif [ "$$CI" = "true" ]; then \
		echo "chromium is required in CI but $(CHROMIUM) is missing." >&2; exit 1; \
	else \
		echo "SKIPPED: browser tests ($(CHROMIUM) not found; apt-get install chromium to run them)."; \
		echo "Browser skipped" >> $(STAGE_TIMES); \
	fi

# Each stage prints its ten slowest tests and its wall time; the summary repeats the times.
test: test-times-reset lint test-sqlite test-postgres test-e2e
	@echo "== Time per stage =="; cat $(STAGE_TIMES)

test-times-reset:
	@rm -f $(STAGE_TIMES)

# The benchmarks drive every throughput case with wrk (a C load generator): a client written
# in Python is itself the bound on hello-world and inflates every ratio against it.
wrk:
	@if ! command -v wrk >/dev/null; then \
		echo "Installing Debian's wrk for the benchmarks"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	fi

bench: translations wrk
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache instance/*.sqlite3* $(STAGE_TIMES)
