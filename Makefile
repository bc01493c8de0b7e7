# The two commands: `make demo` runs the main job, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test test-slow bench install clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# pip would byte-compile every installed file, the packages' own test suites included
# (a third of the files, ~20 s CPU); compile what can be imported, and neuroam's source
$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q --no-compile -e '.[test]'
	$(PY) -m compileall -q -x 'site-packages/.+/tests?/' "$$($(PY) -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" neuroam
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/neuroam run scenarios/quickstart.toml --out results/quickstart --overwrite

test: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow

bench: $(STAMP)
	$(PY) benchmarks/bench_ideal.py

clean:
	rm -rf $(VENV) results .pytest_cache
