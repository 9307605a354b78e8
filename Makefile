# The front door: `make run` and `make test` are the two commands a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WITH_SERVICES := $(BIN)/python scripts/embedded_services.py --

.PHONY: run test test-browser test-corpus lint format bench check-deploy clean-var cluster-check

PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
  --no-emit-index-url --no-emit-find-links

.PHONY: lock upgrade-package check-locks

# Two stamps: production needs only the runtime lock; tests and lint add the tooling lock.
$(BIN)/.python:
	@$(PYTHON) -c 'import sys; sys.exit("Inkstone needs Python 3.11 or newer (PYTHON=python3.12 make ...)" if sys.version_info < (3, 11) else 0)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

$(BIN)/.installed: requirements.txt | $(BIN)/.python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(BIN)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/.python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $@ $(BIN)/.installed

## make lock: recompile both locks after editing requirements/*.in (existing pins are kept).
lock: $(BIN)/.installed-dev
	$(PIP_COMPILE) --output-file requirements.txt requirements/base.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements/dev.in

## make upgrade-package P=celery: move one package (and what it needs) to its newest release.
upgrade-package: $(BIN)/.installed-dev
	@test -n "$(P)" || (echo "usage: make upgrade-package P=name" && exit 2)
	$(PIP_COMPILE) --upgrade-package "$(P)" --output-file requirements.txt requirements/base.in
	$(PIP_COMPILE) --upgrade-package "$(P)" --output-file requirements-dev.txt requirements/dev.in

## make check-locks: both locks into a fresh virtualenv with --require-hashes (one and a half to four minutes here).
check-locks:
	$(PYTHON) scripts/check_locks.py

## make run: the whole site on http://127.0.0.1:8000 with a Celery worker and beat.
run: $(BIN)/.installed
	DEBUG=$${DEBUG:-true} $(WITH_SERVICES) $(BIN)/python scripts/run_site.py

## make test: the suite against the PostgreSQL/Redis in DATABASE_URL/REDIS_URL, else embedded ones.
test: $(BIN)/.installed-dev
	$(WITH_SERVICES) $(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

## make test-browser: only the real-browser tests (Debian's chromium; screenshots in var/screenshots/).
test-browser: $(BIN)/.installed-dev
	$(WITH_SERVICES) $(BIN)/python -m pytest tests/browser -m browser $(PYTEST_ARGS)

## make test-corpus: feedparser's 2,107 test feeds through add_source + poll (../shared/corpora;
## minutes). `python bench/feed_corpus.py` prints the same counts with examples.
test-corpus: $(BIN)/.installed-dev
	$(WITH_SERVICES) $(BIN)/python -m pytest tests/blog/test_ingest_corpus.py -m corpus $(PYTEST_ARGS)

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(WITH_SERVICES) $(BIN)/python manage.py makemigrations --check --dry-run

format: $(BIN)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make check-deploy: Django's production checklist with production-like settings.
check-deploy: $(BIN)/.installed
	DEBUG=false SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

## make bench: every figure (bench/run_all.py), one table, also kept in docs/benchmarks.md.
bench: $(BIN)/.installed-dev
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 \
	  || (apt-get update -qq && apt-get install -y -qq wrk) || echo "wrk is missing: bench/load.py will say so"
	$(WITH_SERVICES) $(BIN)/python bench/run_all.py

## make cluster-check: a scale rehearsal on loopback (PostgreSQL primary + replica, pgbouncer, two
## Redis, nginx before two gunicorns, two workers and two beats; Debian's packages). Under 10 min;
## the report is kept in docs/benchmarks.md. CLUSTER_ARGS=--quick for a shorter smoke run.
cluster-check: $(BIN)/.installed
	$(BIN)/python bench/cluster_check.py $(CLUSTER_ARGS)
