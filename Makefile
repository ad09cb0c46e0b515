# Aegis: `make run` serves the appliance on ./pb_data, `make test` runs every test.
GO       ?= go
BIN      ?= bin/aegis
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/aegis-sec/aegis/internal/app.Version=$(VERSION)
HTTP     ?= 127.0.0.1:8090
DATA     ?= ./pb_data

.PHONY: run build test test-go test-ui e2e ui bench pagebench fuzz lint clean

run: build
	$(BIN) serve --http $(HTTP) --dir $(DATA)

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) .

test: test-go test-ui e2e

test-go:
	$(GO) test -count=1 ./...

# node_modules are installed from the lockfile when missing or older than it.
ui/node_modules/.installed: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

e2e/node_modules/.installed: e2e/package-lock.json
	cd e2e && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test-ui: ui/node_modules/.installed
	cd ui && npx tsc -b && npm test --silent && npm run size --silent

e2e: build e2e/node_modules/.installed
	@command -v $${CHROMIUM:-chromium} >/dev/null 2>&1 || { echo "e2e: chromium is missing: install it with 'apt-get install -y --no-install-recommends chromium' (Debian)"; exit 1; }
	cd e2e && npm test --silent

ui: ui/node_modules/.installed
	cd ui && npm run build

bench: pagebench
	$(GO) test -run '^$$' -bench . -benchmem ./...
	tools/bench.sh

# Page loads per role at the demo sizes small, large and xl (docs/BENCHMARKS.md).
ATTACK_BUNDLE ?= ../shared/data/attack/enterprise-attack-18.1.json.gz
pagebench: build
	$(GO) run ./tools/pagebench -bin $(BIN) -bundle $(ATTACK_BUNDLE)

fuzz:
	tools/fuzz.sh

lint:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$unformatted" ]; then echo "gofmt: these files need formatting:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	@if command -v staticcheck >/dev/null 2>&1; then staticcheck ./...; \
	elif [ -x "$$($(GO) env GOPATH)/bin/staticcheck" ]; then "$$($(GO) env GOPATH)/bin/staticcheck" ./...; \
	else echo "staticcheck not installed: go install honnef.co/go/tools/cmd/staticcheck@v0.8.2"; exit 1; fi

clean:
	rm -rf bin
