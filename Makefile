# Two commands for a fresh machine with Python 3.11+ and make: `make build` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TESTS  := $(VENV)/.installed-tests

.PHONY: build test serve wheel bench bench-100k clean

# sitegen and what it runs on: all that `make build` needs.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

# The test tools on top. axe-core (npm) is for tests/test_accessibility.py, which is skipped,
# with its reason printed, where npm is missing; npm failing must not stop the install.
$(TESTS): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	-@if command -v npm >/dev/null 2>&1; then \
	  npm install --prefix $(VENV)/node axe-core@4 --no-audit --no-fund --silent \
	    || echo "axe-core could not be installed; the accessibility tests will be skipped"; \
	fi
	touch $(TESTS)

build: $(STAMP)  ## build the demo site into public/
	$(BIN)/sitegen build .
	@echo "The site is in public/. To see it with live reload: $(BIN)/sitegen serve, then open http://localhost:8000/"
	@echo "sitegen itself is $(BIN)/sitegen (or: source $(BIN)/activate, then sitegen --help)."

# -rs prints why each skipped test was skipped (no chromium, no npm): `bash .ci/run` installs them.
test: $(TESTS)  ## lint, type-check, then run the whole test suite
	$(BIN)/ruff check sitegen tests bench
	$(BIN)/mypy --strict sitegen
	$(BIN)/python -m pytest -rs

serve: $(STAMP)  ## preview the demo site with live reload
	$(BIN)/sitegen serve .

wheel: $(STAMP)  ## build dist/sitegen_blog-<version>-py3-none-any.whl, the file to install sitegen from
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .
	@ls dist/sitegen_blog-*.whl

clean:
	rm -rf public .public.lock .sitegen-cache dist $(VENV)

bench: $(TESTS)  ## time sitegen on synthetic blogs of 1,000 and 10,000 posts (BENCH_ARGS=--peers adds Pelican and Hugo)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Opt-in: about an hour on 2 cores, some 12 GB on the RAM disk, and Pelican and Hugo installed into
# bench/.venv-peers on first use.
bench-100k: $(TESTS)  ## time sitegen, Pelican and Hugo on 100,000 posts and 10,000 tags (bench/results-100k.md)
	$(BIN)/python bench/run.py --sizes 100000 --peers --snapshot --output bench/results-100k.md $(BENCH_ARGS)
