# The course's commands. `make book` and `make test` are the README's two commands;
# both set up everything they need from a machine that has only Python 3.
.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# Python 3.11 if present (what the course is tested with), else any python3 >= 3.10.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
# Installed when pyproject.toml or the lock file changes.
STAMP := $(VENV)/.installed-course
NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb))

.PHONY: help install book test unit nbval build-strict browser linkcheck bench capstone lab execute student lint lock clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "the course needs Python 3.10 or newer"'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(VENV)/bin/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[course]'
	touch $@

install: $(STAMP)  ## create .venv and install rnnlib and the pinned dependencies

book: $(STAMP)  ## set up and build the website into _build/html
	$(BIN)/jupyter-book build .
	@echo "The book is built. Open: file://$(CURDIR)/_build/html/index.html"

test: $(STAMP)  ## set up and run every test: unit, nbval, strict book build, real-browser check of every page
	$(MAKE) --no-print-directory unit nbval build-strict browser

unit: $(STAMP)  ## unit tests of rnnlib, the checkers and the notebooks' hygiene
	$(BIN)/python -m pytest tests --ignore=tests/browser

nbval: $(STAMP)  ## re-run every notebook and compare with its stored outputs
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with chapters/nbval-sanitize.cfg \
		$(NOTEBOOKS)

build-strict: $(STAMP)  ## rebuild the whole book; any Sphinx warning fails
	$(BIN)/jupyter-book build . --all --warningiserror --nitpick --keep-going

browser: $(STAMP)  ## open every page of _build/html in headless Chromium, offline; screenshots in _build/screenshots
	$(BIN)/python -m pytest tests/browser

linkcheck: $(STAMP)  ## check the external links (needs the network; not part of make test)
	$(BIN)/jupyter-book build . --builder custom --custom-builder linkcheck

bench: $(STAMP)  ## time rnnlib against a naive loop and PyTorch (if installed); not part of make test
	$(BIN)/python benchmarks/bench_rnn.py

capstone: $(STAMP)  ## train chapter 8's longer LSTM (about 10 minutes) into rnnlib/data/alice_lstm.npz
	$(BIN)/python tools/train_capstone.py

execute: $(STAMP)  ## re-execute every notebook in place, top to bottom in a fresh kernel
	$(BIN)/python tools/execute_notebooks.py $(NOTEBOOKS)

student: $(STAMP)  ## write the student edition (solutions removed) to _build/student
	$(BIN)/python tools/student_edition.py _build/student

lab: $(STAMP)  ## open the notebooks in JupyterLab
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[course,lab]'
	$(BIN)/jupyter lab chapters $(if $(filter 0,$(shell id -u)),--allow-root)

lint: $(STAMP)  ## ruff over the package, tests, tools and notebooks
	$(BIN)/ruff check rnnlib tests tools benchmarks chapters
	$(BIN)/ruff format --check rnnlib tests tools benchmarks

lock:  ## re-resolve every dependency into requirements.lock (needs the network)
	rm -rf /tmp/rnn-course-lock && $(PYTHON) -m venv /tmp/rnn-course-lock
	/tmp/rnn-course-lock/bin/pip install --quiet -e '.[course,lab]'
	{ echo "# Exact versions of everything the course installs (make install uses this file as pip constraints)."; \
	  echo "# Regenerate after changing a dependency in pyproject.toml: make lock"; \
	  /tmp/rnn-course-lock/bin/pip freeze --exclude-editable; } > requirements.lock

clean:  ## remove the build output (keeps .venv)
	rm -rf _build
