# Two commands do all the set-up on a fresh machine with Python 3.11 and make:
#   make run    venv + install + demo data when the landing zone is empty + whole pipeline
#   make test   venv + install + the test suite
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export REVOPS_LANDING_DIR ?= data/landing
export REVOPS_WAREHOUSE ?= data/warehouse.duckdb
export REVOPS_SERVING ?= data/serving.duckdb
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export GX_ANALYTICS_ENABLED := false
export DAGSTER_DISABLE_TELEMETRY := 1
export DO_NOT_TRACK := 1
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install install-spark run test test-spark test-ui ui docs bench lint clean

# dbt-core and dbt-duckdb (the `dbt` extra of pyproject.toml) get a virtualenv of their own:
# the pipeline runs dbt as a subprocess, and without dbt-core beside it the Dagster process
# loads its definitions in half the time (DECISIONLOG.md, "dbt-core in its own venv").
DBT_VENV := .venv-dbt
DBT_STAMP := $(DBT_VENV)/.installed

$(DBT_STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 1; }
	test -d $(DBT_VENV) || $(PYTHON) -m venv $(DBT_VENV)
	$(DBT_VENV)/bin/pip install -q --upgrade pip
	$(PYTHON) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['dbt']))" > $(DBT_VENV)/requirements.txt
	$(DBT_VENV)/bin/pip install -q -r $(DBT_VENV)/requirements.txt
	touch $(DBT_STAMP)

$(STAMP): pyproject.toml $(DBT_STAMP)
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@# A venv made before dbt moved out still has dbt-core, which dagster-dbt would import.
	$(BIN)/pip uninstall -q -y dbt-core dbt-duckdb 2>/dev/null || true
	touch $(STAMP)

install: $(STAMP)

$(REVOPS_LANDING_DIR):
	mkdir -p $(REVOPS_LANDING_DIR)

# Demo data only when the landing zone is empty: real exports are never overwritten.
demo-data: $(STAMP) $(REVOPS_LANDING_DIR)
	@if [ -z "$$(ls -A $(REVOPS_LANDING_DIR))" ]; then \
		echo "landing zone $(REVOPS_LANDING_DIR) is empty: generating the demo company"; \
		$(BIN)/revops generate --out $(REVOPS_LANDING_DIR); \
	fi

run: demo-data
	$(BIN)/revops run

# A second, tiny virtualenv with a DuckDB 1.x client: the serving database must open in the
# DuckDB that BI tools embed, and a test proves it with a real 1.x reader.
DUCKDB1_VENV := .venv-duckdb1
$(DUCKDB1_VENV)/.installed:
	$(PYTHON) -m venv $(DUCKDB1_VENV)
	$(DUCKDB1_VENV)/bin/pip install -q 'duckdb==1.4.*'
	touch $@

# Two pytest processes side by side, over disjoint sets of test files (tests/split_run.py).
test: $(STAMP) $(DUCKDB1_VENV)/.installed
	REVOPS_TEST_DUCKDB1_PYTHON=$(CURDIR)/$(DUCKDB1_VENV)/bin/python $(BIN)/python tests/split_run.py -m "not ui and not spark"

# REVOPS_ENGINE=spark: dbt-spark (session method) and pyspark in a virtualenv of their own,
# from the `spark` extra of pyproject.toml; Spark needs Java 17 (Debian: openjdk-17-jre-headless).
SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed
$(SPARK_STAMP): pyproject.toml
	@command -v java >/dev/null || { echo "Spark needs Java 17 on PATH (apt-get install openjdk-17-jre-headless)"; exit 1; }
	test -d $(SPARK_VENV) || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install -q --upgrade pip
	$(PYTHON) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['spark']))" > $(SPARK_VENV)/requirements.txt
	$(SPARK_VENV)/bin/pip install -q -r $(SPARK_VENV)/requirements.txt
	touch $(SPARK_STAMP)

install-spark: $(SPARK_STAMP)

# The same marts on Spark as on DuckDB (tests/spark): about 10 minutes on 2 cores.
test-spark: $(STAMP) $(SPARK_STAMP)
	SPARK_LOCAL_IP=127.0.0.1 $(BIN)/pytest -m spark tests/spark

# The Dagster UI on loopback. The instance config and the dbt manifest are prepared here,
# once, so the code server never parses dbt on import.
ui: $(STAMP)
	mkdir -p $(DAGSTER_HOME) && cp -u dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -c "from orchestration.assets.dbt import prepare_dbt_manifest; prepare_dbt_manifest()"
	$(BIN)/dagster dev -h 127.0.0.1 -p $${DAGSTER_PORT:-3000} -m orchestration.definitions

# Browser test of the asset graph: needs Debian's chromium (/usr/bin/chromium) and playwright.
test-ui: $(STAMP)
	$(BIN)/pip install -q -e '.[ui-test]'
	$(BIN)/pytest -m ui

# dbt's docs site (lineage, every model, column, test, group and exposure) in DBT_DOCS_DIR:
# index.html has the manifest and catalog inlined, so it opens from disk; or serve the folder
# (python -m http.server). The catalog reads the built warehouse: `make run` first, and not
# while a run holds the warehouse. dbt writes into a scratch target, never dbt_project/target.
DBT_DOCS_DIR ?= data/dbt-docs
docs: $(STAMP)
	@test -f $(REVOPS_WAREHOUSE) || { echo "no warehouse at $(REVOPS_WAREHOUSE): make run first (the docs catalog reads the built tables)"; exit 1; }
	rm -rf $(DBT_DOCS_DIR).building $(DBT_DOCS_DIR).new
	REVOPS_WAREHOUSE=$(abspath $(REVOPS_WAREHOUSE)) DBT_SEND_ANONYMOUS_USAGE_STATS=false \
		$(DBT_VENV)/bin/dbt --quiet docs generate --static \
		--project-dir dbt_project --profiles-dir dbt_project \
		--target-path $(abspath $(DBT_DOCS_DIR).building) \
		--log-path $(abspath $(DBT_DOCS_DIR).building)/logs
	mkdir -p $(DBT_DOCS_DIR).new
	cp $(DBT_DOCS_DIR).building/static_index.html $(DBT_DOCS_DIR).new/index.html
	cp $(DBT_DOCS_DIR).building/manifest.json $(DBT_DOCS_DIR).building/catalog.json $(DBT_DOCS_DIR).new/
	rm -rf $(DBT_DOCS_DIR) $(DBT_DOCS_DIR).building
	mv $(DBT_DOCS_DIR).new $(DBT_DOCS_DIR)
	@echo "dbt docs: open $(DBT_DOCS_DIR)/index.html, or serve them:"
	@echo "  $(BIN)/python -m http.server --bind 127.0.0.1 --directory $(DBT_DOCS_DIR) 8080"

# Benchmarks print figures and write benchmarks/results/*.json; nothing is asserted.
BENCH_SCALES ?= 1 10
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py --scales $(BENCH_SCALES)

lint: $(STAMP)
	$(BIN)/ruff check revops ingest quality orchestration demo serving tests benchmarks
	$(BIN)/ruff format --check revops ingest quality orchestration demo serving tests benchmarks

clean:
	rm -rf data .dagster_home $(DUCKDB1_VENV) dbt_project/target dbt_project/spark-warehouse dbt_project/metastore_db dbt_project/logs logs benchmarks/results .pytest_cache
