# The two commands of the README: `make demo` and `make test`. Both set
# everything up from nothing: a virtualenv in .venv with quiver installed
# from this checkout (pip builds the Go engine through gopy).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.quiver-installed
SOURCES := $(shell find engine estimators export hyperspace pipeline pybridge python -name '*.go' -o -name '*.py' -o -name '*.h' -o -name '*.s' | grep -v '_test.go') \
	go.mod go.sum pyproject.toml setup.py

.PHONY: install demo test test-go test-python bench bench-smoke clean

install: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) $(SOURCES)
	$(PY) -m pip install --quiet ".[dev]"
	touch $@

demo: $(STAMP)
	$(PY) -m quiver.demo

test: test-go test-python

test-go:
	go vet ./...
	go test ./...

test-python: $(STAMP)
	$(PY) -m pytest -q tests

# Full-size benchmarks; writes benchmarks/RESULTS.md. Takes several minutes.
# fasttrees (a peer) goes in with --no-deps: its pins (numpy<=1.19.5, pandas<=0.25.3)
# cannot install on current Python; benchmarks/_fasttrees.py makes it run.
# PyTorch (a peer of the perceptrons) is not installed: PyPI has only its CUDA build
# for Linux x86_64 (over 2 GB of packages); the benchmark runs it where it is
# installed and otherwise says in RESULTS.md why it did not.
# tl2cgen, treelite and lleaves are peers of the compiled scorers (test_export.py);
# lleaves 1.3.0 needs llvmlite < 0.44, which removed the PassManagerBuilder it uses.
bench: $(STAMP)
	$(PY) -m pip install --quiet --no-deps fasttrees==1.3.1
	$(PY) -m pip install --quiet tl2cgen treelite lleaves "llvmlite<0.44"
	$(PY) -m pytest -q benchmarks -p no:cacheprovider

# The same benchmarks at tiny sizes, so they cannot rot; CI runs this.
bench-smoke: $(STAMP)
	$(PY) -m pip install --quiet --no-deps fasttrees==1.3.1
	QUIVER_BENCH_SCALE=smoke $(PY) -m pytest -q benchmarks -p no:cacheprovider

clean:
	rm -rf $(VENV) .build build python/*.egg-info
