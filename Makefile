# Two commands: `make run` (the app, demo data on first run) and `make test` (lint and every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "SafeClass needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/python -m safeclass check-content >/dev/null || $(BIN)/python -m safeclass check-content
	$(BIN)/python -m safeclass migrate
	SAFECLASS_DEMO=$${SAFECLASS_DEMO-1} $(BIN)/python -m safeclass seed-demo --if-empty
	@echo "SafeClass: http://localhost:$(PORT)"
	SAFECLASS_DEMO=$${SAFECLASS_DEMO-1} SAFECLASS_PUBLIC_URL=$${SAFECLASS_PUBLIC_URL-http://localhost:$(PORT)} \
		$(BIN)/streamlit run app.py --server.port $(PORT)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
