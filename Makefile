# wording: the two commands are `make run` (set up and start the web app) and `make test`.
# Every install step lives here, so a fresh clone on a clean machine needs nothing else.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8080
WORKERS ?= 2

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test test-fast bench eval train lint clean

install: $(STAMP)

# torch first, pinned: the CPU build on local disk. A bare `torch` would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "wording needs Python 3.11"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[test]'
	touch $(STAMP)

run: install
	@echo "wording: starting the web app at http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	$(VENV)/bin/wording serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

test: install
	bash .ci/install-browser.sh
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not browser"

bench: install
	@for f in tests/bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

eval: install
	$(PY) -m wording.evaluate
	$(PY) -m wording.twcs

train: install
	$(PY) -m models.train

lint: install
	$(VENV)/bin/ruff check wording web models tests

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
