# Two entry points (see README): `make demo` and `make test`. Both set everything up first.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLES := examples

.PHONY: setup demo test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: setup
	bash scripts/ensure_gl.sh
	$(BIN)/python scripts/make_examples.py $(EXAMPLES)
	$(BIN)/mme3dr eval $(EXAMPLES)/reference --cases starter --out results --overwrite --save-views
	$(BIN)/mme3dr eval $(EXAMPLES)/broken --cases starter --out results --overwrite --save-views
	$(BIN)/mme3dr leaderboard results --out results/report.html

test: setup
	bash scripts/ensure_gl.sh
	bash scripts/ensure_chromium.sh
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python scripts/bench_eval.py

clean:
	rm -rf $(VENV) results $(EXAMPLES)/reference $(EXAMPLES)/broken
