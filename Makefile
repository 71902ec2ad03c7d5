# Two commands for a fresh machine with Python 3.11+ and make: `make build` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# axe-core for tests/test_accessibility.py (skipped without it); npm failing must not stop the install
	-@if command -v npm >/dev/null 2>&1; then \
	  npm install --prefix $(VENV)/node axe-core@4 --no-audit --no-fund --silent \
	    || echo "axe-core could not be installed; the accessibility tests will be skipped"; \
	fi
	touch $(STAMP)

build: $(STAMP)  ## build the demo site into public/
	$(BIN)/sitegen build .
	@echo "The site is in public/. To see it: $(BIN)/sitegen serve, then open http://localhost:8000/"

test: $(STAMP)  ## run the whole test suite
	$(BIN)/python -m pytest

clean:
	rm -rf public .public.lock $(VENV)

.PHONY: bench
bench: $(STAMP)  ## time sitegen on synthetic blogs of 1,000 and 10,000 posts (BENCH_ARGS=--peers adds Pelican and Hugo)
	$(BIN)/python bench/run.py $(BENCH_ARGS)
