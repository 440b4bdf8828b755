# Two commands for a new user:  `make demo` (run it) and `make test` (test it). See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1:8000
CHILDREN ?= 20000
PIP_FLAGS := --disable-pip-version-check --no-input --quiet

.PHONY: demo test install lint typecheck unit test-browser assets worker bench perf perf-prepare perf-import sbom patch-currency pitr-drill dast proxy-check clean

$(BIN)/.installed: requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_FLAGS) --require-hashes --no-deps -r requirements.lock 2>&1 | grep -v "is ignored: it is neither" || true
	@$(BIN)/python -c "import django, splink" || (echo "dependency install failed" && exit 1)
	@touch $@

install: $(BIN)/.installed

demo: install
	DJANGO_SETTINGS_MODULE=cme.settings.dev $(BIN)/python manage.py migrate --noinput -v 0
	DJANGO_SETTINGS_MODULE=cme.settings.dev $(BIN)/python manage.py seed_demo --children $(CHILDREN) --if-empty
	DJANGO_SETTINGS_MODULE=cme.settings.dev $(BIN)/python manage.py demo_logins
	DJANGO_SETTINGS_MODULE=cme.settings.dev $(BIN)/python manage.py runserver $(HOST)

lint: install
	$(BIN)/ruff check .
	$(BIN)/python scripts/lint_scoped_queries.py
	$(BIN)/semgrep scan --config .semgrep.yml --metrics=off --disable-version-check --error --quiet cme
	$(BIN)/bandit -r cme -ll -q -x '*/tests/*,*/migrations/*' 

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/python -m pytest -m "not system"

test: lint typecheck
	$(BIN)/python -m pytest

test-browser: install
	$(BIN)/python -m pytest -m system

worker: install
	DJANGO_SETTINGS_MODULE=cme.settings.dev $(BIN)/python manage.py db_worker

bench: install
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# Security plan PERF-1, PERF-2 and PERF-5 on PostgreSQL (the cme_perf database; see bench/perf_plan.py). Results in
# bench/perf-results.md. About 95 minutes after prepare; not part of `make test` or `make bench`.
perf-prepare: install
	$(BIN)/python bench/perf_plan.py prepare

perf: perf-prepare
	$(BIN)/python bench/perf_plan.py load
	$(BIN)/python bench/perf_plan.py audit-overhead
	$(BIN)/python bench/perf_plan.py spike
	$(BIN)/python bench/perf_plan.py soak --minutes 60

# PERF-4: import throughput of a 100,000-row partner CSV and a 5,000-pupil CTF (wall, rows/s, peak RSS) on SQLite and
# PostgreSQL (the cme_perf4 database: su postgres -c "createdb -O cme_ci cme_perf4"). Results in bench/import-results.md;
# about 10 minutes. Not part of `make test` or `make bench`.
perf-import: install
	$(BIN)/python bench/import_throughput.py $(PERF_IMPORT_ARGS)

# SC-4: CycloneDX 1.5 SBOM from requirements.lock (archive it with each release).
sbom: install
	$(BIN)/python scripts/sbom.py --out artifacts/sbom.cdx.json

# SC-3: pinned versions against the latest patch of their series (needs the package index; exit 0 offline).
patch-currency: install
	$(BIN)/python scripts/patch_currency.py $(PATCH_ARGS)

# BKP-3: point-in-time recovery drill on a throwaway PostgreSQL cluster (root or postgres; about 1.5 minutes).
pitr-drill:
	./scripts/pitr_drill.sh

# SC-5 DAST, nightly and loopback only (not part of `make test`): wapiti, sqlmap and testssl.sh from Debian
# (apt-get install sqlmap wapiti testssl.sh). Reports in artifacts/dast/; exit 1 on a high finding.
dast: install
	$(BIN)/python scripts/dast.py $(DAST_ARGS)

# SC-5 (TLS) and FILE-1: the reference proxy deploy/nginx/cme.conf in front of gunicorn on loopback, checked with
# testssl.sh, a 25 MB and a 5 MB upload, the redirect, headers and the audited address (apt-get install nginx-light
# testssl.sh; no root; about 1 minute). Not part of `make test` (tests/security/test_reverse_proxy.py runs it
# without testssl.sh when nginx is installed). Reports in artifacts/proxy/.
proxy-check: install
	$(BIN)/python scripts/proxy_check.py --testssl --out artifacts/proxy $(PROXY_ARGS)

assets:
	./scripts/vendor_govuk_frontend.sh

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache
