PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: demo test lint bench golden venv

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -c constraints.txt -e '.[test]'
	touch $@

venv: $(VENV)/.installed

demo: venv
	$(PY) examples/linear_regression_gluon.py

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: lint
	OMP_NUM_THREADS=$${OMP_NUM_THREADS:-2} $(PY) -m pytest

bench: venv
	$(PY) benchmarks/seed_linreg.py

# Regenerate golden files with real MXNet 1.9.1 (see README, "The MXNet oracle").
golden: venv
	test -x .venv-oracle/bin/python || ($(PYTHON) -m venv .venv-oracle && \
	  .venv-oracle/bin/pip install -q mxnet==1.9.1 numpy==1.23.5 Pillow scikit-learn)
	$(PY) tools/dump_op_cases.py
	$(PY) tools/save_regluon_nets.py
	$(PY) tools/save_regluon_io.py
	for f in tools/gen_*.py; do .venv-oracle/bin/python $$f || exit 1; done
