# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
PORT ?= 9999
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install demo test check format lint types pytest bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Compiled once at install: where PYTHONDONTWRITEBYTECODE is set (CI's machines), every
# Python process would otherwise compile its libraries anew, and the tests start many.
$(VENV)/.installed: $(UV) pyproject.toml uv.lock Makefile
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/tillsync sandbox --simulate --port $(PORT)

test: install format lint types pytest

format:
	$(BIN)/ruff format --check src tests bench scripts

lint:
	$(BIN)/ruff check src tests bench scripts

types:
	$(BIN)/mypy src

# With PYTHONDONTWRITEBYTECODE set, every process the tests start (xdist workers, sandboxes,
# CLI commands, workers, emulators) would compile our modules again: compile them once.
pytest:
	$(BIN)/python -m compileall -q src tests
	$(BIN)/pytest -n 3 --maxschedchunk 2

bench: install
	$(BIN)/python bench/sale_sync.py

clean:
	rm -rf $(VENV) $(TOOLS) .tillsync-sandbox .mypy_cache .ruff_cache .pytest_cache
