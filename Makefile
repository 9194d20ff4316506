# make run  - install into .venv, migrate, load demo data, deliver SMS in the background, serve :8000
# make test - install into .venv and run the whole suite (SQLite; DATABASE_URL=postgres://... for PostgreSQL)
# make lint - ruff (lint and format) over the tree, mypy over the domain apps
# make bench - the ledger, HTTP and provider benchmarks (bench/README.md)
# make training-reset - put the demo data back as seed_demo made it (between training groups)
# make guide - regenerate the seed's instruction with screenshots from the replica (guide/, HTML + PDF)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
DEV_ENV := DEBUG=1 DEMO_MODE=1

.PHONY: install messages run test test-fast lint bench training-reset guide clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Development defaults for manage.py run by hand; the environment still wins. Never used by wsgi.py.
.env:
	printf 'DEBUG=1\nDEMO_MODE=1\n' > .env

install: $(STAMP) .env

# Compile the .po files with polib, so that no system gettext is needed.
messages: install
	$(DEV_ENV) $(BIN)/python manage.py compile_translations
	$(DEV_ENV) $(BIN)/python manage.py sochi_compile_translations $(SOCHI)

SOCHI_HOST ?= 127.0.0.1:8001
SOCHI := --settings=sochi_site.settings
RUN_ENV = $(DEV_ENV) DOSTEK_OSMP_URL=http://$(SOCHI_HOST)/osmp/

# The wallet on HOST, СОЧИ (DosTek group, its own database) on SOCHI_HOST, and the background workers: SMS delivery,
# the task worker (payment retries), the payments sweeper and the classroom's judge (trainees' cases switch status by
# themselves). Ctrl+C stops all of them.
run: messages
	mkdir -p var
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py seed_demo --base-url http://$(HOST)
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input $(SOCHI)
	$(DEV_ENV) $(BIN)/python manage.py sochi_seed $(SOCHI)
	@echo "Serving http://$(HOST)/  (admin: http://$(HOST)/admin/, credentials above) and СОЧИ on http://$(SOCHI_HOST)/; Ctrl+C stops"
	@$(DEV_ENV) $(BIN)/python manage.py sochi_serve $(SOCHI_HOST) $(SOCHI) & sochi_pid=$$!; \
	$(RUN_ENV) $(BIN)/python manage.py send_sms --loop & sms_pid=$$!; \
	$(RUN_ENV) $(BIN)/python manage.py db_worker --interval 1 --no-reload & tasks_pid=$$!; \
	$(RUN_ENV) $(BIN)/python manage.py process_payments --loop --interval 15 & sweeper_pid=$$!; \
	$(RUN_ENV) $(BIN)/python manage.py training_judge --loop & judge_pid=$$!; \
	trap 'kill $$sochi_pid $$sms_pid $$tasks_pid $$sweeper_pid $$judge_pid 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST)

# pytest-xdist: the suite in PYTEST_WORKERS processes, each with its own test database (test-<pid>.sqlite3, or
# test_<name>_gw<n> on PostgreSQL). Tests are handed out one by one in pytest-django's order, so each process still
# runs the committing (transactional) tests after the others: their flush empties the database of the seeded
# catalog and roles, which by file (--dist loadfile) would reach the next file's tests. PYTEST_WORKERS=0: one process.
PYTEST_WORKERS ?= 2

test: messages
	mkdir -p var
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# ruff over the whole tree; mypy (django-stubs) over the domain apps ([tool.mypy] in pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The three benchmarks (bench/README.md); options through LEDGER_BENCH_ARGS, HTTP_BENCH_ARGS and PROVIDER_BENCH_ARGS.
bench: messages
	$(BIN)/python bench/ledger_bench.py $(LEDGER_BENCH_ARGS)
	$(BIN)/python bench/http_bench.py $(HTTP_BENCH_ARGS)
	$(BIN)/python bench/provider_bench.py $(PROVIDER_BENCH_ARGS)
	$(BIN)/python bench/api_bench.py $(API_BENCH_ARGS)

# Between training groups, beside a running `make run` or on its own (DosTek's fault switch is reset if СОЧИ is up).
training-reset: messages
	$(RUN_ENV) $(BIN)/python manage.py training_reset --reason "$(or $(REASON),make training-reset)"

# The seed's instruction regenerated: starts a replica of its own (about 30 s) unless GUIDE_ARGS="--base-url URL".
guide: messages
	$(DEV_ENV) $(BIN)/python manage.py build_guide --out guide $(GUIDE_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3* var/sochi-static db.sqlite3* staticfiles guide
