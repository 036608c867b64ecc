# coursehub: `make test` runs every test against the real Docker Engine; `make bench` the benchmarks.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin

.PHONY: help venv lint test unit e2e browser notebooks bench up down clean readme

help:
	@echo "make test       lint, then every test (unit, course, end-to-end, browser); needs Docker"
	@echo "make unit       fast tests without Docker"
	@echo "make bench      benchmarks (results in bench/results/)"
	@echo "make up / down  start / stop the platform (docker compose)"

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Fast tests first, so a broken unit fails in seconds; the stack is built once and shared.
test: lint
	$(BIN)/pytest tests/unit tests/notebooks tests/e2e tests/browser

unit: venv
	$(BIN)/pytest tests/unit tests/notebooks/test_course_files.py

e2e: venv
	$(BIN)/pytest tests/e2e

browser: venv
	$(BIN)/pytest tests/browser

notebooks: venv
	$(BIN)/pytest tests/notebooks

# Benchmarks: numbers, not pass/fail (results in bench/results/).
bench: venv
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/allocator.py
	$(BIN)/python bench/ttfn.py --sequential 20 --storms 10,30,60 --loaded 50 --grown 10
	$(BIN)/python bench/build.py --cold
	$(BIN)/python bench/report.py

up:
	docker compose up -d --build --wait

down:
	docker compose down

clean:
	rm -rf $(VENV) test-output .pytest_cache .ruff_cache

# Regenerate README's configuration table from the settings model (a unit test compares them).
readme: venv
	$(BIN)/python -c 'import re, pathlib; from coursehub.cli import settings_markdown; p = pathlib.Path("README.md"); p.write_text(re.sub(r"(<!-- settings-table -->\n).*?(\n<!-- /settings-table -->)", lambda m: m.group(1) + settings_markdown() + m.group(2), p.read_text(), flags=re.S))'
