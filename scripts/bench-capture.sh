#!/usr/bin/env bash
# make bench-capture: wirebom vs tcpdump vs gopacket's afpacket, side by side, in namespaces of
# its own (see internal/bench/capturebench). Needs root, tcpdump, taskset.
# Extra arguments go to capturebench, e.g. -runs 7 -packets 2000000 -modes rps, or -out DIR to
# write real files there (a directory tcpdump's unprivileged user can write, e.g. on tmpfs).
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
go build -o bin/afpacketcap ./internal/bench/afpacketcap
go build -o bin/capturebench ./internal/bench/capturebench
go build -o bin/gen ./internal/bench/gen
echo "# $(date -u +%F) $(uname -r), $(nproc) CPUs, tcpdump $(tcpdump --version 2>&1 | head -1 | awk '{print $3}'), bin/capturebench $*"
bin/capturebench -wirebom bin/wirebom -afpacket bin/afpacketcap -gen bin/gen "$@"
