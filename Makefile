# The course's commands. `make book` and `make test` are the README's two commands;
# both set up everything they need from a machine that has only Python 3.
.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# The Pythons the course supports: CPython from PY_OLDEST (pyproject.toml's requires-python) to
# PY_NEWEST, the default build (not free-threaded). `make wheels` checks that requirements.lock
# has a wheel of every pin for each of them on Linux, macOS and Windows.
PY_OLDEST := 3.11.5
PY_NEWEST := 3.15
# Exits 0 on a supported Python, else with a message saying why not.
PY_CHECK := import sys, sysconfig; v = sys.version_info[:3]; impl = sys.implementation.name; \
	ft = ", free-threaded" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""; \
	lo, hi = (tuple(int(n) for n in s.split(".")) for s in ("$(PY_OLDEST)", "$(PY_NEWEST)")); \
	ok = lo <= v and v[:2] <= hi and impl == "cpython" and not ft; \
	sys.exit(0 if ok else f"{sys.executable} is Python %d.%d.%d ({impl}{ft}), but the course needs CPython $(PY_OLDEST) to $(PY_NEWEST). Install one, then run: make PYTHON=/path/to/python3.x ..." % v)
# Python 3.11 if present and supported (what the course is tested with), else python3, else the
# first supported python3.12 to python3.15 on PATH. Give another with: make PYTHON=... install
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in python3.11 python3 python3.12 python3.13 python3.14 python3.15; do \
	command -v $$p >/dev/null 2>&1 && $$p -c '$(PY_CHECK)' >/dev/null 2>&1 && { command -v $$p; exit; }; done; \
	command -v python3 || echo python3)
endif
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
# Installed when pyproject.toml or the lock file changes.
STAMP := $(VENV)/.installed-course
NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb))
# make test runs the three floating-point configurations every machine must pass (the
# fourth too when CI is set); make portability runs every one this machine supports.
PORTABILITY_ARGS ?=
# Test processes run at once: the unit tests, the browser tests, make grade and the
# portability check's single-threaded configurations use every core, up to two. Under
# pytest-xdist each worker runs one BLAS thread (tests/conftest.py), and --dist worksteal
# moves tests from a busy worker to an idle one.
JOBS := $(shell n=$$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1); echo $$(( n < 2 ? n : 2 )))

.PHONY: help install book test unit unit-browser-numpy browser-numpy-env nbval portability build-strict browser browser-full serve linkcheck bench capstone lab execute student grade pdf lint lock wheels clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null || { echo "No $(PYTHON) found: install CPython $(PY_OLDEST) to $(PY_NEWEST), then make PYTHON=/path/to/python3.x ..." >&2; exit 1; }
	@$(PYTHON) -c '$(PY_CHECK)'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(VENV)/bin/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[course]'
	touch $@

install: $(STAMP)  ## create .venv and install rnnlib and the pinned dependencies

book: $(STAMP)  ## set up and build the website into _build/html
	$(BIN)/jupyter-book build .
	@echo "The book is built. Open: file://$(CURDIR)/_build/html/index.html"
	@echo "(For the live explorers, which need HTTP: make serve)"

test:  ## set up and run every test: wheels, unit (also on the browser kernel's numpy), nbval under every float configuration, strict build, browser (with CI set, also every chapter in the browser kernel and the PDFs)
	$(MAKE) --no-print-directory -j2 install browser-numpy-env
	$(MAKE) --no-print-directory wheels unit unit-browser-numpy
	$(MAKE) --no-print-directory portability PORTABILITY_ARGS="$(if $(CI),,--at-most 3)"
	$(MAKE) --no-print-directory build-strict browser $(if $(CI),browser-full pdf)

unit: $(STAMP)  ## unit tests of rnnlib, the checkers and the notebooks' hygiene
	$(BIN)/python -m pytest tests --ignore=tests/browser --ignore=tests/pdf -n $(JOBS) --dist worksteal

# Its own pip install takes one core for about 20 s: make test runs it beside the course's.
browser-numpy-env: $(VENV)/bin/python
	$(BIN)/python tools/browser_numpy.py --setup-only

unit-browser-numpy: $(STAMP)  ## rnnlib's unit tests on the browser kernel's numpy and matplotlib (2.0.2 and 3.8.4), in .venv-browser-numpy
	$(BIN)/python tools/browser_numpy.py

nbval: $(STAMP)  ## re-run every notebook and compare with its stored outputs
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with chapters/nbval-sanitize.cfg \
		$(NOTEBOOKS)

portability: $(STAMP)  ## nbval over every notebook under several floating-point configurations, figures compared
	$(BIN)/python tools/portability/run.py --jobs $(JOBS) $(PORTABILITY_ARGS)

build-strict: $(STAMP)  ## rebuild the whole book; any Sphinx warning fails
	$(BIN)/jupyter-book build . --all --warningiserror --nitpick --keep-going

browser: $(STAMP)  ## open every page of _build/html in headless Chromium, offline; screenshots in _build/screenshots
	$(BIN)/python -m pytest tests/browser --ignore=tests/browser/test_live_chapters.py -n $(JOBS) --dist worksteal

browser-full: $(STAMP)  ## run every chapter to the end in the browser kernel, offline (about 13 minutes, two at a time; make test runs it under CI)
	$(BIN)/python -m pytest tests/browser/test_live_chapters.py -n $(JOBS) --dist worksteal

serve:  ## serve _build/html on http://127.0.0.1:8000 (the live explorers need HTTP)
	@test -f _build/html/index.html || { echo "Build the site first: make book" >&2; exit 1; }
	@echo "Open http://127.0.0.1:8000/ (Ctrl-C stops)"
	$(PYTHON) -m http.server 8000 --bind 127.0.0.1 --directory _build/html

linkcheck: $(STAMP)  ## check the external links (needs the network; not part of make test)
	$(BIN)/jupyter-book build . --builder custom --custom-builder linkcheck

bench: $(STAMP)  ## time rnnlib against a naive loop and PyTorch (if installed); not part of make test
	$(BIN)/python benchmarks/bench_rnn.py

capstone: $(STAMP)  ## train chapter 8's capstone LSTM from three seeds (about 13 minutes) into rnnlib/data/alice_lstm.npz
	$(BIN)/python tools/train_capstone.py

execute: $(STAMP)  ## re-execute every notebook in place, top to bottom in a fresh kernel
	$(BIN)/python tools/execute_notebooks.py $(NOTEBOOKS)

student: $(STAMP)  ## write the student edition (solutions removed) to _build/student
	$(BIN)/python tools/student_edition.py _build/student

pdf: $(STAMP)  ## print the book, and a student edition without solutions, to _build/pdf/ (system Chromium); then check both
	$(BIN)/jupyter-book build .
	$(BIN)/python tools/print_book.py --out _build/pdf
	$(BIN)/python -m pytest tests/pdf

# make grade SUBMISSIONS=dir/ [GRADES=_build/grades] [GRADE_ARGS="--cell-timeout 120 --notebook-timeout 600"]
GRADES ?= _build/grades
GRADE_ARGS ?=
grade: $(STAMP)  ## grade a folder of filled-in student notebooks: make grade SUBMISSIONS=dir/ (gradebook, feedback, summary)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder/ (a folder of the students' notebooks, or of one folder per student)" >&2; exit 2; }
	$(BIN)/python tools/grade.py "$(SUBMISSIONS)" --out "$(GRADES)" --jobs $(JOBS) $(GRADE_ARGS)

lab: $(STAMP)  ## open the notebooks in JupyterLab
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[course,lab]'
	$(BIN)/jupyter lab chapters $(if $(filter 0,$(shell id -u)),--allow-root)

lint: $(STAMP)  ## ruff over the package, tests, tools and notebooks
	$(BIN)/ruff check rnnlib tests tools benchmarks chapters
	$(BIN)/ruff format --check rnnlib tests tools benchmarks

lock:  ## re-resolve every dependency into requirements.lock, then make wheels (needs the network)
	rm -rf /tmp/rnn-course-lock && $(PYTHON) -m venv /tmp/rnn-course-lock
	/tmp/rnn-course-lock/bin/pip install --quiet --upgrade pip setuptools
	/tmp/rnn-course-lock/bin/pip install --quiet -e '.[course,lab]'
	/tmp/rnn-course-lock/bin/pip freeze --all --exclude-editable --exclude pip > /tmp/rnn-course-lock/freeze.txt
	/tmp/rnn-course-lock/bin/python tools/update_lock.py /tmp/rnn-course-lock/freeze.txt requirements.lock
	$(MAKE) --no-print-directory wheels

wheels: $(VENV)/bin/python  ## check that every pin has a wheel on each supported Python and platform (needs the network)
	$(BIN)/python tools/check_wheels.py

clean:  ## remove the build output (keeps .venv and .venv-browser-numpy)
	rm -rf _build _contents
