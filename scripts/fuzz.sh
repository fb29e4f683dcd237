#!/usr/bin/env bash
# make fuzz: run every fuzz target of the tree for FUZZTIME each (default 60s), one after the other.
# New crashers land in the package's testdata/fuzz/ and fail the run: keep them as regression seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
t=${FUZZTIME:-60s}
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "== $pkg $f ($t)"
    go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg"
  done
done
