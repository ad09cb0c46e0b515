# Aegis: `make run` serves the appliance on ./pb_data, `make test` runs every test.
GO       ?= go
BIN      ?= bin/aegis
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/aegis-sec/aegis/internal/app.Version=$(VERSION)
HTTP     ?= 127.0.0.1:8090
DATA     ?= ./pb_data

.PHONY: run build test test-go test-ui e2e ui bench fuzz lint clean

run: build
	$(BIN) serve --http $(HTTP) --dir $(DATA)

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) .

test: test-go test-ui e2e

test-go:
	$(GO) test -count=1 ./...

test-ui:
	@if [ ! -d ui/node_modules ]; then echo "ui: node_modules missing, run 'cd ui && npm ci'"; exit 1; fi
	cd ui && npx tsc -b && npm test --silent && npm run size --silent

e2e: build
	@if [ ! -d e2e/node_modules ]; then echo "e2e: node_modules missing, run 'cd e2e && npm ci'"; exit 1; fi
	cd e2e && npm test --silent

ui:
	cd ui && npm ci && npm run build

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	tools/bench.sh

fuzz:
	tools/fuzz.sh

lint:
	$(GO) vet ./...
	@if command -v staticcheck >/dev/null 2>&1; then staticcheck ./...; \
	elif [ -x "$$($(GO) env GOPATH)/bin/staticcheck" ]; then "$$($(GO) env GOPATH)/bin/staticcheck" ./...; \
	else echo "staticcheck not installed: go install honnef.co/go/tools/cmd/staticcheck@v0.8.2"; exit 1; fi

clean:
	rm -rf bin
