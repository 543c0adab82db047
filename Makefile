# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test bench lint audit format messages stop clean backup restore faults fuzz

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

lint: install  ## ruff, import-linter contracts (pyproject.toml), bandit, then `make audit`
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/bandit -q -c pyproject.toml -r propserv tickets visits keys fees inspections
	@$(MAKE) --no-print-directory audit

# pip-audit asks PyPI's advisory data about every installed package. Offline it reports each one
# "not found … could not be audited" and still says "No known vulnerabilities": that must not
# pass for a clean audit, so it is said plainly (and does not fail the build: nothing was checked).
audit: install  ## pip-audit of the installed packages; says so when no advisory database answers
	@out=$$($(VENV)/bin/pip-audit --progress-spinner off --timeout 15 --skip-editable 2>&1); rc=$$?; \
	echo "$$out" | grep -v "could not be audited"; \
	if echo "$$out" | grep -qE "Found [0-9]+ known vulnerabilit"; then exit 1; fi; \
	if echo "$$out" | grep -qiE "could not be audited|ConnectionError|Failed to establish|Max retries|name resolution|timed out"; then \
	  echo "pip-audit: NO ADVISORY DATABASE REACHABLE - $$(echo "$$out" | grep -c 'could not be audited') packages were NOT audited; run 'make audit' where PyPI answers."; \
	  exit 0; \
	fi; \
	exit $$rc

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

faults: install  ## the fault suite: kills and restarts worker, beat, Redis, PostgreSQL, web, mail (bench/README.md, "Faults"); FAULTS_ARGS=--quick: ≤ 4 min
	$(PY) -m bench.faults.run $(FAULTS_ARGS)

fuzz: install  ## schemathesis over the whole API (staff token and anonymous) and hypothesis over the public form: FUZZ_EXAMPLES per operation (make test runs 5)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} $(PY) -m propserv.launcher test tests/core/test_fuzz_api.py tests/visits/test_public_fuzz.py -p no:cacheprovider --timeout=0

.PHONY: scaleout
scaleout: install  ## 3 web servers on one port, 3 workers, 2 beats, one PostgreSQL + Redis, 5 min of mixed load (bench/README.md, "Scale-out run"); SCALEOUT_ARGS=--quick: 1 min
	$(PY) -m bench.faults.scaleout $(SCALEOUT_ARGS)
