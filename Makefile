# Percorsi: `make run` starts everything on the embedded stack, `make test`
# runs every test. Tools are installed into ./bin by this Makefile.

GO        ?= go
BIN       := $(CURDIR)/bin
BUF       := $(BIN)/buf
PROTOC_GO := $(BIN)/protoc-gen-go
PROTOC_GO_GRPC := $(BIN)/protoc-gen-go-grpc
BUF_VERSION           := v1.75.0
PROTOC_GEN_GO_VERSION := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.6.2
# How many inputs each fuzz target runs in `make fuzz` (a count rather
# than a duration: see .ci/run). One test binary per
# package is built once and run per target: `go test -fuzz` per target
# would link it again each time, which costs more than the fuzzing.
FUZZTIME  ?= 20000x

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: run
run: ## run every service in one process on embedded Kafka and MongoDB, with demo data
	$(GO) run ./deploy/allinone/cmd/percorsi

.PHONY: test
test: lint ## every test, with the race detector, plus the proto and layout checks
	$(GO) test -race -count=1 -timeout 12m ./...
	# the patched embedded MongoDB's own SQLite backend tests (third_party/README.md)
	cd third_party/ferretdb && $(GO) test -count=1 ./internal/backends/sqlite/... ./internal/handler/sjson/

.PHONY: lint
lint: $(BUF) ## go vet, gofmt, buf lint, buf breaking against main, and the import-boundary check
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v -e '\.pb\.go$$' -e '^third_party/')); \
		if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	cd proto && $(BUF) lint
	@# a contract may grow, not break: against main's, read from git (a
	@# worktree's .git file included); a checkout without main has nothing to compare
	@if git rev-parse -q --verify refs/heads/main >/dev/null; then \
		echo "buf breaking against main"; cd proto && $(BUF) breaking --against '../.git#branch=main,subdir=proto'; \
	else echo "buf breaking: no main branch here to compare with"; fi
	$(GO) test -count=1 -run TestImportBoundaries ./services/

# Registers pushed through the whole pipeline by BenchmarkPipeline.
PIPELINE_REGISTERS ?= 2000
# The load driver (e2e/load): people in pathways, and how long their users
# act after seeding; it writes reports/load.md and reports/load.png.
LOAD_PEOPLE   ?= 50000
LOAD_DURATION ?= 5m

.PHONY: bench
bench: ## benchmarks: our own cost per operation, the raw limits of Kafka and MongoDB, and the register pipeline end to end
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m $$($(GO) list ./... | grep -v /e2e)
	$(GO) test -run '^$$' -bench 'Raw' -benchmem -timeout 30m ./e2e/
	$(GO) test -run '^$$' -bench 'Pipeline' -benchtime $(PIPELINE_REGISTERS)x -timeout 30m ./e2e/
	$(GO) run ./e2e/load/cmd/percorsi-load -people $(LOAD_PEOPLE) -duration $(LOAD_DURATION) -out reports/load.md

# `make chaos` runs 3 replicas of each service through 27 faults in about
# 20 minutes; `make chaos CHAOS_SHORT=1` six of them in about four;
# CHAOS_SEED, CHAOS_OUTAGE, CHAOS_HOLD, CHAOS_GAP, CHAOS_PACE,
# CHAOS_TEACHERS, CHAOS_REPLICAS, CHAOS_PAUSED, CHAOS_SLOW, CHAOS_REPORT
# and CHAOS_LOGS are read from the environment (see e2e/chaos/chaos_test.go).
CHAOS_SHORT ?=

.PHONY: chaos
chaos: ## faults under load on 3 replicas of each service (replicas killed and paused, the relay lease's holder among them, broker and store away and killed, network slowed and cut, a slow consumer, a replayed segment), checked against the users' ledger; writes reports/chaos.md
	CHAOS=1 CHAOS_SHORT=$(CHAOS_SHORT) $(GO) test -run '^TestChaos$$' -count=1 -v -timeout 60m ./e2e/chaos/

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME executions each, from its seeds and testdata (a fresh corpus cache)
	@set -e; start=$$(date +%s); work=$$(mktemp -d); trap 'rm -rf "$$work"' EXIT; \
	for dir in $$(grep -rl --include='*_test.go' --exclude-dir=third_party '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  $(GO) test -c -fuzz=. -o "$$work/fuzz.test" $$dir/; \
	  for target in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go | cut -c6-); do \
	    echo "== $$target ($$dir)"; \
	    (cd $$dir && "$$work/fuzz.test" -test.run='^$$' -test.fuzz="^$$target\$$" -test.fuzztime=$(FUZZTIME) \
	      -test.fuzzcachedir="$$work/corpus/$$dir/$$target"); \
	  done; \
	done; \
	echo "fuzz: every target for $(FUZZTIME) in $$(( $$(date +%s) - start ))s"

.PHONY: proto
proto: $(BUF) $(PROTOC_GO) $(PROTOC_GO_GRPC) ## regenerate the Go code of the protobuf contracts
	cd proto && $(BUF) lint && PATH=$(BIN):$$PATH $(BUF) generate

$(BUF):
	GOBIN=$(BIN) $(GO) install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)

$(PROTOC_GO):
	GOBIN=$(BIN) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)

$(PROTOC_GO_GRPC):
	GOBIN=$(BIN) $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)

.PHONY: clean
clean: ## remove the dev data and installed tools
	rm -rf var bin
