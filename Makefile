# wirebom — see README.md. Every target works on a fresh machine once .ci/run's packages are in.
GO        ?= go
export CGO_ENABLED := 0
# urfave/cli's man-page and Markdown generators are never used: leaving them out drops
# go-md2man and blackfriday from the binary and ~1 ms of start-up (docs/PERFORMANCE.md).
export GOFLAGS += -tags=urfave_cli_no_docs
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
BIN       := bin/wirebom
STATICCHECK ?= $(shell command -v staticcheck 2>/dev/null || echo $(HOME)/go/bin/staticcheck)
PKGS      := ./...

.PHONY: all build check vet staticcheck test race e2e conformance fuzz demo setcap \
        bench bench-capture bench-read bench-cbom cross wine-test clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/wirebom

## check: everything CI runs.
check: vet staticcheck race e2e conformance static-binary cross wine-test

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet $(PKGS)

staticcheck:
	$(STATICCHECK) $(PKGS)

# Unit and integration tests (capture tests need root: CI runs as root) with the race detector.
# The race detector needs cgo, the one place we allow it: it is a test tool, not in the binary.
# The end-to-end capture tests (internal/e2e) run on their own afterwards: they measure loss at
# rates the machine sustains, which other packages' tests running alongside would distort.
race:
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 30m $$($(GO) list $(PKGS) | grep -v /internal/e2e)

e2e:
	$(GO) test -count=1 -timeout 20m ./internal/e2e

test:
	$(GO) test -count=1 $(PKGS)

# Decoded fields against Wireshark's (tshark oracle). WIREBOM_CORPUS=DIR picks another corpus.
conformance:
	WIREBOM_CORPUS="$(WIREBOM_CORPUS)" $(GO) test -count=1 -run 'Conformance' ./parse/...

static-binary: build
	@out="$$(file $(BIN))"; echo "$$out"; echo "$$out" | grep -Eq 'statically linked|static-pie linked' || { echo "$(BIN) is not static"; exit 1; }

cross:
	scripts/cross.sh

# The Windows build run for real under Wine (wine64): inventory, ifaces, and capture through the Npcap
# shim against a fake wpcap.dll (internal/e2e/npcapfake, built with mingw-w64), files checked with tshark.
wine-test:
	sh scripts/wine-test.sh

# Every fuzz target for FUZZTIME (default 60s) each; the seeds alone run in every `go test`.
fuzz:
	scripts/fuzz.sh

demo: build
	scripts/demo.sh

setcap: build
	sudo setcap cap_net_raw,cap_net_admin=eip $(BIN)

bench: bench-capture bench-read bench-cbom

bench-capture: build
	scripts/bench-capture.sh

bench-read: build
	scripts/bench-read.sh

bench-cbom: build
	scripts/bench-cbom.sh

clean:
	rm -rf bin out
