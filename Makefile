# Academy: `make run` starts the platform with demo data; `make test` runs the whole suite.
PYTHON ?= python3
# The embedded run: DEBUG on and a random secret kept in var/secret_key (academy/settings.py).
# A deployment sets DJANGO_SECRET_KEY instead and leaves this unset.
export ACADEMY_EMBEDDED ?= 1
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run test setup deps assets dirs migrate demo lint messages test-postgres test-integration ralph clean

run: setup migrate demo
	$(PY) manage.py run_embedded

# The browser tests run in a process of their own: Playwright needs DJANGO_ALLOW_ASYNC_UNSAFE,
# which must not switch off Django's async-safety check for the rest of the suite.
test: setup
	$(BIN)/pytest --ignore=tests/e2e
	$(BIN)/pytest tests/e2e

# Two Debian packages come from the system, not .venv: xmlsec1, which pysaml2 calls to sign and
# verify SAML (agencies' SAML sign-in and its tests), and chromium for the browser tests:
# `apt-get install -y chromium xmlsec1` (bash .ci/run does it).
setup: deps assets dirs
	@command -v xmlsec1 >/dev/null 2>&1 || echo "warning: xmlsec1 is missing (apt-get install -y xmlsec1): SAML sign-in and its tests need it"

dirs:
	mkdir -p var/broker/queue var/broker/processed var/broker/control var/media

deps: $(VENV)/.deps-installed

$(VENV)/.deps-installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

assets: node_modules/.assets-installed

node_modules/.assets-installed: package.json package-lock.json $(VENV)/.deps-installed
	PATH="$(CURDIR)/$(BIN):$$PATH" npm ci --no-audit --no-fund
	touch $@

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# Style, formatting, and the import contracts between apps (pyproject.toml, docs/architecture.md).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

messages: setup
	$(PY) manage.py makemessages -l fr --ignore=.venv --ignore=node_modules --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

test-postgres: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest

test-integration: setup ralph
	$(BIN)/pytest -m integration

# ralph-malph, the learning record store the xAPI integration tests send to. It pins its own
# FastAPI, pydantic and click, so it gets a virtualenv of its own, apart from the project's.
RALPH_VENV := var/ralph-venv
ralph: $(RALPH_VENV)/.installed

$(RALPH_VENV)/.installed:
	test -x $(RALPH_VENV)/bin/python || $(PYTHON) -m venv $(RALPH_VENV)
	$(RALPH_VENV)/bin/pip install --quiet 'ralph-malph[cli,lrs]==5.1.0' 'requests==2.32.5'
	touch $@

clean:
	rm -rf var/broker var/cache var/academy.sqlite3*
