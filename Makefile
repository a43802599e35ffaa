# Every target does its own set-up: on a fresh machine `make demo` and `make test` are enough.
# TORCH_SPEC is installed before the project so that no unpinned torch (a multi-GB CUDA
# build) is ever resolved. Its words are passed to pip as they are (not quoted into one), so
# it may carry options: TORCH_SPEC='torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu'.
PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
PY := $(VENV)/bin/python
# `make check`'s tests: all but tests/problems (every problem graded through the sandbox) and
# tests/attacks (a sandbox per hostile submission), which only `make test` runs.
CHECK_TESTS ?= tests/test_architecture.py tests/test_docs.py tests/judge tests/reference tests/site

.PHONY: setup demo test check bench lint

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet $(TORCH_SPEC)
	$(PY) -m pip install --quiet -e ".[dev,browser,bench]"
	touch $@

# The main job: grade the bundled example submissions (reports in _demo/) and build the
# study site (_site/index.html). Where the isolated sandbox is unavailable (no root or no
# unshare) the demo falls back to the basic level and says so in the reports.
demo: setup
	$(PY) -m judge grade-batch examples/submissions --allow-basic-sandbox --cache _demo/cache \
		--out _demo/report.html --out _demo/report.csv --out _demo/report.json
	$(PY) -m judge site build --out _site

# --dist loadgroup: tests marked xdist_group("NAME") share one worker (the unprivileged
# user's venv in tests/judge/test_rootfs.py is built once, not once per worker).
test: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest -q -n auto --dist loadgroup

# The inner loop, under a minute on two idle cores: the same lint and types, then the fast
# tests of CHECK_TESTS (about 62 CPU-seconds, sandboxed children included; mypy's first run
# after `make setup` adds about 24 s to fill its cache, later runs take under a second).
check: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest -q -n auto --dist loadgroup -m "not slow and not browser" $(CHECK_TESTS)

bench: setup
	$(PY) benchmarks/run_all.py

lint: setup
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .
