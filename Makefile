# motcua — one command per task; every target makes the virtualenv it needs first.
#
#   make dev        the platform on loopback: portal and API on :$(PORT), moto on :$(MOTO_PORT)
#   make test       every test under tests/ (unit, integration, api, infra, e2e)
#   make check      ruff and mypy
#   make recount    with make dev running: the statistics' counters rebuilt from the dossiers
#   make reset      forget what the local stack stored for $(PROVINCE)
#   make bench      every benchmarks/*.py: one table, written to benchmarks/results.md
#   make synth      the CDK app's stages into cdk.out/, offline: every province, or PROVINCE=<id>
#   make deploy     cdk deploy the stage Motcua-$(PROVINCE) (needs PROVINCE=<id> and AWS credentials)
#
# PORT, MOTO_PORT and PROVINCE can be given on the command line: make dev PORT=9000 PROVINCE=demo
# A province is provinces/<id>.yaml. Once per account and region, before the first deploy there:
# npx aws-cdk@2 bootstrap aws://<account>/<region>
# The local sweep runs every MOTCUA_SWEEP_SECONDS (60; 0 is off): MOTCUA_SWEEP_SECONDS=300 make dev

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Written after a successful install; pyproject.toml newer than it means install again.
INSTALLED := $(VENV)/.installed

PORT ?= 8000
MOTO_PORT ?= 8001
PROVINCE ?= demo
PYTEST_ARGS ?=
BENCH ?=

export PORT MOTO_PORT PROVINCE
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# The AWS CDK command line, for deploy only (synth runs the app directly, offline).
CDK ?= npx --yes aws-cdk@2
# A province named on the command line; synth takes every province without one, deploy refuses.
CHOSEN := $(if $(filter command line,$(origin PROVINCE)),$(PROVINCE),)
# The Lambdas' code (the API's app.py and chalicelib, routing, sweep, notify) imports as top-level
# packages, as on Lambda; the local stack (infra/devstack) and the CDK app (infra/) from the root.
export PYTHONPATH := $(CURDIR)/functions:$(CURDIR)/functions/api:$(CURDIR)

.PHONY: help .venv dev test check reset bench synth deploy recount

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

.venv: $(INSTALLED)

# The portal's build tool (esbuild, infra/site.py) comes from npm, pinned by package-lock.json.
$(INSTALLED): pyproject.toml package-lock.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	npm ci --prefer-offline --no-audit --no-fund --loglevel=error
	@touch $@

dev: $(INSTALLED)
	$(BIN)/python -m infra.devstack

recount: $(INSTALLED)  # with make dev running: the statistics' counters rebuilt from the dossiers
	$(BIN)/python -m infra.devstack.recount

test: $(INSTALLED)
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS) tests

check: $(INSTALLED)  # both run, so that one report does not hide the other
	@status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/mypy layers functions infra tests/fakes || status=1; \
	exit $$status

reset:
	@test -n "$(PROVINCE)" || { echo "PROVINCE is empty"; exit 2; }
	rm -rf .data/$(PROVINCE)

# One table of every benchmark's figures (benchmarks/run.py), also written to benchmarks/results.md;
# what a benchmark logs is kept aside and shown only if it fails. BENCH=cold_start runs only that one;
# with UPDATE=1 its rows in benchmarks/results.md are replaced (the others kept).
bench: $(INSTALLED)
	@$(BIN)/python benchmarks/run.py $(if $(UPDATE),--update) $(BENCH)

synth: $(INSTALLED)
	$(BIN)/python -m infra.app $(if $(CHOSEN),--province $(CHOSEN)) --out cdk.out

deploy: $(INSTALLED)
	@test -n "$(CHOSEN)" || { echo "make deploy PROVINCE=<id>: one of $$(ls provinces | sed 's/\.yaml$$//' | tr '\n' ' ')"; exit 2; }
	$(CDK) deploy --app '$(BIN)/python -m infra.app' --context province=$(CHOSEN) \
		--require-approval broadening 'Motcua-$(CHOSEN)/*'
