# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test bench lint format messages stop clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install  ## web + Celery worker + one beat on the embedded (or configured) PostgreSQL and Redis
	$(PY) -m propserv.launcher run

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

stop:  ## stop embedded services a crashed run left behind
	$(PY) -m propserv.launcher stop

clean: stop
	rm -rf var
