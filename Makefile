# The two commands: `make run` (whole system with demo data) and `make test` (every test).
# Everything installs itself when missing; nothing here needs Docker.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := python3.11
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
LAUNCHER := $(UV) run --frozen cqrs-local
PYTEST_ARGS ?=

.PHONY: help install run test up down status logs env lint fmt schemas bench

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

install:  ## install uv (if missing) and the locked Python dependencies
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet --user uv
	$(UV) sync --frozen --all-packages

up: install  ## start the infrastructure (Kafka, FerretDB, SeaweedFS, clamd, SMTP, nginx)
	$(LAUNCHER) up

run: install  ## start everything, load demo data and print where to go
	$(LAUNCHER) up
	$(UV) run --frozen python -m cqrs_local.demo
	$(LAUNCHER) up --services
	@echo
	@echo "CQRS is running behind the gateway: http://127.0.0.1:8080/api/<service>/ (identity, participation, claims, scanning, notifications)"
	@echo "API docs: http://127.0.0.1:8080/api/identity/docs (and the same for each service)"
	@echo "Demo logins (development only): services/identity/DEMO_USERS.md"
	@echo "Status: make status    Logs: make logs    Stop everything: make down"

test: install  ## start the infrastructure and run every test (unit, integration, e2e, faults)
	$(LAUNCHER) up
	eval "$$($(LAUNCHER) env)" && $(UV) run --frozen pytest $(PYTEST_ARGS)

down:  ## stop everything the launcher started
	$(LAUNCHER) down

status:  ## one line per part: ready or not, address, pid, log file
	$(LAUNCHER) status

logs:  ## show recent logs of every part (make logs PART=kafka FOLLOW=-f for one)
	$(LAUNCHER) logs $(PART) $(FOLLOW)

env:  ## print the endpoints as shell export lines
	@$(LAUNCHER) env

lint: install  ## ruff and mypy --strict
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy contracts/src libs/kit/src services/*/src deploy/local/src \
		contracts/tests libs/kit/tests services/*/tests tests benchmarks conftest.py

fmt: install  ## format and autofix
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

schemas: install  ## write every event's JSON Schema into contracts/schemas/ and freeze published versions
	$(UV) run --frozen python -m cqrs_contracts.schemas

bench: install  ## benchmarks: print figures, assert nothing about speed
	$(LAUNCHER) up
	eval "$$($(LAUNCHER) env)" && CQRS_LOG_LEVEL=WARNING $(UV) run --frozen python -m benchmarks
