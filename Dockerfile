# The grantsweep image: a static binary on a small base, run as a non-root user.
#
#   docker build --build-arg VERSION=v1.2.3 -t grantsweep:v1.2.3 .
#   docker run --rm -v "$PWD/logs:/logs:ro" grantsweep:v1.2.3 sweep /logs
#
# The README's Kubernetes examples run this image (see its Docker and Kubernetes section).
# The base has a shell (busybox) because they compute a day from the pod's index or the
# date in sh; the binary needs nothing from it.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
# The modules first, so that a change to the code does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# VERSION is what "grantsweep version" prints and the JSON summary's generated_by names.
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-X main.version=${VERSION}" -o /out/grantsweep ./cmd/grantsweep

FROM busybox:1.37
# The CA certificates of the builder's Debian, for remote inputs read over TLS (a next
# contract of docs/DESIGN.md); nothing reads them yet.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /src/LICENSE /usr/share/doc/grantsweep/LICENSE
COPY --from=build /out/grantsweep /usr/local/bin/grantsweep
LABEL org.opencontainers.image.title="grantsweep" \
      org.opencontainers.image.licenses="Apache-2.0"
# A numeric user, so that Kubernetes' runAsNonRoot can check it; spilled events go to
# /tmp unless --spill-dir says otherwise.
USER 65532:65532
ENTRYPOINT ["grantsweep"]
CMD ["help"]
