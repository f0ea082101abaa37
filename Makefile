# Sáng kiến portal. `make run` and `make test` work from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= config.settings.base

.PHONY: run install lock messages messages-update messages-check test test-fast lint format check worker beat clean prod-smoke

## Installs the locked dependency set (requirements/dev.lock), then the project itself.
$(BIN)/.installed: pyproject.toml requirements/dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed

## Re-resolve the locks after changing pyproject.toml's dependencies (needs the package index).
LOCK_FLAGS := --quiet --strip-extras --no-emit-index-url --no-emit-find-links
lock:
	$(PYTHON) -m venv var/lock-tools
	var/lock-tools/bin/pip install --quiet pip-tools
	var/lock-tools/bin/pip-compile $(LOCK_FLAGS) --output-file requirements/base.lock pyproject.toml
	var/lock-tools/bin/pip-compile $(LOCK_FLAGS) --extra dev -c requirements/base.lock \
	  --output-file requirements/dev.lock pyproject.toml
	var/lock-tools/bin/pip-compile $(LOCK_FLAGS) --extra bench -c requirements/dev.lock \
	  --output-file requirements/bench.lock pyproject.toml

messages: install
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0

## Refresh the English catalogue from the source (msgids are the Vietnamese strings).
messages-update: install
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=var --ignore=bench -v0

## Fail when a user-facing string has no English translation (CI).
messages-check: messages-update
	@untranslated=$$(msgattrib --untranslated locale/en/LC_MESSAGES/django.po | grep -c '^msgid' || true); \
	 fuzzy=$$(msgattrib --only-fuzzy locale/en/LC_MESSAGES/django.po | grep -c '^msgid' || true); \
	 if [ "$$untranslated$$fuzzy" != "00" ]; then \
	   echo "English catalogue incomplete: $$untranslated untranslated, $$fuzzy fuzzy (make messages-update, then translate)"; \
	   msgattrib --untranslated locale/en/LC_MESSAGES/django.po | grep '^msgid' | head -20; exit 1; fi
	@echo "English catalogue complete."

## Serve the portal on http://127.0.0.1:8000 with SQLite and demo data (no PostgreSQL or Redis).
run: messages
	DEBUG=1 $(BIN)/python manage.py migrate --noinput -v0
	DEBUG=1 $(BIN)/python manage.py seed_demo --if-empty
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

## The whole suite. Uses DATABASE_URL/REDIS_URL when set (CI), SQLite and in-process Celery otherwise.
## The unit and service tests run in TEST_PROCESSES processes (each with its own test
## database and Redis database), then the browser tests in one.
TEST_PROCESSES ?= $(shell nproc 2>/dev/null || echo 2)
test: messages
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -q -n $(TEST_PROCESSES) -m "not e2e" $(PYTEST_ARGS)
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -q -m e2e $(PYTEST_ARGS)

## The suite without browser tests.
test-fast: messages
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -q -n $(TEST_PROCESSES) -m "not e2e" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	SECRET_KEY=check-only-$$(date +%s)-a-long-random-enough-secret-value-for-the-deploy-check \
	  DJANGO_SETTINGS_MODULE=config.settings.production $(BIN)/python manage.py check --deploy --fail-level WARNING

worker: install
	$(BIN)/celery -A config worker -l info

beat: install
	$(BIN)/celery -A config beat -l info

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache

## Production smoke run: gunicorn + worker + beat with production settings, a browser story, real SMTP.
prod-smoke: messages
	$(BIN)/python scripts/prod_smoke.py
