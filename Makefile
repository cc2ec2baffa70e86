# Coach Connect. `make run` serves the demo; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run test coverage lint format bench prod-check lock migration services e2e clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The lock files pin the whole dependency tree; requirements*.txt name what we ask for (make lock).
$(VENV)/.installed: requirements.lock | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

$(VENV)/.installed-tests: tests/requirements.lock $(VENV)/.installed
	$(BIN)/pip install --quiet -r tests/requirements.lock
	touch $@

## make lock: recompile both lock files after changing requirements.txt or tests/requirements.txt
lock: $(VENV)/.installed-tests
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 --no-header requirements.txt -o requirements.lock
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 --no-header tests/requirements.txt -c requirements.lock -o tests/requirements.lock

## make run: embedded mode (SQLite, local files, inline jobs, outbox mail, offline payments)
run: $(VENV)/.installed
	APP_ENV=development $(BIN)/flask db upgrade
	APP_ENV=development $(BIN)/flask seed --demo
	@echo "Serving on http://127.0.0.1:$(PORT)  (staff console: /staff)"
	APP_ENV=development $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## make services: PostgreSQL, Redis and Chromium for the tests (installs/starts what is missing)
services:
	bash .ci/services.sh

## make test: the whole suite against real PostgreSQL, Redis, localstripe, moto, aiosmtpd, Chromium
test: $(VENV)/.installed-tests services
	$(BIN)/ruff check --config .ci/ruff.toml .
	$(BIN)/ruff format --config .ci/ruff.toml --check .
	$(BIN)/python -m pytest -c tests/pytest.ini --rootdir . $(PYTEST_ARGS)

## make coverage: the same suite under coverage.py (about 30 % slower), then the least covered files
coverage: $(VENV)/.installed-tests services
	$(BIN)/coverage run --rcfile=tests/coverage.ini -m pytest -c tests/pytest.ini --rootdir . $(PYTEST_ARGS)
	$(BIN)/coverage report --rcfile=tests/coverage.ini | tail -n 25

lint: $(VENV)/.installed-tests
	$(BIN)/ruff check --config .ci/ruff.toml .
	$(BIN)/ruff format --config .ci/ruff.toml --check .

format: $(VENV)/.installed-tests
	$(BIN)/ruff format --config .ci/ruff.toml .
	$(BIN)/ruff check --config .ci/ruff.toml --fix .

## make bench: scale data in a scratch PostgreSQL database, gunicorn, p50/p95 + query counts
## make bench BENCH_ARGS=--combinations: only the walk of every staff list's filter combinations
bench: $(VENV)/.installed-tests services
ifneq (,$(findstring --combinations,$(BENCH_ARGS)))
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)
else
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.versus
	$(BIN)/python -m benchmarks.checks
	$(BIN)/python -m benchmarks.jobs
	$(BIN)/python -m benchmarks.load
	$(BIN)/python -m benchmarks.plans
	$(BIN)/python -m benchmarks.streams
endif

## make prod-check: the production configuration (gunicorn, rq worker, clock, PostgreSQL, Redis, SMTP) walked once
prod-check: $(VENV)/.installed-tests services
	$(BIN)/python -m benchmarks.prod_check

## make migration: autogenerate a migration after a model change (review it!)
migration: $(VENV)/.installed
	$(BIN)/flask db migrate -m "$(or $(MSG),model change)"

clean:
	rm -rf $(VENV) instance tests/e2e/artifacts .pytest_cache .ruff_cache
