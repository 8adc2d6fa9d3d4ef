# Tongxin: `make run` serves the demo town on SQLite; `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= town
DB ?= sqlite
PYTEST_ARGS ?=

.PHONY: install run dev test test-fast lint bench worker demo-city clean cluster cluster-test

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.lock
	touch $@

install: $(VENV)/.installed

# `make run` is production-like: Tongxin's own error pages, no debug pages or route lists, but the
# development keys and the demo logins. `make dev` keeps Django's debug pages for developers.
run: export TONGXIN_DEBUG ?= 0
run: export TONGXIN_DEV_KEYS ?= 1
run: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py demo --scale town --seed 1 --if-empty
	$(PY) manage.py collectstatic --noinput -v0
	@echo "同心已启动：http://$(HOST):$(PORT)/  (Ctrl-C 停止)"
	$(PY) manage.py supervise >var/worker.log 2>&1 & supervisor=$$!; \
	  trap 'kill $$supervisor 2>/dev/null; wait $$supervisor' EXIT INT TERM; \
	  $(VENV)/bin/gunicorn config.wsgi -b $(HOST):$(PORT) -w 2 --threads 4 --access-logfile -

dev: export TONGXIN_DEBUG ?= 1
dev: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py demo --scale town --seed 1 --if-empty
	$(PY) manage.py runserver $(HOST):$(PORT)

# The task worker and the scheduler, each started again if it dies (manage.py supervise).
worker: install
	$(PY) manage.py supervise

# A PostgreSQL primary and streaming replica (temporary, free ports), two app servers, an RQ
# worker and the scheduler on the local Redis: scripts/cluster.sh; Ctrl-C removes it all.
cluster: install
	scripts/cluster.sh up

# The replica and RQ tests against such a cluster (CI runs this too).
cluster-test: install
	scripts/cluster.sh test $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy tongxin config
	$(PY) manage.py makemigrations --check --dry-run

# TEST_WORKERS=2 runs the suite in two processes (pytest-xdist, each test file whole in one of
# them); 0, the default, runs it in this one.
TEST_WORKERS ?= 0

test: lint
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test-fast: install
	$(VENV)/bin/pytest -m "not e2e" -x $(PYTEST_ARGS)

bench: install
	$(PY) -m bench --scale $(SCALE) --db $(DB)

demo-city: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py demo --scale city --seed 1

clean:
	rm -rf var/*.sqlite3* staticfiles bench/results
