# Quick start: `make demo` (generate from the shipped model) and `make test` (all tests).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= demo-out

.PHONY: demo test test-fast setup setup-dev lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Runtime only: numpy, pillow, typer, rich, onnxruntime(-gpu). No torch.
setup: $(BIN)/python
	$(BIN)/python -m pip install -q -e .

# Training and tests: the CPU build of torch is pinned first, so the `torch>=2.4` requirement is already met
# and pip never pulls a multi-GB CUDA build on machines without a GPU.
setup-dev: $(BIN)/python
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[train,dev,app]'

demo: setup
	$(BIN)/assetgan generate --count 64 --seed 0 --sheet --no-files --scale 2 --out $(OUT) --force

test: setup-dev
	$(BIN)/python -m pytest -q

# The torch-free tiers (runtime, CLI, app) on the committed ONNX fixtures, with torch made unimportable.
test-fast: setup-dev
	ASSETGAN_NO_TORCH=1 $(BIN)/python -m pytest -q -m "not torch"

# ruff everywhere, and the import contracts of pyproject.toml (torch and Qt stay in their tiers).
lint: setup-dev
	$(BIN)/ruff check assetgan ui tests benchmarks lab
	$(BIN)/lint-imports

bench: setup-dev
	$(BIN)/python benchmarks/train_throughput.py
	$(BIN)/python benchmarks/generate_speed.py
	$(BIN)/python benchmarks/cli_startup.py

# The desktop bundle (PyInstaller, no torch) and its archive in packaging/dist/; see README "Packaging".
.PHONY: bundle
bundle:
	bash packaging/build.sh

clean:
	rm -rf $(OUT) .pytest_cache
