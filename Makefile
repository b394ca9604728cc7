# Two commands on a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv manages Python and the virtual environment; the set-up installs it with pip when it is missing.
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PY := $(UV) run --frozen python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup setup-python setup-frontend system-packages-run system-packages-test run test lint typecheck deploy-check bandit pytest browser-test bench clean

help:
	@echo "make run    set up, migrate, seed demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test   set up and run the whole suite (lint, types, tests, browser tests)"
	@echo "make bench  benchmarks, written to docs/benchmarks.md"

setup: setup-python setup-frontend

# Debian packages (WeasyPrint's libraries and fonts; Chromium for the browser tests), installed when missing.
system-packages-run:
	@bash scripts/system-packages.sh run
system-packages-test:
	@bash scripts/system-packages.sh test

setup-python:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

# GOV.UK Frontend is built from npm into assets/ and served by WhiteNoise: no CDN.
setup-frontend: assets/build/app.css
assets/build/app.css: package.json package-lock.json frontend/app.scss frontend/copy-assets.mjs
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build

# Keys for the embedded default, made once per checkout and never committed.
var/local.env:
	@mkdir -p var
	@python3 -c "import secrets; print('SECRET_KEY=' + secrets.token_urlsafe(48)); print('AUDIT_SEAL_KEY=' + secrets.token_urlsafe(48))" > $@
	@chmod 600 $@

# The embedded default is served over plain http on 127.0.0.1: no HTTPS redirect, no __Host- cookies.
# With no broker there is no Celery beat or worker: run_periodic does the periodic work (sealing the audit
# log, export sweeps, grant tidying, reminders) and builds export jobs beside the server (never inside a
# web request), and stops when the server stops.
run: system-packages-run setup var/local.env
	@set -a; source var/local.env; set +a; export HTTPS=false; \
	$(PY) manage.py migrate --no-input -v0 && \
	$(PY) manage.py collectstatic --no-input -v0 && \
	$(PY) manage.py seed_demo && \
	echo "Serving Prevent Panel on http://$(HOST):$(PORT) (Ctrl-C to stop)" && \
	{ $(PY) manage.py run_periodic & periodic=$$!; \
	  trap 'kill -TERM $$periodic 2>/dev/null; wait $$periodic 2>/dev/null' EXIT; \
	  $(UV) run --frozen gunicorn prevent_panel.wsgi --config gunicorn.conf.py --bind $(HOST):$(PORT) --workers 2 --access-logfile -; }

lint:
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

# mypy's Django plugin imports the settings, which need keys; these are for type analysis only.
typecheck:
	DEBUG=true SECRET_KEY= AUDIT_SEAL_KEY= $(UV) run --frozen mypy .

# `check --deploy` with production-like settings (HTTPS, DEBUG off, a 50-character key): no warnings allowed.
deploy-check:
	DEBUG=false HTTPS=true ALLOWED_HOSTS=panel.example.org DATABASE_URL= DJANGO_ALLOW_ASYNC_UNSAFE= \
	SECRET_KEY=$$(python3 -c "import secrets; print(secrets.token_urlsafe(50))") \
	AUDIT_SEAL_KEY=$$(python3 -c "import secrets; print(secrets.token_urlsafe(50))") \
	$(PY) manage.py check --deploy --fail-level WARNING

# Static analysis of the application code: no medium or high severity finding.
bandit:
	$(UV) run --frozen bandit -q -c pyproject.toml -r audit cases lib partners prevent_panel sharing --severity-level medium

pytest:
	$(UV) run --frozen pytest -m "not browser" -p no:playwright

browser-test:
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(UV) run --frozen pytest -m browser tests/browser

# `make test ONLY_DATABASE_TESTS=1` runs just the suite that depends on the database: .ci/run uses it for
# its second database, since the static checks and the browser tests say the same thing on either.
ifndef ONLY_DATABASE_TESTS
test: system-packages-test setup lint typecheck deploy-check bandit pytest browser-test
else
test: system-packages-test setup pytest
endif

# Benchmarks against PostgreSQL (docs/benchmarks.md). The bench database is seeded with
# `manage.py seed_scale` only when it holds no scale data yet; override on the command line, e.g.
# `make bench DATABASE_URL=postgres://... BENCH_ARGS="--cases 2000 --audit-entries 20000"`.
bench: DATABASE_URL = postgres://postgres@127.0.0.1:5432/prevent_panel_bench
bench: CELERY_BROKER_URL = redis://127.0.0.1:6379/14
bench: system-packages-run setup var/local.env
	@set -a; source var/local.env; set +a; \
	export DATABASE_URL='$(DATABASE_URL)' CELERY_BROKER_URL='$(CELERY_BROKER_URL)' HTTPS=false; \
	$(PY) manage.py collectstatic --no-input -v0 && \
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf staticfiles assets/build assets/govuk .pytest_cache .mypy_cache .ruff_cache
