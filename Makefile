# Two commands for a newcomer:  make run   and   make test
# Both install missing Debian packages (Node.js/npm, and Chromium for the
# tests) when run as root, create the virtual environment, install the pinned
# dependencies and build the front-end (GOV.UK Frontend) when needed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_PASSWORD ?= demo-password-2024
PYTEST_ARGS ?=

.PHONY: run test lint format setup assets messages lock clean machine-run machine-test

run: machine-run setup assets messages
	@DEBUG=true DEMO_MODE=true DEMO_PASSWORD='$(DEMO_PASSWORD)' $(BIN)/python manage.py migrate --noinput
	@DEBUG=true DEMO_MODE=true DEMO_PASSWORD='$(DEMO_PASSWORD)' $(BIN)/python manage.py seed_demo
	@echo "Open http://127.0.0.1:8000 and sign in with a demo login above."
	@DEBUG=true DEMO_MODE=true DEMO_PASSWORD='$(DEMO_PASSWORD)' $(BIN)/python manage.py runserver 127.0.0.1:8000

test: machine-test setup assets messages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=true DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py makemigrations --check --dry-run

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

setup: $(STAMP)

# What the machine needs besides Python: installed with apt-get when run as
# root on Debian, otherwise the exact command to run is printed.
machine-run:
	@PYTHON='$(PYTHON)' bash scripts/prerequisites.sh run

machine-test:
	@PYTHON='$(PYTHON)' bash scripts/prerequisites.sh test

$(STAMP): requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || \
	  { echo "error: Python 3.11 is needed (found $$($(PYTHON) --version 2>&1))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

assets: static/build/css/app.css

# The adult's own page in Polish: the .po is kept in git, the compiled .mo
# is built here (Debian's gettext gives msgfmt; scripts/prerequisites.sh).
messages: locale/pl/LC_MESSAGES/django.mo

locale/pl/LC_MESSAGES/django.mo: locale/pl/LC_MESSAGES/django.po
	msgfmt --check -o $@ $<

static/build/css/app.css: package-lock.json assets/scss/app.scss scripts/build_assets.sh
	bash scripts/build_assets.sh

# Regenerate the pinned requirements after changing pyproject.toml.
lock: setup
	$(BIN)/uv pip compile pyproject.toml -o requirements.txt --python-version 3.11
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements-dev.txt --python-version 3.11

clean:
	rm -rf $(VENV) node_modules static/build staticfiles db.sqlite3
