# Liaison: two commands on a fresh machine.
#   make demo   install everything, load the demo data into SQLite, serve on http://127.0.0.1:8000
#   make test   install what the tests need (Chromium, Noto fonts, PostgreSQL running) and run
#               the whole suite on SQLite and on PostgreSQL, the two passes at the same time
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000
# The second pass repeats what depends on the database; plain modules and the
# file-only commands never touch it, so running them twice proves nothing.
# The analysis pages' browser walks run once (SQLite): their data layer runs on both in tests/analysis.
PG_ONLY := --ignore=tests/plain --ignore=tests/test_offline_cli.py --ignore-glob='tests/browser/test_analysis_*.py'

.PHONY: demo demo-federation test install install-test vendor-static system-deps postgres test-sqlite test-postgres bench clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet ./tools/pyicu-shim  # why: tools/pyicu-shim/pyproject.toml

# Browser libraries (map, link graph) from the npm registry, served by Liaison itself.
vendor-static: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	$(PYTHON) tools/vendor_static.py

install: $(BIN)/python vendor-static
	$(BIN)/pip install --quiet -e .
	$(BIN)/liaison i18n compile

install-test: $(BIN)/python vendor-static
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/liaison i18n compile

# After changing marked strings: bring every catalogue up to date (then translate
# the new entries; tests/plain/test_catalogues.py fails until they are).
messages: install-test
	cd liaison && ../$(BIN)/liaison makemessages --all --domain django --no-obsolete --ignore='*/tests/*' -v0
	$(BIN)/liaison i18n compile

demo: install
	mkdir -p var
	DEBUG=1 $(BIN)/liaison migrate --no-input -v0
	DEBUG=1 $(BIN)/liaison demo load
	DEBUG=1 $(BIN)/liaison demo logins
	DEBUG=1 $(BIN)/liaison runserver $(HOST):$(PORT)

# Three federated nodes (China, Thailand, Cambodia) on 127.0.0.1:8101-8103 (docs/federation.md).
demo-federation: install
	DEBUG=1 $(BIN)/liaison federation demo --dir var/federation --nodes "$(NODES)"

# Debian packages for the browser tests; PostgreSQL is started when it is installed but down.
system-deps:
	@if ! command -v chromium >/dev/null || ! fc-list | grep -qi "Noto Sans CJK" || ! ls /usr/lib/*/libpangoft2-1.0.so.0 >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; fi; \
	fi

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; echo "PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1

test-sqlite: install-test
	DATABASE_URL= $(BIN)/pytest -q

test-postgres: install-test postgres
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q $(PG_ONLY)

# The two passes run at the same time, one per core (each pass is one process, mostly on one
# core; one after the other left a core idle for the whole run). Each keeps pytest-django's order
# (transactional and browser tests last) and its own Redis database (tests/redis_db.py). The
# PostgreSQL pass's output is printed after the SQLite pass's; either failing fails the target.
test: system-deps install-test postgres
	@mkdir -p var
	@echo "== SQLite and PostgreSQL ($(PG_URL)) passes at once; the PostgreSQL output follows =="
	@DATABASE_URL=$(PG_URL) $(BIN)/pytest -q $(PG_ONLY) > var/test-postgres.log 2>&1 & postgres=$$!; \
	echo "== SQLite =="; DATABASE_URL= $(BIN)/pytest -q; sqlite=$$?; \
	wait $$postgres; pg=$$?; \
	echo "== PostgreSQL ($(PG_URL)) =="; cat var/test-postgres.log; \
	echo "== SQLite exit $$sqlite, PostgreSQL exit $$pg =="; \
	test $$sqlite = 0 && test $$pg = 0

bench: install-test postgres
	DATABASE_URL=$(PG_URL) $(BIN)/python bench/registry_bench.py

clean:
	rm -rf $(VENV) var
