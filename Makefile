# The two commands a newcomer needs: `make run` (app with demo data) and `make test` (lint + full suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $@

.PHONY: install run test test-postgres test-sqlite lint security audit-dependencies schemathesis worker
install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy apps tumorboard frontend
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# The whole suite runs twice: on PostgreSQL + Redis + a real worker (DATABASE_URL / REDIS_URL, as CI exports
# them), then on the embedded SQLite + eager default that `make run` uses, where the tests marked
# `services` (they need the real worker) are left to the first pass.
PYTEST := $(VENV)/bin/pytest -q -p no:randomly -n $(or $(TEST_PROCESSES),2)

test: lint security test-postgres test-sqlite

# Security checks (issue 15, docs/security/input-and-concurrency.md): the OpenAPI schema without warnings
# and bandit (medium and high findings), in every `make test`.
security: install
	$(PY) manage.py spectacular --fail-on-warn --file /dev/null
	$(VENV)/bin/bandit -q -r apps tumorboard frontend -ll

# Known-vulnerable dependencies: pip-audit needs PyPI's per-release JSON API and its vulnerability data,
# which this CI machine's package mirror does not serve (every package answers "not found"), so it runs
# where that network exists (a release machine, a scheduled job), not in `make test`. --strict makes a
# package it could not audit an error: an unreachable service fails loudly, never passes having audited
# nothing.
audit-dependencies: install
	$(VENV)/bin/pip-audit --strict --skip-editable --progress-spinner off

# schemathesis against the OpenAPI schema (also part of the PostgreSQL pass: marker schemathesis).
schemathesis: install
	$(VENV)/bin/pytest -q -p no:randomly tests/schemathesis

test-postgres: install
	$(PYTEST)

test-sqlite: install
	env -u DATABASE_URL -u REDIS_URL $(PYTEST) -m "not services"

worker: install
	$(VENV)/bin/celery -A tumorboard worker -l INFO
