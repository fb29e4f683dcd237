#!/usr/bin/env bash
# make cross: the static, cgo-free binary for every platform we ship, and go vet per GOOS.
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
targets="linux/amd64 linux/arm64 linux/386 linux/arm windows/amd64 windows/386 darwin/amd64 darwin/arm64"
mkdir -p bin/cross
for t in $targets; do
  os=${t%/*}; arch=${t#*/}
  ext=; [ "$os" = windows ] && ext=.exe
  GOOS=$os GOARCH=$arch go build -trimpath -ldflags '-s -w' -o "bin/cross/wirebom-$os-$arch$ext" ./cmd/wirebom
  echo "built bin/cross/wirebom-$os-$arch$ext"
done
for os in linux windows darwin; do
  GOOS=$os go vet ./...
done
