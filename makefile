# garagesale/service
#
# Tests need PostgreSQL server binaries (initdb, pg_ctl, postgres), not
# Docker: pgrun starts one throwaway cluster that the whole `go test` run
# shares through SALES_TEST_DB_URL. Set SALES_TEST_DB_URL yourself to test
# against a server you already have.

SHELL := /bin/bash

GO          ?= go
STATICCHECK ?= $(shell command -v staticcheck 2>/dev/null || echo $(HOME)/go/bin/staticcheck)

ifdef SALES_TEST_DB_URL
WITH_DB :=
else
WITH_DB := $(GO) build -o ./bin/pgrun ./api/tooling/pgrun && ./bin/pgrun --
endif

.PHONY: test test-race vet lint tidy build-local run

# ==============================================================================
# Testing and checks

test:
	$(WITH_DB) $(GO) test -count=1 ./...

test-race:
	$(WITH_DB) $(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

lint:
	@if [ ! -x "$(STATICCHECK)" ]; then \
		echo "staticcheck not found; install it: go install honnef.co/go/tools/cmd/staticcheck@latest"; \
		exit 1; \
	fi
	$(STATICCHECK) ./...

# ==============================================================================
# Modules

tidy:
	$(GO) mod tidy
	$(GO) mod vendor

# ==============================================================================
# Running the service locally

BIN     := ./bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo develop)
LDFLAGS := -X main.version=$(VERSION)

# build-local compiles every command of the kit into ./bin.
build-local:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/sales-api ./api/services/sales
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/metrics ./api/services/metrics
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ ./api/tooling/sales-admin ./api/tooling/pgrun ./api/tooling/logfmt

# run starts a local Postgres (data kept in .data/pg), migrates and seeds it,
# makes a dev signing key if there is none, and runs sales-api in the
# foreground. Ctrl-C stops the API, then Postgres.
run: build-local
	$(BIN)/pgrun --data .data/pg -- zarf/dev/run.sh
