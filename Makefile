# Two commands for a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEV_ENV := DJANGO_DEBUG=1

LOCK := requirements/dev.txt
# Extra flags for `make lock`: LOCK_FLAGS=--upgrade (everything) or LOCK_FLAGS="--upgrade-package django".
LOCK_FLAGS ?=
# One resolution valid on every platform and every Python >= 3.11, each file with its sha256.
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" $(LOCK_FLAGS) pyproject.toml

.PHONY: install lock run test test-fast lint lint-imports format messages check-messages migrations-check deploy-check serve collectstatic ci clean bench bench-quick backup restore audit faults soak

# The standard library's venv and the pip it ships; then exactly the locked files, each checked against
# its hash, nothing resolved at install time. The project is not installed: it runs from the checkout.
$(STAMP): $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	touch $(STAMP)

install: $(STAMP)

# Refresh both lock files from the ranges in pyproject.toml (existing pins are kept unless they no longer
# fit or LOCK_FLAGS asks for upgrades). uv is a dev dependency, pinned with its hashes in the dev lock,
# so every developer and CI resolves with the same uv; it reads UV_INDEX_URL when PyPI is not the index.
lock: install
	$(UV_COMPILE) -o requirements/base.txt
	$(UV_COMPILE) --extra dev -o requirements/dev.txt
	$(UV_COMPILE) --extra s3 --extra sentry -o requirements/deploy.txt

run: install  ## Migrate, load the demo data and serve on http://127.0.0.1:8000
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py createcachetable
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	@echo "Portal: http://$(HOST):$(PORT)/  (English: http://$(HOST):$(PORT)/en/, admin: http://$(HOST):$(PORT)/admin/)"
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install  ## The whole suite (DATABASE_URL=postgres://... to run it on PostgreSQL)
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lint-imports: install  ## The layer contracts of [tool.importlinter] in pyproject.toml
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install  ## Refresh the Spanish catalogue from the source (needs GNU gettext), then compile
	$(DEV_ENV) $(BIN)/python manage.py makemessages --locale es --no-obsolete --no-location --ignore ".venv/*" --ignore "bench/*" --ignore "tests/*"
	$(BIN)/python scripts/compile_messages.py

check-messages: install  ## Fail when the catalogue is stale, incomplete or not compiled
	$(BIN)/python scripts/compile_messages.py --check

migrations-check: install
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

deploy-check: install  ## Django's deployment checklist against production settings
	DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) DATABASE_URL=$${DATABASE_URL:-sqlite:///deploy-check.sqlite3} \
		EMAIL_URL=$${EMAIL_URL:-smtp://localhost:25} DJANGO_DEFAULT_FROM_EMAIL=$${DJANGO_DEFAULT_FROM_EMAIL:-portal@example.org} \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

collectstatic: install
	$(BIN)/python manage.py collectstatic --no-input

serve: install collectstatic  ## Production server: needs DJANGO_SECRET_KEY and DATABASE_URL (PostgreSQL)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable
	$(BIN)/gunicorn --config portal/gunicorn.conf.py portal.wsgi

# Backups (portal/backups.py, docs/deploy.md): one archive with the database, the media files and a
# manifest; a restore refuses a non-empty target unless RESTORE_FLAGS=--force, then checks every table and file.
BACKUP_DIR ?= backups
backup: install  ## pg_dump + media + manifest into $(BACKUP_DIR)/portal-backup-<UTC time>.tar
	$(BIN)/python manage.py backup --directory $(BACKUP_DIR)

restore: install  ## Restore BACKUP=<archive> into the empty database of DATABASE_URL and MEDIA_ROOT, then verify
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=backups/portal-backup-<time>.tar [RESTORE_FLAGS=--force]" >&2; exit 2; }
	$(BIN)/python manage.py restore $(BACKUP) $(RESTORE_FLAGS)

# Known vulnerabilities in the locked dependencies. A deployment-pipeline step, not a CI gate: pip-audit asks
# a vulnerability service (PyPI's JSON API / OSV) over the network, which CI machines cannot reach. pip-audit
# is not in the lock: it lives in its own throwaway venv, so the locked environment stays exactly the lock.
AUDIT_VENV := .venv-audit
audit:  ## pip-audit the dev and deploy locks (needs network access to PyPI)
	@test -x $(AUDIT_VENV)/bin/pip-audit || { $(PYTHON) -m venv $(AUDIT_VENV) && $(AUDIT_VENV)/bin/python -m pip install --quiet pip-audit; } \
		|| { echo "make audit: could not install pip-audit into $(AUDIT_VENV): is the package index reachable?" >&2; exit 2; }
	@status=0; : > $(AUDIT_VENV)/report.txt; for lock in requirements/dev.txt requirements/deploy.txt; do echo "pip-audit $$lock"; \
		$(AUDIT_VENV)/bin/pip-audit --strict --require-hashes --disable-pip --progress-spinner off -r $$lock \
		> $(AUDIT_VENV)/last.txt 2>&1 || status=1; tee -a $(AUDIT_VENV)/report.txt < $(AUDIT_VENV)/last.txt; done; \
	if [ $$status -ne 0 ] && grep -qiE "could not be audited|connection|resolve|timed out|max retries|proxy|ssl|unreachable" $(AUDIT_VENV)/report.txt; then \
		echo "make audit: the vulnerability service (pypi.org) could not be reached or did not know the packages, so NOTHING was checked." \
			"Run it where pypi.org is reachable: the deployment pipeline (docs/deploy.md)." >&2; exit 2; fi; \
	exit $$status

ci:
	bash .ci/run

bench: install  ## Benchmark at 1 000 / 10 000 / 100 000 practices on PostgreSQL (BENCH_DATABASE_URL); report in bench/results/
	$(BIN)/python -m bench.run

bench-quick: install  ## A few minutes: 1 000 practices, short rounds
	$(BIN)/python -m bench.run --quick

faults: install  ## Fault tests (as root): PostgreSQL restarted under load, a worker killed, a full upload disk, slow clients
	$(BIN)/python -m bench.faults

soak: install  ## 64 connections for 5 minutes on gunicorn + PostgreSQL (SOAK_DATABASE_URL): 5xx, p95, worker memory
	$(BIN)/python -m bench.soak --duration 300 --connections 64

clean:
	rm -rf $(VENV) $(AUDIT_VENV) staticfiles .pytest_cache
