#!/usr/bin/env bash
# make cross: the static, cgo-free binary for every platform we ship, and go vet per GOOS.
# Every target is tried; the failures are listed at the end (exit 1 if any).
set -uo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
targets="linux/amd64 linux/arm64 linux/386 linux/arm windows/amd64 windows/386 darwin/amd64 darwin/arm64"
mkdir -p bin/cross
failed=()
for t in $targets; do
  os=${t%/*}; arch=${t#*/}
  ext=; [ "$os" = windows ] && ext=.exe
  if GOOS=$os GOARCH=$arch go build -trimpath -ldflags '-s -w' -o "bin/cross/wirebom-$os-$arch$ext" ./cmd/wirebom; then
    echo "built bin/cross/wirebom-$os-$arch$ext"
  else
    failed+=("build $t")
  fi
done
for t in linux/amd64 linux/386 windows/amd64 windows/386 darwin/arm64; do
  if ! GOOS=${t%/*} GOARCH=${t#*/} go vet ./...; then
    failed+=("vet $t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  printf 'cross: FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "cross: all targets built and vetted"
