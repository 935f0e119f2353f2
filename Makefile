# newsindex: `make run` indexes the bundled corpus and serves the UI; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
INDEX  ?= var/index
SHARED ?= ../shared

.PHONY: install lint run build serve test test-fast bench-cleaning bench-quality bench-speed faults load clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dask]'
	touch $@

run: install                      ## index corpus/ and serve http://127.0.0.1:8080 (two server processes)
	$(BIN)/newsindex build corpus --index $(INDEX)
	$(BIN)/newsindex serve --index $(INDEX) --workers 2

build: install
	$(BIN)/newsindex build corpus --index $(INDEX)

serve: install
	$(BIN)/newsindex serve --index $(INDEX) --workers 2

lint: install                     ## ruff, configured in pyproject.toml
	$(BIN)/ruff check .

test: install                     ## the whole suite (browser tests skip without /usr/bin/chromium)
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not browser and not slow"

bench-speed: install              ## build, incremental and query figures beside the peers (long)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/speed.py --build-repeats 1 --repeats 3

bench-cleaning: install           ## HTML cleaner on every extraction set beside trafilatura and htmldate (~15 min)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/cleaning.py --corpus $(SHARED)/corpus

bench-quality: install            ## known-item relevance on Reuters
	$(BIN)/python benchmarks/relevance.py --only product   # the baseline and the product rows (~40 min)

faults: install                   ## the long crash-safety sweep (~15 min)
	$(BIN)/python benchmarks/faults.py

load: install                     ## 16 clients x 60 s against newsindex serve on 127.0.0.1
	$(BIN)/python benchmarks/load.py

clean:
	rm -rf var .pytest_cache
