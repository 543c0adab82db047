# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test bench lint audit format messages stop clean backup restore

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install  ## web + Celery worker + one beat on the embedded (or configured) PostgreSQL and Redis (RUN_ARGS="--web 3 --workers 3 --beats 2" scales out)
	$(PY) -m propserv.launcher run $(RUN_ARGS)

test: install  ## pytest against the embedded (or configured) PostgreSQL and Redis
	$(PY) -m propserv.launcher test $(PYTEST_ARGS)

bench: install  ## speed figures, see bench/README.md
	$(PY) -m propserv.launcher exec $(PY) bench/run.py $(BENCH_ARGS)

lint: install  ## ruff, and the import-linter contracts (layers, no cycles) of pyproject.toml
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install  ## refresh and compile the zh-hans translation
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var

backup: install  ## database (pg_dump custom format) + uploads into one archive in var/backups (or DIR=…)
	$(PY) -m propserv.launcher backup $(DIR)

restore: install  ## make restore FILE=var/backups/propserv-….tar (with `make run` stopped)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/propserv-YYYYmmdd-HHMMSS.tar"; exit 2; }
	$(PY) -m propserv.launcher restore $(FILE)

stop:  ## stop embedded services a crashed run left behind
	$(PY) -m propserv.launcher stop

clean: stop
	rm -rf var
