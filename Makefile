# Single entry points; see README. Each recipe is one bash line so that the uv found (or
# installed) by scripts/lib.sh stays on PATH for the commands after it.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

BOOT := . scripts/lib.sh && ensure_uv &&
RUN := uv run --no-sync
LINT_PATHS := $(wildcard src tests bench scripts migrations)
FORMAT_PATHS := $(wildcard src tests bench migrations)

.PHONY: help install dev cluster test fuzz lint format services-up services-down services-status bench clean console console-client

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

install: ## install the app (uv sync) and the local service packages (var/services-venv)
	@$(BOOT) sync_app && ensure_services_venv

dev: ## run API + worker + beat against local services (Ctrl-C stops all)
	@bash scripts/dev.sh

cluster: ## API nodes behind nginx + workers + beats on PostgreSQL (NODES=2 WORKERS=2 BEATS=2 PORT=)
	@$(BOOT) sync_app --frozen && ensure_services_venv && \
	$(RUN) python -m atrium.cluster run --nodes $(or $(NODES),2) --workers $(or $(WORKERS),2) \
		--beats $(or $(BEATS),2) $(if $(PORT),--port $(PORT)) $(ARGS)

test: ## run the whole test suite against local services; pytest args via ARGS="..."
	@bash scripts/test.sh $(ARGS)

fuzz: ## fuzz every OpenAPI operation longer, random seed (FUZZ_EXAMPLES=200, FUZZ_SEED=random)
	@FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} FUZZ_SEED=$${FUZZ_SEED:-random} bash scripts/test.sh tests/fuzz -s $(ARGS)

console: ## build the web console into console/dist (npm ci + vite build; skipped when unchanged)
	@. scripts/lib.sh && ensure_console

console-client: ## regenerate the console's API client (console/src/api/schema.d.ts) from the OpenAPI
	@$(BOOT) sync_app --frozen && console_client

.PHONY: atrium
atrium: ## run the atrium CLI with the dev services' addresses: make atrium ARGS="tasks list"
	@./atrium $(ARGS)

lint: ## ruff (lint + format check) and mypy --strict
	@$(BOOT) sync_app --frozen && \
	$(RUN) ruff check $(LINT_PATHS) && \
	$(RUN) ruff format --check $(FORMAT_PATHS) && \
	$(RUN) mypy

format: ## apply ruff's fixes and formatting
	@$(BOOT) sync_app --frozen && \
	$(RUN) ruff check --fix $(LINT_PATHS) && \
	$(RUN) ruff format $(FORMAT_PATHS)

services-up: ## start the dev services (PROFILE=test for the test ones)
	@$(BOOT) devsvc up --profile $(or $(PROFILE),dev)

services-down: ## stop the dev services (PROFILE=test for the test ones)
	@. scripts/lib.sh && devsvc down --profile $(or $(PROFILE),dev)

services-status: ## show the dev services (PROFILE=test for the test ones)
	@. scripts/lib.sh && devsvc status --profile $(or $(PROFILE),dev)

bench: ## run the benchmarks in bench/ (python -m bench)
	@if [ -f bench/__main__.py ]; then \
		$(BOOT) sync_app --frozen && $(RUN) python -m bench $(ARGS); \
	else \
		echo "no benchmarks yet (bench/__main__.py is missing)"; \
	fi

clean: ## stop all local services, remove caches, test data, the services venv and the console build (keeps var/dev)
	@. scripts/lib.sh && devsvc down --profile test && devsvc down --profile dev
	rm -rf .mypy_cache .ruff_cache .pytest_cache var/test var/services-venv var/.services-venv.lock console/dist var/console
	find $(wildcard src tests bench migrations scripts) -name __pycache__ -type d -prune -exec rm -rf {} +
	@echo "kept var/dev (your local data); remove it by hand to start from scratch"
