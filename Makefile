# Tousu — see README.md. Every target says what it does; `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TOUSU := $(VENV)/bin/tousu
# The PostgreSQL run of the suite: DATABASE_URL when it points at PostgreSQL,
# otherwise the CI service when CI=true, otherwise none (the run says so).
PG_URL ?= $(if $(filter postgres%,$(DATABASE_URL)),$(DATABASE_URL),$(if $(filter true,$(CI)),postgres://postgres@127.0.0.1:5432/test,))
PYTEST_ARGS ?=

.PHONY: help install run demo serve test test-suites test-sqlite test-postgres fuzz-api lint fmt typecheck messages i18n-check bench screenshots clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# Front-end packages from the npm registry, copied beside the code and served locally.
VENDOR := tousu/static/vendor
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	touch $@

install: $(VENV)/.installed $(VENDOR)/.installed ## Build .venv, the front-end assets (npm) and the translation catalogues (.mo); starts nothing
	$(TOUSU) collectstatic --noinput --verbosity 0
	$(TOUSU) compilemessages --ignore $(VENV) --ignore node_modules --ignore var --verbosity 0

demo: install ## Migrate and load the demo organisation (idempotent); prints the logins
	$(TOUSU) migrate --noinput --verbosity 0
	$(TOUSU) demo

serve: install ## Serve on 127.0.0.1:$$PORT (default 8000) with gunicorn
	$(TOUSU) run

run: demo serve ## install + demo organisation + serve on 127.0.0.1:8000

lint: install i18n-check ## ruff: lint rules and formatting; lint-imports: the layers of docs/architecture.md; i18n-check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

# The catalogues: msgids (Simplified Chinese) from the code and templates into locale/en and
# locale/zh_Hant, the Traditional Chinese filled by OpenCC where no person has reviewed it.
MAKEMESSAGES := $(TOUSU) makemessages --no-obsolete --add-location file --ignore $(VENV) --ignore node_modules --ignore var --verbosity 0
messages: install ## Update the catalogues from the code (en, zh_Hant), convert zh_Hant with OpenCC, compile them
	$(MAKEMESSAGES) -l en -l zh_Hant
	$(PY) tools/i18n_hant.py
	$(TOUSU) compilemessages --ignore $(VENV) --ignore node_modules --ignore var --verbosity 0

i18n-check: install ## Fail on an untranslated/fuzzy entry, placeholders that differ, a t() pair left, a stale catalogue
	$(PY) tools/i18n_check.py

fmt: install ## Format the code and apply safe lint fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install ## mypy (strict, with django-stubs)
	$(VENV)/bin/mypy

test-sqlite: install ## The whole suite on SQLite
	env -u DATABASE_URL $(PY) -m pytest -m "not postgres_only" $(PYTEST_ARGS)

test-postgres: install ## The suite on PostgreSQL (PG_URL or DATABASE_URL): the tests that use a database; the browser tests and those using no database run on SQLite only
	@if [ -z "$(PG_URL)" ]; then echo "PostgreSQL run skipped: set DATABASE_URL=postgres://... (CI=true uses postgres://postgres@127.0.0.1:5432/test)"; \
	else DATABASE_URL="$(PG_URL)" $(PY) -m pytest -m "not browser" --database-tests-only $(PYTEST_ARGS); fi

fuzz-api: install ## schemathesis --checks all on a live server (fresh database, demo organisation, real token and case numbers); PostgreSQL when PG_URL is set; at most 5 minutes
	FUZZ_DATABASE_URL="$(PG_URL)" VENV="$(VENV)" bash .ci/fuzz-api

# The two databases' runs side by side (two cores): each log is printed whole when both end.
test-suites: install ## The SQLite and PostgreSQL suites side by side; fails if either fails
	@mkdir -p var/test-logs; \
	( $(MAKE) --no-print-directory test-sqlite > var/test-logs/sqlite.log 2>&1; echo $$? > var/test-logs/sqlite.rc ) & \
	( $(MAKE) --no-print-directory test-postgres > var/test-logs/postgres.log 2>&1; echo $$? > var/test-logs/postgres.rc ) & \
	wait; \
	for db in sqlite postgres; do echo "===== $$db (exit $$(cat var/test-logs/$$db.rc))"; cat var/test-logs/$$db.log; done; \
	[ "$$(cat var/test-logs/sqlite.rc)" = 0 ] && [ "$$(cat var/test-logs/postgres.rc)" = 0 ]

test: lint typecheck test-suites fuzz-api ## Lint, type check, the suite on SQLite and PostgreSQL side by side, then the API fuzzer

bench: install ## Benchmarks (not tests): intake (8 and 32 clients) beside pgbench; the overdue sweep; desk pages at 100,000 and 1,000,000 cases; the ledger export; then one table (var/bench/)
	mkdir -p var/bench
	bench/intake --json var/bench/intake.json
	bench/deadlines --json var/bench/deadlines.json
	bench/desk --db postgres --cases 100000 --json var/bench/desk-100k.json
	bench/desk --db postgres --cases 1000000 --json var/bench/desk-1m.json --explain var/bench/plans-1m.md
	$(PY) bench/export.py --cases 100000 | tee var/bench/export.txt
	$(PY) bench/table.py var/bench

screenshots: install ## Pictures of the desk at 1366x768 (demo organisation, temporary database) into docs/screenshots/
	$(PY) -m tousu.desk.screenshots docs/screenshots

clean: ## Remove the virtualenv, local state (var/) and the compiled catalogues (.mo)
	rm -rf $(VENV) var node_modules $(VENDOR)
	find locale -name "*.mo" -delete
