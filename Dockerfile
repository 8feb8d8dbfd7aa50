# syntax=docker/dockerfile:1
# Build: docker build --build-arg VERSION=$(git describe --always --dirty) -t clusteratlas .
# Run:   docker run -p 8080:8080 clusteratlas
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=docker
# static binary: the dataset and the viewer are embedded, nothing else is needed at run time
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/clusteratlas ./cmd/clusteratlas

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/clusteratlas /clusteratlas
USER nonroot:nonroot
EXPOSE 8080
ENV CLUSTERATLAS_ADDR=:8080
ENTRYPOINT ["/clusteratlas", "serve"]
