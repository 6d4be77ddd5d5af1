# civicloop — two commands: `make run` (set up and serve) and `make test` (set up and test).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
PYTEST_ARGS ?=

.PHONY: run test setup setup-test assets db demo lint fmt bench clean serve

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(VENV)/.installed $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json

setup: $(VENV)/.installed assets

setup-test: $(VENV)/.installed-test assets

db: setup
	$(BIN)/civicloop migrate --noinput
	$(BIN)/civicloop createcachetable

demo: db
	$(BIN)/civicloop demo

run: demo
	$(BIN)/civicloop collectstatic --noinput --verbosity 0
	$(BIN)/civicloop serve --host $(HOST) --port $(PORT) --workers $(WORKERS) --with-worker

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup-test
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

fmt: setup-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules var
