# Quick start: `make run` (open the dashboard on the demo data), `make test` (whole suite).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEPS := $(VENV)/.deps-installed
AXE := node_modules/axe-core/axe.min.js
NPM := $(shell command -v npm)
PORT ?= 8501

.PHONY: run test lint format docs bench layouts demo communes clean help

help:
	@echo "make run    - installe, construit la base de démonstration si absente, lance l'application"
	@echo "make test   - lance toute la suite de tests (lint, unitaires, PostgreSQL si configuré, navigateur si Chromium)"
	@echo "make bench  - mesure l'ingestion de 100 000 lignes, le temps des pages, 20 sessions ouvertes ensemble, le pack du comité, la mémoire face aux fichiers hostiles"
	@echo "make demo   - reconstruit la base de démonstration à partir des fichiers de démonstration"
	@echo "make layouts - mesure la reconnaissance des colonnes et des libellés sur le corpus de présentations"
	@echo "make docs   - réécrit dans le README le tableau des réglages et la référence de la ligne de commande"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The project itself is installed in editable mode for its `pilotage` command (pyproject.toml).
$(DEPS): requirements.txt requirements-dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --editable .
	touch $(DEPS)

# axe-core for the accessibility test (tests/browser/test_accessibility.py), the version
# pinned in package-lock.json; `make test` installs it only where npm exists.
$(AXE): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

run: $(DEPS)
	$(BIN)/pilotage key --create
	$(BIN)/pilotage demo --if-missing
	$(BIN)/pilotage users first-admin
	$(BIN)/python -m dashboard.server --server.address localhost --server.port $(PORT)

demo: $(DEPS)
	$(BIN)/pilotage key --create
	$(BIN)/pilotage demo

test: $(DEPS) $(if $(NPM),$(AXE))
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	@command -v chromium >/dev/null 2>&1 || echo "Chromium absent : les tests navigateur seront ignorés (apt-get install chromium)."
	@[ -n "$(NPM)" ] || echo "npm absent : le test d'accessibilité (axe-core) sera ignoré (apt-get install npm)."
	@[ -n "$$PILOTAGE_TEST_PG_URL" ] || echo "PILOTAGE_TEST_PG_URL non défini : les tests de base de données tournent sur SQLite seulement."
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(DEPS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(DEPS)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The README's settings table and command-line reference, written from settings/ and from
# the parser of `pilotage` (commands/reference.py); tests/test_docs.py fails when they differ.
docs: $(DEPS)
	$(BIN)/python -m commands.reference

bench: $(DEPS)
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.sessions
	$(BIN)/python -m bench.pack
	$(BIN)/python -m bench.hostile

layouts: $(DEPS)
	$(BIN)/python -m tests.layouts.measure

communes: $(DEPS)
	$(BIN)/python scripts/build_communes.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .hypothesis
