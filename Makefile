# make run  - install into .venv, migrate, load demo data, deliver SMS in the background, serve :8000
# make test - install into .venv and run the whole suite (SQLite; DATABASE_URL=postgres://... for PostgreSQL)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
DEV_ENV := DEBUG=1 DEMO_MODE=1

.PHONY: install messages run test test-fast lint bench clean

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

run: messages
	mkdir -p var
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@echo "Serving http://$(HOST)/  (admin: http://$(HOST)/admin/, credentials above; Ctrl+C stops)"
	@$(DEV_ENV) $(BIN)/python manage.py send_sms --loop & sms_pid=$$!; \
	trap 'kill $$sms_pid 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST)

test: messages
	mkdir -p var
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python bench/ledger_bench.py

clean:
	rm -rf $(VENV) var/*.sqlite3* db.sqlite3* staticfiles
