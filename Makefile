# The commands of the README: `make serve`, `make test` and `make test-fast`.
# `serve` and `test` set up a fresh machine first (scripts/setup.sh is
# idempotent); `test-fast`, the edit loop, expects that done once.
export NO_MKDOCS_2_WARNING := 1
VENV := .venv/bin
# The 25 slowest tests close every run: where the time goes (README, Tests).
PYTEST := $(VENV)/python -m pytest --durations=25

.PHONY: setup setup-test constraints serve build test test-site test-rest test-fast lint \
	snippets-test bench clean

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

# After a change of dependencies and a full `make test`: pin what passed.
constraints:
	{ sed -n '/^#/p' constraints.txt; \
	  $(VENV)/python -m pip freeze --exclude-editable; } > constraints.tmp
	mv constraints.tmp constraints.txt

serve: setup
	$(VENV)/mkdocs serve

build: setup
	$(VENV)/mkdocs build --strict

# mypy keeps its cache in .mypy_cache (CI caches it too); lint-imports
# checks the layers of execnotes (pyproject.toml, ARCHITECTURE.md).
lint:
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy
	$(VENV)/lint-imports

# Everything, as two pytest processes side by side (-O: each one's output
# in one piece, when it ends): the real site built once and all that reads
# it (HTML, browser, reader's environment, serve, deploy), which waits on
# browsers and servers much of the time; and the rest (snippets, runner
# and tiny sites), which fills those waits. Lint runs beside them: it is
# short, and its failure fails `make test` all the same.
test: setup-test
	$(MAKE) -j3 -O lint test-site test-rest

test-site:
	$(PYTEST) -m slow

test-rest:
	$(PYTEST) -m "not slow"

# The edit loop: lint, unit tests, the snippets (small data), and a
# representative set of tiny sites; no real site, browser or reader.
test-fast: lint
	$(PYTEST) -m "not slow and not tiny"

snippets-test: setup-test
	$(PYTEST) snippets

bench: setup
	$(VENV)/python benchmarks/build_times.py

clean:
	rm -rf site .execnotes-cache
