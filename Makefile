# Tillit: `make demo` starts a demo, `make test` runs everything CI runs. Every target can run twice.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install; rebuilt when pyproject.toml or the lock changes.
STAMP := $(VENV)/.tillit-installed
PIP := $(BIN)/pip --disable-pip-version-check --quiet

.PHONY: help install lock system-deps messages demo test lint bench clean

help:
	@echo "make demo     install, build the demo organisations, serve at http://127.0.0.1:8000"
	@echo "make test     install test tools and run the whole suite (scripts/test.sh)"
	@echo "make lint     ruff check and ruff format --check"
	@echo "make bench    run every bench/*.py"
	@echo "make lock     regenerate requirements.lock from pyproject.toml"
	@echo "make install  the virtual environment in $(VENV) from requirements.lock"
	@echo "make clean    remove the virtual environment and build artefacts (keeps var/)"

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Tillit needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) -V 2>&1)." >&2; exit 1; }
	@test -x $(BIN)/python || { echo "Creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing requirements.lock into $(VENV)"
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps -e .
	@# tillit is installed without its dependencies, so a dependency added to pyproject.toml
	@# but not yet locked shows up here rather than as an ImportError later.
	@if $(BIN)/pip check 2>/dev/null | grep '^tillit '; then \
		echo "requirements.lock lacks a dependency of pyproject.toml: run 'make lock'." >&2; exit 1; fi
	@touch $@

lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(PIP) install uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet -o requirements.lock
	@echo "requirements.lock written; 'make install' installs it."

system-deps:
	@bash scripts/system-deps.sh
	@bash scripts/axe-core.sh

messages: install
	@if ! command -v msgfmt >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
		else \
			echo "msgfmt is missing: install gettext (sudo apt-get install gettext)." >&2; exit 1; \
		fi; \
	fi
	@# From tillit/, so only the project's catalogues are compiled (not those in .venv);
	@# up-to-date .mo files are skipped.
	cd tillit && ../$(BIN)/tillit compilemessages --verbosity 0

demo: install messages
	$(BIN)/tillit migrate --noinput --verbosity 0
	$(BIN)/tillit createcachetable
	$(BIN)/tillit demo
	$(BIN)/tillit serve

test: install system-deps messages
	bash scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install messages
	@shopt -s nullglob; scripts=(bench/[!_]*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "bench/ has no scripts yet."; exit 0; fi; \
	for script in "$${scripts[@]}"; do \
		echo "== $$script"; $(BIN)/python "$$script" || exit 1; \
	done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis var/static
	find tillit -name '*.mo' -delete
	find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +
