#!/usr/bin/env bash
# icount.sh TESTBIN BENCH [DIR]: instructions per op of one Go benchmark, counted by valgrind's
# cachegrind (deterministic, whatever else the machine does): the whole program's count for
# 200001 iterations minus that for 1, divided by 200000. Includes the benchmark loop and any GC
# work the long run does. DIR is where the test binary runs (its testdata), default ".".
# Example: (cd parse/pndcp && go test -c -o /tmp/p.test . && ../../scripts/icount.sh /tmp/p.test 'ProfinetDCP$')
set -euo pipefail
t=$1 b=$2
cd "${3:-.}"
ir() {
	valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$t" \
		-test.run '^$' -test.bench "$b" -test.benchtime "$1" -test.cpu 1 2>&1 |
		awk '/I *refs/ {gsub(",", "", $NF); print $NF}'
}
a=$(ir 1x)
c=$(ir 200001x)
echo "$(((c - a) / 200000)) instructions/op ($b)"
