# garagesale/service
#
# Tests need PostgreSQL server binaries (initdb, pg_ctl, postgres), not
# Docker: pgrun starts one throwaway cluster that the whole `go test` run
# shares through SALES_TEST_DB_URL. Set SALES_TEST_DB_URL yourself to test
# against a server you already have.
#
# Two modules: the service (this folder: what a project keeps and edits)
# and the kit's tools (tools/: the fleet runner, the load harness, the
# domain generator, the rename, log formatting and the manifests' checks),
# each with its own go.mod and vendor/.

SHELL := /bin/bash

# Plain `make` lists the targets.
.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets, one line each
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z0-9_-]+:.*## / { printf "  %-18s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

GO          ?= go
# TAGS are the build tags of every binary: make passes them to every go
# command it runs (GOFLAGS), so the tests, the binaries the tests build
# and the images' builds all build the same code. grpcnotrace leaves out
# gRPC's golang.org/x/net/trace debug pages (and the html/template they
# pull in): the OTLP exporter is gRPC's only user and nothing serves
# them. validator_novalidatefn leaves out the validator's validateFn rule,
# which calls methods by name: a binary that can do that keeps every
# exported method of every type it links (2.7 MiB of sales-api). A test
# (app/sdk/valid) fails if a model uses the rule. The Dockerfiles and the
# fleet file name the same tags, which tools/validate checks.
TAGS        := grpcnotrace,validator_novalidatefn
export GOFLAGS += -tags=$(TAGS)
# CACHE holds the tools installed on first use (linters, the docs' npm
# packages), in a folder named for the project.
PROJECT     := garagesale
CACHE       := $(HOME)/.cache/$(PROJECT)
# TOOLS is the tools module; TOOL builds one of its commands into ./bin.
TOOLS       := tools
TOOL         = (cd $(TOOLS) && $(GO) build -o $(abspath $(BIN))/ $(addprefix ./,$(1)))

ifdef SALES_TEST_DB_URL
WITH_DB :=
else
WITH_DB := $(GO) build -o ./bin/pgrun ./api/tooling/pgrun && ./bin/pgrun --
endif

.PHONY: test test-e2e faults fuzz bench load test-race vet lint tidy build-local run psql

# ==============================================================================
# Testing and checks

test: ## every test of both modules against a throwaway Postgres (what CI runs first)
	$(WITH_DB) $(GO) test -trimpath -count=1 ./...
	cd $(TOOLS) && $(GO) test -trimpath -count=1 ./...

# test-e2e runs the slow end-to-end checks that `make test` leaves out;
# CI runs it after `make test`.
test-e2e: faults fuzz test-run test-rename test-fleet docs-lint docs-check test-images test-deploy lint deadcode ## the slow end-to-end checks: faults, fuzzing, Ctrl-C of make run, renaming a copy, the fleet and its traces, the API docs, the images and the dev overlay run in podman, staticcheck, dead code (CI runs it after test)

# fuzz runs every Go fuzz target for FUZZTIME each (5s by default; longer
# finds more: make fuzz FUZZTIME=5m). A failing input is saved under the
# package's testdata/fuzz: commit it with the fix, and go test replays it.
FUZZTIME ?= 5s
fuzz: ## run every fuzz target for FUZZTIME (5s) each
	$(WITH_DB) env FUZZTIME=$(FUZZTIME) zarf/dev/fuzz.sh

# faults runs the fault suite: the real sales-api against a Postgres of its
# own that each test stops, freezes (SIGSTOP) and restarts, with bursts and
# SIGTERMs on top. It needs no shared server: each test starts its own.
faults: ## the fault suite: the real API while its Postgres is stopped, frozen and restarted
	SALES_TEST_FAULTS=1 $(GO) test -count=1 -v ./api/services/sales/faults/

# test-run starts make run's stack (pgrun and zarf/dev/run.sh) 20 times
# and Ctrl-Cs it at random moments, from Postgres's start to after the
# API serves: every process must stop, every port be freed, Postgres be
# stopped. SALES_TEST_CTRLC=N runs it N times instead (N > 1: 1 means the 20).
.PHONY: test-run
test-run: ## Ctrl-C of make run at 20 random moments: everything stops, every port is freed
	SALES_TEST_CTRLC=$${SALES_TEST_CTRLC:-1} $(GO) test -count=1 -v -run '^TestCtrlCStopsMakeRun$$' .

# test-fleet runs the fleet on a copy of the repository, on ports of its
# own: up, scale, an edit rolled out while the API answers, a broken edit,
# down; then the whole fleet with a traced request found in Jaeger and
# Prometheus scraping the sidecar. Jaeger is built first (once).
.PHONY: test-fleet
test-fleet: jaeger ## the fleet end to end on a copy of the repository: watch, scale, traces in Jaeger, Prometheus
	cd $(TOOLS) && SALES_TEST_FLEET=1 $(GO) test -count=1 -v ./fleet/

# bench runs every benchmark (speed and memory targets live here, never in
# timed tests), with a throwaway Postgres for the packages that need one.
# Its output is what benchstat reads: compare a change with
#   make bench BENCH_COUNT=6 > old.txt   (then, on the change)
#   make bench BENCH_COUNT=6 > new.txt && benchstat old.txt new.txt
# BENCH picks benchmarks by name (a go test -bench pattern).
BENCH       ?= .
BENCH_COUNT ?= 1
bench: ## every Go benchmark with allocations, in benchstat format (BENCH, BENCH_COUNT)
	@set -o pipefail; $(WITH_DB) $(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(BENCH_COUNT) ./... 2>&1 | grep -v ' level=INFO '

# load measures the API under load against a bare Go program doing the same
# SQL, side by side in alternating rounds, on a scratch Postgres of its
# own, and prints the ratios (see docs/performance.md). The load comes from
# wrk (Debian's package), a program apart from both. LOAD_FLAGS passes
# flags: make load LOAD_FLAGS="--rows 1000000 --rounds 5", or
# LOAD_FLAGS="--flat 10000,1000000" for list latency against table size.
LOAD_FLAGS ?=
# LOAD_HELP: LOAD_FLAGS asks for the flags only, which needs neither wrk,
# the binaries nor a database.
LOAD_HELP = $(filter -h -help --help,$(LOAD_FLAGS))

load: $(if $(LOAD_HELP),,build-local) ## load-test the API against a bare Go program side by side, with wrk (LOAD_FLAGS; LOAD_FLAGS=-h lists them)
ifneq ($(LOAD_HELP),)
	@$(call TOOL,load)
	@$(BIN)/load -h
else
	@command -v wrk >/dev/null 2>&1 || { echo "wrk is not installed: apt-get install wrk (make load's load generator)" >&2; exit 1; }
	$(call TOOL,load)
	$(BIN)/pgrun -- $(BIN)/load $(LOAD_FLAGS)
endif

test-race: ## every test with the race detector
	$(WITH_DB) $(GO) test -race -count=1 ./...

vet: ## go vet, both modules
	$(GO) vet ./...
	cd $(TOOLS) && $(GO) vet ./...

# Tools that are not dependencies of our binaries are installed at a pinned
# version into the tools cache the first time a target needs them.
TOOLS_BIN           = $(CACHE)/bin
STATICCHECK_VERSION = v0.8.2
STATICCHECK         = $(TOOLS_BIN)/staticcheck-$(STATICCHECK_VERSION)
DEADCODE_VERSION    = v0.52.0
DEADCODE            = $(TOOLS_BIN)/deadcode-$(DEADCODE_VERSION)
# Jaeger is pinned in tools/jaeger/go.mod, a module of its own (its go.mod
# has replace directives, so go install refuses it, and its dependencies
# would dwarf the tools module's).
JAEGER_VERSION      = $(shell sed -n 's#^\tgithub.com/jaegertracing/jaeger \(v[^ ]*\).*#\1#p' $(TOOLS)/jaeger/go.mod)
JAEGER              = $(TOOLS_BIN)/jaeger-$(JAEGER_VERSION)
# Releases: an SBOM of each binary, and the signature of the checksums.
CYCLONEDX_VERSION   = v1.10.0
CYCLONEDX           = $(TOOLS_BIN)/cyclonedx-gomod-$(CYCLONEDX_VERSION)
COSIGN_VERSION      = v2.6.5
COSIGN              = $(TOOLS_BIN)/cosign-$(COSIGN_VERSION)

# go-tool installs package@version $(1) as the file $(2) when it is missing.
define go-tool
	@if [ ! -x "$(2)" ]; then \
		echo "installing $(1) into $(TOOLS_BIN)"; \
		rm -rf $(2).tmp && mkdir -p $(2).tmp && \
		GOFLAGS=-mod=mod GOBIN=$(2).tmp $(GO) install $(1) && \
		mv $(2).tmp/* $(2) && rmdir $(2).tmp; \
	fi
endef

# jaeger builds the pinned Jaeger into the tools cache once (a large
# program: 16 minutes on a busy 2-core machine, after 16 seconds of
# downloads; its modules come from the Go module proxy, not vendor/) and,
# with JAEGER_LINK=PATH, links it there too.
.PHONY: jaeger
jaeger: ## build the pinned Jaeger into the tools cache (the fleet's trace store)
	@if [ ! -x "$(JAEGER)" ]; then \
		echo "building jaeger $(JAEGER_VERSION) into $(TOOLS_BIN), once: it downloads 1.2 GB of modules, then compiles (16 minutes on a busy 2-core machine)"; \
		mkdir -p $(TOOLS_BIN) && \
		(cd $(TOOLS)/jaeger && GOFLAGS=-mod=readonly $(GO) build -trimpath -o $(JAEGER).tmp github.com/jaegertracing/jaeger/cmd/jaeger) && \
		mv $(JAEGER).tmp $(JAEGER); \
	fi
	@if [ -n "$(JAEGER_LINK)" ]; then mkdir -p $$(dirname $(JAEGER_LINK)) && ln -sf $(JAEGER) $(JAEGER_LINK); fi

lint: ## gofmt and staticcheck of both modules (pinned, installed into the tools cache when missing)
	@out=$$(gofmt -l api app business foundation $$(find $(TOOLS) -name '*.go' -not -path '*/vendor/*') *.go); \
	if [ -n "$$out" ]; then echo "$$out"; echo "gofmt: the files above are not formatted: gofmt -w them"; exit 1; fi
	$(call go-tool,honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION),$(STATICCHECK))
	$(STATICCHECK) ./...
	cd $(TOOLS) && $(STATICCHECK) ./...

deadcode: ## fail when a function of ours is unreachable (golang.org/x/tools deadcode, pinned)
	$(call go-tool,golang.org/x/tools/cmd/deadcode@$(DEADCODE_VERSION),$(DEADCODE))
	@out=$$($(DEADCODE) -test ./...; cd $(TOOLS) && $(DEADCODE) -test ./...); \
	if [ -n "$$out" ]; then echo "$$out"; echo "deadcode: the functions above are unreachable: remove them"; exit 1; fi; \
	echo "deadcode: nothing unreachable"

# ==============================================================================
# Modules

tidy: ## go mod tidy and go mod vendor, both modules
	$(GO) mod tidy
	$(GO) mod vendor
	cd $(TOOLS) && $(GO) mod tidy && $(GO) mod vendor

# figures prints the sizes docs/layout.md shows: the Go lines of each
# module without tests (the service's leave out vendor/ and tools/, the
# tools' leave out their vendor/ and Jaeger's pin), each module's vendor/,
# and sales-api and sales-admin built stripped into a temporary folder.
.PHONY: figures
figures: ## the sizes docs/layout.md shows: Go lines of each module, vendor/ sizes, stripped binaries
	@set -euo pipefail; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	golines() { find "$$@" -name '*.go' ! -name '*_test.go' -print0 | xargs -0 cat | wc -l | tr -d ' '; }; \
	mib() { awk -v b=$$(wc -c < "$$1") 'BEGIN { printf "%.1f", b / 1048576 }'; }; \
	$(GO) build -trimpath -ldflags '-s -w' -o $$tmp/sales-api ./api/services/sales; \
	$(GO) build -trimpath -ldflags '-s -w' -o $$tmp/sales-admin ./api/tooling/sales-admin; \
	printf '%-44s %8s lines\n' "service Go code, no tests (no vendor/, tools/)" "$$(golines . -path ./vendor -prune -o -path ./$(TOOLS) -prune -o)"; \
	printf '%-44s %8s lines\n' "tools Go code, no tests (no vendor/, jaeger/)" "$$(golines $(TOOLS) -path $(TOOLS)/vendor -prune -o -path $(TOOLS)/jaeger -prune -o)"; \
	printf '%-44s %8s MB\n' "service vendor/" "$$(du -sm vendor | cut -f1)"; \
	printf '%-44s %8s MB\n' "tools vendor/" "$$(du -sm $(TOOLS)/vendor | cut -f1)"; \
	printf '%-44s %8s MiB\n' "sales-api, stripped" "$$(mib $$tmp/sales-api)"; \
	printf '%-44s %8s MiB\n' "sales-admin, stripped" "$$(mib $$tmp/sales-admin)"

# docs writes the API's OpenAPI document, generated from the code, to
# docs/openapi.json for client generators and the linter; a test fails
# while the committed copy differs from what the code generates.
.PHONY: docs
docs: ## write docs/openapi.json from the code (run after changing a route or model)
	$(GO) run ./api/tooling/openapi -o docs/openapi.json

# rename makes a clone of the kit your project, in place: the module path
# and the names built from the service's (binaries, settings, images, the
# namespace, ...); the example application stays. Commit first: the diff is
# the review.
#   make rename MODULE=github.com/acme/shop NAME=shop
.PHONY: rename test-rename
rename: ## make this kit your project: make rename MODULE=github.com/acme/shop NAME=shop
	@if [ -z "$(MODULE)" ] || [ -z "$(NAME)" ]; then \
		echo "make rename needs MODULE and NAME, e.g. make rename MODULE=github.com/acme/shop NAME=shop"; \
		exit 2; \
	fi
	cd $(TOOLS) && $(GO) run ./rename --root .. --module '$(MODULE)' --name '$(NAME)'

# test-rename renames a copy of the repository, then runs the whole make
# test in the copy (slow: minutes; make test-e2e runs it).
test-rename: ## rename a copy of the repository, then make test in it
	cd $(TOOLS) && SALES_TEST_RENAME=1 $(GO) test -count=1 -timeout 30m -v ./rename/

# ==============================================================================
# Running the service locally

BIN     := ./bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo develop)
LDFLAGS := -X main.version=$(VERSION)

# build-local compiles the service's commands and the tools make run and
# make up use into ./bin: on a new machine (an empty Go build cache), a
# minute or two on 2 cores, the most of it sales-api and sales-admin.
build-local: ## build every binary into ./bin
	@echo "building sales-api, metrics, sales-admin, pgrun, logfmt and fleet into $(BIN) (the first build on a machine takes a minute or more on 2 cores; later ones seconds)"
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/sales-api ./api/services/sales
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/metrics ./api/services/metrics
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ ./api/tooling/sales-admin ./api/tooling/pgrun
	$(call TOOL,logfmt fleet)

# domain runs the domain generator (tools/domain): make domain ARGS="add
# widget --field label:string --field price:money", then make test.
.PHONY: domain
ARGS ?= --help
domain: ## add a domain to the service: make domain ARGS="add widget --field label:string"
	$(call TOOL,domain)
	$(BIN)/domain $(ARGS)

# run starts a local Postgres (data kept in .data/pg), migrates and seeds it,
# makes a dev signing key if there is none, and runs sales-api in the
# foreground. Ctrl-C stops the API, then Postgres. Postgres listens on
# 127.0.0.1:DB_PORT, the same every run, so a client set up once keeps
# working (make run DB_PORT=54321 when that port is taken). While it runs,
# .data/pg/connection.env holds its settings: sales-admin run from here
# uses them by itself, and make psql reads them.
DB_PORT ?= 54320
PG_DATA := .data/pg
PG_CONN := $(PG_DATA)/connection.env
run: build-local ## Postgres, migrations, seed, sales-api and the metrics sidecar, in the foreground
	$(BIN)/pgrun --data $(PG_DATA) --port $(DB_PORT) -- zarf/dev/run.sh

# up starts the whole system in the background with the fleet runner
# (zarf/fleet.yaml): Postgres, migrations and seed, Jaeger, sales-api, the
# metrics sidecar and Prometheus (when installed), rebuilt and restarted
# as Go files change. ./bin/fleet ps, logs -f, scale, restart, trace and
# down work from any terminal (docs/fleet.md).
.PHONY: up down
up: build-local ## the whole system in the background, rebuilt on change: Postgres, sales-api, sidecar, Jaeger, Prometheus
	@echo "fleet up builds the services again (into .fleet/bin) and, once, Jaeger: the first time took 25 minutes on a busy 2-core machine (Jaeger 16 of them), later ones take seconds; its lines below say what it waits for"
	$(BIN)/fleet up --watch

down: ## stop everything make up started
	@[ -x $(BIN)/fleet ] || $(call TOOL,fleet)
	@$(BIN)/fleet down

# psql opens psql on the database of a running make run. PSQL_ARGS passes
# arguments: make psql PSQL_ARGS="-c 'select count(*) from users'".
PSQL      ?= psql
PSQL_ARGS ?=
psql: ## psql on the database of a running make run (PSQL_ARGS)
	@test -f $(PG_CONN) || { echo "no $(PG_CONN): make run is not running here; start it (in another terminal) first" >&2; exit 1; }
	@command -v $(PSQL) >/dev/null || { echo "$(PSQL) not found: install the PostgreSQL client (Debian/Ubuntu: apt-get install postgresql-client; Fedora: dnf install postgresql; macOS: brew install libpq), or name it: make psql PSQL=/path/to/psql" >&2; exit 1; }
	@$(PSQL) "$$(sed -n 's/^DATABASE_URL=//p' $(PG_CONN))" $(PSQL_ARGS); status=$$?; \
	if [ $$status -eq 2 ]; then echo "make psql: no connection to the server in $(PG_CONN); if make run is not running, that file is left from one that was killed: delete it" >&2; fi; \
	exit $$status

# ==============================================================================
# Images, the Kind dev cluster and compose
#
# These need docker (build, compose), kind and kubectl (dev-*), or podman
# (images, deploy-local, test-images, test-deploy: no Docker, no cluster).
# `make test` needs none of them: tools/validate renders and checks every
# manifest offline.

IMAGE_TAG        ?= dev
SALES_IMAGE      := garagesale/sales-api:$(IMAGE_TAG)
METRICS_IMAGE    := garagesale/metrics:$(IMAGE_TAG)
POSTGRES_IMAGE   := postgres:17.5-alpine
TEMPO_IMAGE      := grafana/tempo:2.8.1
PROMETHEUS_IMAGE := prom/prometheus:v3.4.2
GRAFANA_IMAGE    := grafana/grafana:12.0.2
BUILD_DATE       := $(shell date -u +%Y-%m-%dT%H:%M:%SZ)

KIND_CLUSTER := garagesale
# KIND_NODE is the node image (kindest/node:vX.Y.Z); empty takes the one of your kind version.
KIND_NODE    ?=
NAMESPACE    := sales-system
# The grafana, prometheus and tempo overlays generate ConfigMaps from the
# canonical files in zarf/grafana, zarf/prometheus and zarf/tempo, outside
# their kustomization folder; `kubectl apply -k` refuses that, so render
# first, then apply.
KUSTOMIZE    := kubectl kustomize --load-restrictor LoadRestrictionsNone
COMPOSE      := docker compose -f zarf/compose/docker-compose.yaml

.PHONY: build need-docker need-kind need-kubectl dev-keys dev-up dev-down dev-load \
	dev-apply dev-restart dev-update-apply dev-logs dev-status compose-up compose-down

need-docker: ## fail unless docker is installed
	@command -v docker >/dev/null 2>&1 || { echo "docker is not installed: see https://docs.docker.com/get-docker/" >&2; exit 1; }
	@docker info >/dev/null 2>&1 || { echo "docker is installed but its engine is not running (docker info fails): start Docker first" >&2; exit 1; }

need-kind: ## fail unless kind is installed
	@command -v kind >/dev/null 2>&1 || { echo "kind is not installed: see https://kind.sigs.k8s.io/docs/user/quick-start/#installation" >&2; exit 1; }

need-kubectl: ## fail unless kubectl is installed
	@command -v kubectl >/dev/null 2>&1 || { echo "kubectl is not installed: see https://kubernetes.io/docs/tasks/tools/" >&2; exit 1; }

# build makes the images: sales-api (with sales-admin) and the metrics sidecar.
build: need-docker ## build the images (docker)
	docker build -f zarf/docker/dockerfile.sales -t $(SALES_IMAGE) \
		--build-arg BUILD_REF=$(VERSION) --build-arg BUILD_COMMIT=$(COMMIT) --build-arg BUILD_DATE=$(BUILD_DATE) .
	docker build -f zarf/docker/dockerfile.metrics -t $(METRICS_IMAGE) \
		--build-arg BUILD_REF=$(VERSION) --build-arg BUILD_COMMIT=$(COMMIT) --build-arg BUILD_DATE=$(BUILD_DATE) .

# images makes the same images with podman, no Docker engine needed. The
# Dockerfiles' base images are the registry's unless BASE=local, which
# builds local stand-ins from this machine's Go toolchain and Debian's
# packages (zarf/podman/standins.sh); BASE=auto (the default) takes the
# stand-ins when the registry's golang image cannot be pulled.
BASE            ?= auto
BUILD_IMAGE_REG := golang:1.26
RUNTIME_IMAGE_REG := gcr.io/distroless/static-debian12:nonroot
BUILD_IMAGE_LOCAL   := localhost/$(PROJECT)/go-build:$(shell $(GO) env GOVERSION)
RUNTIME_IMAGE_LOCAL := localhost/$(PROJECT)/static-nonroot:local

.PHONY: images need-podman test-images
need-podman: ## fail unless podman is installed
	@command -v podman >/dev/null 2>&1 || { echo "podman is not installed: apt-get install podman buildah runc (docs/deployment.md)" >&2; exit 1; }

images: need-podman ## build the images with podman (BASE=local: stand-ins for the registry's base images)
	@base=$(BASE); \
	if [ "$$base" = auto ]; then \
		if podman image exists $(BUILD_IMAGE_REG) || timeout 20 podman pull --quiet $(BUILD_IMAGE_REG) >/dev/null 2>&1; then base=registry; else base=local; \
			echo "the registry's $(BUILD_IMAGE_REG) cannot be pulled: building local stand-ins (BASE=local)"; fi; \
	fi; \
	if [ "$$base" = local ]; then \
		zarf/podman/standins.sh $(BUILD_IMAGE_LOCAL) $(RUNTIME_IMAGE_LOCAL) && \
		args="--build-arg BUILD_IMAGE=$(BUILD_IMAGE_LOCAL) --build-arg RUNTIME_IMAGE=$(RUNTIME_IMAGE_LOCAL)"; \
	fi; \
	for img in "sales $(SALES_IMAGE)" "metrics $(METRICS_IMAGE)"; do \
		set -- $$img; \
		echo "building $$2 (zarf/docker/dockerfile.$$1)"; \
		podman build --quiet -f zarf/docker/dockerfile.$$1 -t $$2 $$args \
			--build-arg BUILD_REF=$(VERSION) --build-arg BUILD_COMMIT=$(COMMIT) --build-arg BUILD_DATE=$(BUILD_DATE) . >/dev/null || exit 1; \
	done; \
	podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '$(SALES_IMAGE)|$(METRICS_IMAGE)'

# test-images builds the images with podman and checks what each runs:
# its binaries answer --version with the build's stamp, as the non-root
# user, and the runtime image has no shell.
test-images: images ## build the images with podman and check them
	cd $(TOOLS) && SALES_TEST_IMAGES=1 SALES_IMAGE=$(SALES_IMAGE) METRICS_IMAGE=$(METRICS_IMAGE) $(GO) test -count=1 -v -run '^TestImages$$' ./validate/

# deploy-local runs the dev overlay in podman, with no cluster: zarf/k8s/local
# is the dev overlay with stand-ins for the third-party images (Postgres and
# Prometheus from Debian's packages, Jaeger in Tempo's place), and podplay
# (tools/podplay) renders it, translates what podman kube play has no
# equivalent for (docs/deployment.md) and plays it in dev-apply's order.
# It answers where the Kind cluster does: the API on 127.0.0.1:3000.
LOCAL_OVERLAYS := $(addprefix zarf/k8s/local/,database tempo prometheus sales)
LOCAL_IMAGES   := $(addprefix localhost/$(PROJECT)/,postgres:local prometheus:local jaeger:local)
PODPLAY_ARGS   := -network $(PROJECT)-local -kind-config zarf/k8s/dev/kind-config.yaml -secret sales-keys=zarf/keys

.PHONY: deploy-local deploy-local-down deploy-local-images deploy-local-job test-deploy
deploy-local-images: images jaeger dev-keys ## the images deploy-local runs: the kit's (make images) and the stand-ins
	JAEGER=$(JAEGER) zarf/podman/standins.sh $(LOCAL_IMAGES)
	$(call TOOL,podplay)

deploy-local: deploy-local-images ## run the dev overlay in podman: database, migrate, sales-api and sidecar, Prometheus, traces
	$(BIN)/podplay $(PODPLAY_ARGS) up $(LOCAL_OVERLAYS)
	@echo "running in podman: the API on http://localhost:3000, Prometheus on :9090, traces (Jaeger) on :3200; make deploy-local-down removes it all"

# deploy-local-update rolls the API out again after a change: the images
# rebuilt, and a new pod in place of the old one, which drains first (as a
# Deployment's rollout ends the old pod), with the database kept.
.PHONY: deploy-local-update
deploy-local-update: images need-podman ## rebuild the images and replace deploy-local's API pod with one running them
	$(call TOOL,podplay)
	$(BIN)/podplay $(PODPLAY_ARGS) replace zarf/k8s/local/sales

# deploy-local-job runs the dev overlay's CronJobs once, now (podman has
# no schedule): the daily dump, as kubectl create job --from=cronjob would.
deploy-local-job: need-podman ## run deploy-local's CronJobs once, now (the dump)
	$(call TOOL,podplay)
	$(BIN)/podplay $(PODPLAY_ARGS) job zarf/k8s/local/sales

deploy-local-down: need-podman ## remove everything deploy-local made, volumes too
	$(call TOOL,podplay)
	$(BIN)/podplay $(PODPLAY_ARGS) down $(LOCAL_OVERLAYS)

# test-deploy deploys as deploy-local does and checks the running stack
# through the published ports (tools/podplay/deploy_test.go); it removes it
# all at the end, also when a check fails.
test-deploy: deploy-local-images ## deploy-local, then check the tour, the init container, the sandbox, metrics, traces, a pod replacement and SIGTERM
	cd $(TOOLS) && SALES_TEST_DEPLOY=podman PODPLAY_ARGS='$(PODPLAY_ARGS)' PODPLAY_OVERLAYS='$(LOCAL_OVERLAYS)' \
		$(GO) test -count=1 -v -timeout 20m -run '^TestDeploy$$' ./podplay/

# test-kind runs test-deploy's checks against the Kind cluster, after
# make dev-up build dev-load dev-apply (CircleCI's kind-e2e job).
.PHONY: test-kind
test-kind: need-docker need-kubectl ## the checks of test-deploy against the Kind cluster (after dev-up build dev-load dev-apply)
	cd $(TOOLS) && SALES_TEST_DEPLOY=kind KIND_CLUSTER=$(KIND_CLUSTER) $(GO) test -count=1 -v -timeout 20m -run '^TestDeploy$$' ./podplay/

# dev-keys makes a signing key in zarf/keys if there is none. Keys are never
# committed or baked into an image.
dev-keys: ## a signing key in zarf/keys for the cluster and compose
	@if ! compgen -G 'zarf/keys/*.pem' >/dev/null; then \
		echo "no signing key in zarf/keys: creating one"; \
		$(GO) build -o $(BIN)/sales-admin ./api/tooling/sales-admin && SALES_AUTH_KEYS_FOLDER=zarf/keys/ $(BIN)/sales-admin genkey; \
	fi

dev-up: need-docker need-kind need-kubectl ## create the Kind cluster
	kind create cluster --name $(KIND_CLUSTER) --config zarf/k8s/dev/kind-config.yaml $(if $(KIND_NODE),--image $(KIND_NODE))
	kubectl wait --timeout=120s --namespace=local-path-storage --for=condition=Available deployment/local-path-provisioner

dev-down: need-kind ## delete the Kind cluster
	kind delete cluster --name $(KIND_CLUSTER)

# dev-load puts the images `make build` made into the cluster's node; the
# third-party images are pulled by the node itself.
dev-load: need-docker need-kind ## load the images into the Kind cluster
	kind load docker-image $(SALES_IMAGE) $(METRICS_IMAGE) --name $(KIND_CLUSTER)

# dev-apply applies every overlay in dependency order: the database (and its
# Secret) first, the signing keys as a Secret from zarf/keys, the
# observability stack, then sales, whose init containers migrate and seed.
dev-apply: need-kubectl dev-keys ## apply the dev overlay: database, key, tracing, metrics, dashboards, sales
	$(KUSTOMIZE) zarf/k8s/dev/database | kubectl apply -f -
	kubectl rollout status --namespace=$(NAMESPACE) --watch --timeout=180s statefulset/database
	kubectl create secret generic sales-keys --namespace=$(NAMESPACE) --from-file=zarf/keys/ \
		--dry-run=client -o yaml | kubectl apply -f -
	$(KUSTOMIZE) zarf/k8s/dev/tempo | kubectl apply -f -
	$(KUSTOMIZE) zarf/k8s/dev/prometheus | kubectl apply -f -
	$(KUSTOMIZE) zarf/k8s/dev/grafana | kubectl apply -f -
	$(KUSTOMIZE) zarf/k8s/dev/sales | kubectl apply -f -
	kubectl rollout status --namespace=$(NAMESPACE) --watch --timeout=180s deployment/sales

# dev-restart restarts sales so it picks up a freshly loaded image (the dev
# tag does not change, so applying alone would not).
dev-restart: need-kubectl ## restart the sales pods
	kubectl rollout restart --namespace=$(NAMESPACE) deployment/sales
	kubectl rollout status --namespace=$(NAMESPACE) --watch --timeout=180s deployment/sales

dev-update-apply: build dev-load dev-apply dev-restart ## rebuild, reload, re-apply and restart

# dev-logs follows every container of the sales pods, through logfmt.
dev-logs: need-kubectl ## the sales pods logs through logfmt
	$(call TOOL,logfmt)
	kubectl logs --namespace=$(NAMESPACE) --selector=app=sales --all-containers=true \
		--prefix=false --follow --tail=100 --max-log-requests=8 | $(BIN)/logfmt

dev-status: need-kubectl ## nodes, pods and services of the cluster
	kubectl get nodes -o wide
	kubectl get statefulsets,deployments,pods,services --namespace=$(NAMESPACE) -o wide

# compose-up runs the same services on Docker alone, on the same host ports
# as the Kind cluster. The API runs as you so it can read your key files.
compose-up: build dev-keys ## the same services on Docker alone
	HOST_UID=$$(id -u) HOST_GID=$$(id -g) $(COMPOSE) up --detach

compose-down: need-docker ## stop the compose services
	$(COMPOSE) down

# ==============================================================================
# Releases
#
# A release, in CI on a v* tag (docs/deployment.md, Releasing):
#   make release-images release-push  builds and pushes the images, and
#                                     records the digest the registry gave each
#   make release                      builds every binary for RELEASE_PLATFORMS
#                                     with its version, commit and build date
#                                     stamped in, an SBOM of each (CycloneDX),
#                                     the manifest bundle (the production
#                                     overlay with the images pinned by digest),
#                                     the checksums of them all, and the
#                                     checksums' signature (cosign), into DIST
#   make release-publish              publishes them on GitHub, once
# make release-verify checks a release's files against its checksums and
# the checksums against the signature.

DIST              ?= dist
# REGISTRY prefixes the released images' names with REGISTRY/: with
# REGISTRY=ghcr.io/acme the API is ghcr.io/acme/ + garagesale/sales-api:v1.2.3;
# empty is Docker Hub.
REGISTRY          ?=
RELEASE_PLATFORMS ?= linux/amd64 linux/arm64
RELEASE_BINARIES  ?= sales-api metrics sales-admin
# COMMIT is the commit built, with -dirty when tracked files differ from it.
COMMIT            ?= $(shell c=$$(git rev-parse --short=12 HEAD 2>/dev/null) && { git diff --quiet HEAD -- 2>/dev/null || c=$$c-dirty; } && echo $$c)
RELEASE_LDFLAGS    = -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(BUILD_DATE)
RELEASE_OVERLAY   := zarf/k8s/prod/sales
RELEASE_BUNDLE     = $(DIST)/$(PROJECT)-$(VERSION).yaml
RELEASE_SUMS       = $(DIST)/$(PROJECT)-$(VERSION)-SHA256SUMS
RELEASE_SIG        = $(RELEASE_SUMS).sig
# release-push records here, as NAME=REPO@sha256:DIGEST, what the registry
# calls each image it took: the bundle pins those, which no one can move.
RELEASE_DIGESTS    = $(DIST)/$(PROJECT)-$(VERSION)-images
# The public half of the release signing key (cosign generate-key-pair);
# the private half and its password sign in CI, from COSIGN_PRIVATE_KEY and
# COSIGN_PASSWORD (CircleCI context garagesale-signing), never a file here.
COSIGN_PUB        ?= zarf/release/cosign.pub
# The kit's images by the names the overlays give them, then as released.
RELEASE_REPOS     := $(patsubst %:$(IMAGE_TAG),%,$(SALES_IMAGE) $(METRICS_IMAGE))
RELEASE_PREFIX     = $(if $(REGISTRY),$(REGISTRY)/)
RELEASE_SALES      = $(RELEASE_PREFIX)$(word 1,$(RELEASE_REPOS)):$(VERSION)
RELEASE_METRICS    = $(RELEASE_PREFIX)$(word 2,$(RELEASE_REPOS)):$(VERSION)
# The package each binary is built from.
RELEASE_PKG_sales-api   := ./api/services/sales
RELEASE_PKG_metrics     := ./api/services/metrics
RELEASE_PKG_sales-admin := ./api/tooling/sales-admin
# release-file is where binary $(1) for platform $(2) (os/arch) lands.
release-file   = $(DIST)/$(1)-$(VERSION)-$(subst /,-,$(2))
RELEASE_FILES  = $(foreach p,$(RELEASE_PLATFORMS),$(foreach b,$(RELEASE_BINARIES),$(call release-file,$(b),$(p))))
RELEASE_SBOMS  = $(addsuffix .cdx.json,$(RELEASE_FILES))

# release-binary builds binary $(1) for platform $(2): static, from vendor/,
# as the images build it.
define release-binary
	CGO_ENABLED=0 GOOS=$(word 1,$(subst /, ,$(2))) GOARCH=$(word 2,$(subst /, ,$(2))) $(GO) build -trimpath \
		-ldflags "$(RELEASE_LDFLAGS)" -o $(call release-file,$(1),$(2)) $(RELEASE_PKG_$(1))
	$(CYCLONEDX) bin -json -version $(VERSION) -output $(call release-file,$(1),$(2)).cdx.json $(call release-file,$(1),$(2))

endef

.PHONY: release release-bundle release-images release-push release-publish release-deploy release-verify release-tools

# The version becomes the images' tag, so no semver +build part.
release: ## binaries for RELEASE_PLATFORMS, the manifest bundle and their checksums in DIST: make release VERSION=v1.2.3
	@[[ "$(VERSION)" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$$ ]] || { echo "make release needs VERSION=vX.Y.Z or vX.Y.Z-pre, not \"$(VERSION)\"" >&2; exit 2; }
	@[ -n "$(COMMIT)" ] || { echo "make release: no commit to stamp (not a git checkout?): set COMMIT" >&2; exit 2; }
	@[ -s "$(RELEASE_DIGESTS)" ] || { echo "make release pins the images by digest: make release-images release-push first, which write $(RELEASE_DIGESTS)" >&2; exit 2; }
	@[ -n "$${COSIGN_PRIVATE_KEY:-}" ] || { echo "make release signs its checksums: set COSIGN_PRIVATE_KEY to the signing key (PEM, from cosign generate-key-pair) and COSIGN_PASSWORD to its password" >&2; exit 2; }
	@mkdir -p $(DIST)
	$(call go-tool,github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@$(CYCLONEDX_VERSION),$(CYCLONEDX))
	$(foreach p,$(RELEASE_PLATFORMS),$(foreach b,$(RELEASE_BINARIES),$(call release-binary,$(b),$(p))))
	@$(MAKE) --no-print-directory release-bundle
	cd $(DIST) && sha256sum $(notdir $(RELEASE_FILES) $(RELEASE_SBOMS) $(RELEASE_BUNDLE)) > $(notdir $(RELEASE_SUMS))
	$(call go-tool,github.com/sigstore/cosign/v2/cmd/cosign@$(COSIGN_VERSION),$(COSIGN))
	@# The key comes from the environment (env://), never a file or argument.
	$(COSIGN) sign-blob --yes --tlog-upload=false --key env://COSIGN_PRIVATE_KEY --output-signature $(RELEASE_SIG) $(RELEASE_SUMS)
	@echo "release $(VERSION), commit $(COMMIT), built $(BUILD_DATE):"; cat $(RELEASE_SUMS)

release-tools: ## install the release's pinned tools (cyclonedx-gomod, cosign) into the tools cache and print cosign's path
	$(call go-tool,github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@$(CYCLONEDX_VERSION),$(CYCLONEDX))
	$(call go-tool,github.com/sigstore/cosign/v2/cmd/cosign@$(COSIGN_VERSION),$(COSIGN))
	@echo $(COSIGN)

release-verify: ## check DIST's release VERSION: every file against the checksums, the checksums against their signature and COSIGN_PUB
	@[ -f "$(COSIGN_PUB)" ] || { echo "$(COSIGN_PUB) is missing: make the release key pair once (cosign generate-key-pair), commit its .pub there, and put the key and its password in CI (docs/deployment.md, Releasing)" >&2; exit 2; }
	cd $(DIST) && sha256sum --check --strict $(notdir $(RELEASE_SUMS))
	$(call go-tool,github.com/sigstore/cosign/v2/cmd/cosign@$(COSIGN_VERSION),$(COSIGN))
	$(COSIGN) verify-blob --key $(COSIGN_PUB) --insecure-ignore-tlog=true --signature $(RELEASE_SIG) $(RELEASE_SUMS)

# release-bundle renders with kustomize's Go API (the validate module), so
# it needs no kustomize or kubectl.
release-bundle: ## the manifest bundle alone: RELEASE_OVERLAY with the kit's images pinned by the digests release-push recorded, into DIST
	@[ -s "$(RELEASE_DIGESTS)" ] || { echo "the bundle pins the images by digest: make release-images release-push first, which write $(RELEASE_DIGESTS)" >&2; exit 2; }
	@mkdir -p $(DIST)
	cd $(TOOLS) && $(GO) run ./validate/cmd/bundle -version '$(VERSION)' \
		$$(sed 's/^/-image /' $(abspath $(RELEASE_DIGESTS))) \
		-o $(abspath $(RELEASE_BUNDLE)) $(CURDIR)/$(RELEASE_OVERLAY)

release-images: need-docker ## build the images the bundle names (REGISTRY, VERSION), their binaries stamped like make release's
	docker build -f zarf/docker/dockerfile.sales -t $(RELEASE_SALES) \
		--build-arg BUILD_REF=$(VERSION) --build-arg BUILD_COMMIT=$(COMMIT) --build-arg BUILD_DATE=$(BUILD_DATE) .
	docker build -f zarf/docker/dockerfile.metrics -t $(RELEASE_METRICS) \
		--build-arg BUILD_REF=$(VERSION) --build-arg BUILD_COMMIT=$(COMMIT) --build-arg BUILD_DATE=$(BUILD_DATE) .

release-push: need-docker ## push what release-images built (docker login to REGISTRY first), recording each image's digest for the bundle
	docker push $(RELEASE_SALES)
	docker push $(RELEASE_METRICS)
	@mkdir -p $(DIST)
	@# Of an image's digests, the one of the repository it was pushed to.
	{ echo "$(word 1,$(RELEASE_REPOS))=$$(docker inspect --format '{{join .RepoDigests "\n"}}' $(RELEASE_SALES) | grep -m1 '^$(RELEASE_PREFIX)$(word 1,$(RELEASE_REPOS))@')"; \
	  echo "$(word 2,$(RELEASE_REPOS))=$$(docker inspect --format '{{join .RepoDigests "\n"}}' $(RELEASE_METRICS) | grep -m1 '^$(RELEASE_PREFIX)$(word 2,$(RELEASE_REPOS))@')"; } > $(RELEASE_DIGESTS)
	@! grep -q '=$$' $(RELEASE_DIGESTS) || { echo "no digest of $(RELEASE_PREFIX) for an image just pushed: see docker inspect" >&2; exit 1; }
	cat $(RELEASE_DIGESTS)

# release-publish makes the GitHub release of tag VERSION (or finds the one
# a previous run made) and uploads the checksums and every file they list.
release-publish: ## publish DIST's release VERSION on GitHub (GITHUB_TOKEN, GITHUB_REPOSITORY=owner/name)
	zarf/release/github.sh $(VERSION) $(RELEASE_SUMS)

release-deploy: need-kubectl ## apply DIST's bundle of VERSION to kubectl's current context and wait for the rollout
	kubectl apply -f $(RELEASE_BUNDLE)
	kubectl rollout status --namespace=$(NAMESPACE) --watch --timeout=300s deployment/sales

# ==============================================================================
# API documentation
#
# /v1/docs renders the API's OpenAPI document with Redoc, whose bundle is
# committed in app/sdk/apidoc/viewer and embedded in sales-api, so a build
# needs no network. The documentation's tools come from npm, pinned in
# zarf/docs (package.json and its lockfile), and npm ci installs them into
# a cache outside the tree, in a folder named for the pins: clones and
# branches pinning different versions never use each other's. These
# targets need Node.js and npm; docs-check and docs-shot need chromium
# besides.

DOCS_PINS    = $(shell cat zarf/docs/package.json zarf/docs/package-lock.json | sha256sum | cut -c1-16)
DOCS_NPM     = $(CACHE)/npm/docs-$(DOCS_PINS)
DOCS_VIEWER := app/sdk/apidoc/viewer
REDOC        = $(DOCS_NPM)/node_modules/redoc
# Unless told not to, the linter reports each run to its vendor and looks
# for a newer version of itself.
REDOCLY      = env REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(DOCS_NPM)/node_modules/.bin/redocly

.PHONY: docs-npm docs-viewer docs-lint docs-check docs-shot

# docs-npm installs exactly what the lockfile pins, each package checked
# against its hash there. No package needs its install script for what we
# use, so none runs.
docs-npm: ## install the pinned docs tools into the cache (npm ci); docs-lint does when they are missing
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: install Node.js and npm (Debian/Ubuntu: apt-get install nodejs npm; macOS: brew install node)" >&2; exit 1; }
	mkdir -p $(DOCS_NPM)
	cp zarf/docs/package.json zarf/docs/package-lock.json $(DOCS_NPM)/
	cd $(DOCS_NPM) && npm ci --ignore-scripts --no-audit --no-fund
	touch $(DOCS_NPM)/installed

# docs-viewer installs afresh rather than trust what is in the cache: what
# it copies gets committed. Commit the four files it writes together; a
# test checks the bundle against redoc.sha256. The bundle is kept gzipped:
# sales-api embeds it so, and sends it so to every browser.
docs-viewer: docs-npm ## refresh the embedded Redoc bundle to the version zarf/docs/package-lock.json pins
	mkdir -p $(DOCS_VIEWER)
	cp $(REDOC)/bundles/redoc.standalone.js $(REDOC)/bundles/redoc.standalone.js.LICENSE.txt $(DOCS_VIEWER)/
	cp $(REDOC)/LICENSE $(DOCS_VIEWER)/LICENSE.redoc
	cd $(DOCS_VIEWER) && sha256sum redoc.standalone.js > redoc.sha256 && gzip -9 -n -f redoc.standalone.js

docs-lint: ## lint docs/openapi.json with Redocly's recommended rules
	@test -f $(DOCS_NPM)/installed || $(MAKE) --no-print-directory docs-npm
	$(REDOCLY) lint --config zarf/docs/redocly.yaml docs/openapi.json

# docs-check starts the real sales-api and loads /v1/docs in headless
# chromium: every path of the served document must be on the rendered page,
# and chromium must report no Content-Security-Policy violation.
docs-check: ## /v1/docs in headless chromium: every route rendered, no CSP violation
	$(WITH_DB) env SALES_TEST_BROWSER=1 $(GO) test -count=1 -v -run '^TestBrowserDocs$$' ./api/services/sales/tests/

# docs-shot is docs-check that also saves what chromium showed.
docs-shot: ## docs-check, then a screenshot of /v1/docs in docs/api-docs.png
	mkdir -p docs
	$(WITH_DB) env SALES_TEST_BROWSER=1 SALES_TEST_BROWSER_SHOT=$(CURDIR)/docs/api-docs.png $(GO) test -count=1 -v -run '^TestBrowserDocs$$' ./api/services/sales/tests/
