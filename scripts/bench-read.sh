#!/usr/bin/env bash
# bench-read.sh - time `wirebom read --stats` and `wirebom assets -r` on one large
# capture, side by side with `tshark -q -z io,phs` and `tcpdump -w /dev/null`.
#
# The capture is every Ethernet-linktype corpus file (testdata/corpus/pcaps)
# concatenated, repeated until it is about $BENCH_MB MiB (default 200), written
# with mergecap (Debian package wireshark-common). Each tool runs $BENCH_RUNS
# times (default 3); the best wall time and the peak RSS are printed, with
# packets per second.
#
# Usage: make bench-read    (or: BENCH_MB=500 BENCH_RUNS=5 scripts/bench-read.sh)
# Needs: bin/wirebom (make build), mergecap + tshark (wireshark-common, tshark),
#        tcpdump, GNU time (/usr/bin/time, Debian package time).
set -euo pipefail
cd "$(dirname "$0")/.."

MB=${BENCH_MB:-200}
RUNS=${BENCH_RUNS:-3}
BIN=${WIREBOM:-bin/wirebom}
WORK=${BENCH_DIR:-$(mktemp -d /tmp/wirebom-bench-read.XXXXXX)}
mkdir -p "$WORK"
BIG=$WORK/big.pcap

for tool in mergecap tshark tcpdump capinfos /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench-read: $tool not found (apt-get install wireshark-common tshark tcpdump time)" >&2; exit 2; }
done
[ -x "$BIN" ] || { echo "bench-read: $BIN missing: run make build" >&2; exit 2; }

# 1. One pass over the Ethernet corpus files.
eth=()
for f in testdata/corpus/pcaps/*.pcap testdata/corpus/pcaps/*.pcapng; do
	if capinfos -E "$f" 2>/dev/null | grep -q 'Ethernet'; then
		eth+=("$f")
	fi
done
mergecap -a -F pcap -w "$WORK/one.pcap" "${eth[@]}"
one=$(stat -c %s "$WORK/one.pcap")
reps=$(( (MB * 1024 * 1024) / one + 1 ))

# 2. Repeat it: mergecap -a concatenates in order (timestamps repeat).
args=()
for ((i = 0; i < reps; i++)); do args+=("$WORK/one.pcap"); done
mergecap -a -F pcap -w "$BIG" "${args[@]}"
pkts=$(capinfos -c -M "$BIG" | awk -F': *' '/Number of packets/ {print $2}')
size=$(stat -c %s "$BIG")
echo "# file: $BIG, $((size / 1024 / 1024)) MiB, $pkts packets (${#eth[@]} Ethernet corpus files x $reps)"
echo "# $(nproc) CPUs, $(uname -r), best of $RUNS runs, warm page cache"
cat "$BIG" >/dev/null # warm the page cache

# bench NAME CMD... : run CMD $RUNS times; print the best wall time, the CPU
# time (user+sys) of that run, packets per CPU second and the peak RSS. On a
# busy machine CPU time is the steadier number.
bench() {
	local name=$1; shift
	local best="" cpu="" rss=0 t u s r
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" || {
			echo "bench-read: $name failed:" >&2; cat "$WORK/stderr" >&2; exit 1; }
		read -r t u s r <"$WORK/time"
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then
			best=$t
			cpu=$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')
		fi
		[ "$r" -gt "$rss" ] && rss=$r
	done
	awk -v n="$name" -v t="$best" -v c="$cpu" -v r="$rss" -v p="$pkts" \
		'BEGIN{if (c < 0.01) c = 0.01; printf "%-32s %8.2f s %8.2f s %12.0f %8d MiB\n", n, t, c, p/c, r/1024}'
}

printf '%-32s %10s %10s %12s %12s\n' tool wall cpu pkt/cpu-s "peak RSS"
bench "wirebom read --stats"        "$BIN" read -r "$BIG" --stats
bench "tshark -q -z io,phs"         tshark -n -r "$BIG" -q -z io,phs
bench "wirebom read (summaries)"    "$BIN" read -r "$BIG"
bench "tcpdump -r -w /dev/null"     tcpdump -n -r "$BIG" -w /dev/null
bench "tcpdump -r (summaries)"      tcpdump -n -r "$BIG"
bench "wirebom assets -r"           "$BIN" assets -r "$BIG"

# The phs tables must agree on the common protocols (a quick sanity check).
"$BIN" read -r "$BIG" --stats | grep -E '^(eth|  (arp|ip|ipv6|lldp)) ' >"$WORK/ours"
tshark -n -r "$BIG" -q -z io,phs | grep -E '^(eth|  (arp|ip|ipv6|lldp)) ' >"$WORK/theirs"
if diff -u "$WORK/theirs" "$WORK/ours"; then
	echo "# protocol hierarchy: eth/arp/ip/ipv6/lldp counts equal to tshark's"
else
	echo "# protocol hierarchy differs from tshark's (see diff above)"
fi
[ -z "${BENCH_DIR:-}" ] && rm -rf "$WORK"
exit 0
