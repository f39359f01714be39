# OpenIPN: two commands do all set-up on a fresh machine.
#   make run   - virtual environment, install, then `openipn run`: serve the network stored in
#                ./data (the example plant only when the store is empty) with its twin feeding
#                live telemetry; refuses to start when the port or ./data is in use
#   make test  - install what the tests need (Debian packages too) and run the whole suite

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SITE ?= examples/plant.yaml
SCENARIO ?= scenarios/live-plant.yaml
HOST ?= 127.0.0.1
PORT ?= 8080
DEBIAN_TEST_PACKAGES := postgresql chromium prometheus

.PHONY: run test check lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/openipn run --site $(SITE) --scenario $(SCENARIO) --host $(HOST) --port $(PORT)

test: $(STAMP)
	bash scripts/ensure-debian-packages.sh $(DEBIAN_TEST_PACKAGES)
	$(MAKE) lint
	$(BIN)/pytest -q -n 2 -p no:cacheprovider

# Inner loop: lint + tests without PostgreSQL.
check: $(STAMP)
	$(MAKE) lint
	OPENIPN_TEST_SKIP_POSTGRES=1 $(BIN)/pytest -q -n 2 -m "not postgres and not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench examples scripts
	$(BIN)/ruff format --check src tests bench examples scripts
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests bench examples scripts
	$(BIN)/ruff check --fix src tests bench examples scripts

bench: $(STAMP)
	$(BIN)/python bench/bench_sims.py
	$(BIN)/python bench/bench_pm_intake.py
	$(BIN)/python bench/bench_pm_memory.py
	$(BIN)/python bench/bench_ves.py
	$(BIN)/python bench/bench_ves_consumer.py --memo
	$(BIN)/python bench/bench_kpi_query.py
	$(BIN)/python bench/bench_sla.py
	$(BIN)/python bench/bench_telemetry_layout.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
