# newsindex: `make run` indexes the bundled corpus and serves the UI; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
INDEX  ?= var/index
SHARED ?= ../shared

.PHONY: install run build serve test test-fast bench bench-cleaning bench-quality bench-speed faults clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: install                      ## index corpus/ and serve http://127.0.0.1:8080
	$(BIN)/newsindex build corpus --index $(INDEX)
	$(BIN)/newsindex serve --index $(INDEX)

build: install
	$(BIN)/newsindex build corpus --index $(INDEX)

serve: install
	$(BIN)/newsindex serve --index $(INDEX)

test: install                     ## the whole suite (browser tests skip without /usr/bin/chromium)
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not browser and not slow"

clean:
	rm -rf var .pytest_cache
