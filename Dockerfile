# Multi-stage build: SPA, then a static Go binary, then a small non-root image.
FROM node:20-bookworm-slim AS ui
WORKDIR /src/ui
COPY ui/package.json ui/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY ui/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=ui /src/ui/dist ./ui/dist
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/aegis-sec/aegis/internal/app.Version=${VERSION}" -o /out/aegis .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/aegis /usr/local/bin/aegis
VOLUME ["/data"]
EXPOSE 8090
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s CMD ["/usr/local/bin/aegis", "healthcheck", "--url", "http://127.0.0.1:8090/api/health"]
ENV AEGIS_DATA_DIR=/data
ENTRYPOINT ["/usr/local/bin/aegis"]
CMD ["serve", "--http", "0.0.0.0:8090", "--dir", "/data"]
