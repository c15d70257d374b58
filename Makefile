# The two commands of the README: `make serve` and `make test`.
# Both set up a fresh machine first (scripts/setup.sh is idempotent).
export NO_MKDOCS_2_WARNING := 1
VENV := .venv/bin

.PHONY: setup setup-test serve build test lint snippets-test bench clean

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

serve: setup
	$(VENV)/mkdocs serve

build: setup
	$(VENV)/mkdocs build --strict

lint:
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy

test: setup-test lint
	$(VENV)/python -m pytest

snippets-test: setup
	$(VENV)/python -m pytest snippets

bench: setup
	$(VENV)/python benchmarks/build_times.py

clean:
	rm -rf site .execnotes-cache
