#!/usr/bin/env bash
# bench-cbom.sh: `wirebom cbom` next to syft on the same roots, wall time and peak RSS
# (/usr/bin/time -v), and the two package sets compared by name and version.
#
#   scripts/bench-cbom.sh              # debootstrap root + live host, 5 runs each
#   RUNS=3 ROOT=/mnt/img scripts/bench-cbom.sh
#
# Environment:
#   BIN    wirebom binary (default bin/wirebom; `make bench-cbom` builds it)
#   SYFT   syft binary (default: syft in PATH, else ~/go/bin/syft;
#          install with `go install github.com/anchore/syft/cmd/syft@v1.57.1`)
#   ROOT   Debian root to inventory (default $WIREBOM_DEBOOTSTRAP_ROOT, else
#          /var/tmp/wirebom-debootstrap-root, built with scripts/make-debootstrap-root.sh)
#   RUNS   runs per tool and target (default 5); the median wall time and the
#          largest peak RSS are reported
#   OUT    directory for documents and logs (default out/bench-cbom)
#   LIVE   0 to skip the live host (default 1)
#   ROOTBENCH 0 to skip the debootstrap root (default 1)
# Results are printed as a Markdown table (the format of docs/perf/cbom.md).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-bin/wirebom}
SYFT=${SYFT:-$(command -v syft || echo "$HOME/go/bin/syft")}
ROOT=${ROOT:-${WIREBOM_DEBOOTSTRAP_ROOT:-/var/tmp/wirebom-debootstrap-root}}
RUNS=${RUNS:-5}
OUT=${OUT:-out/bench-cbom}
LIVE=${LIVE:-1}
ROOTBENCH=${ROOTBENCH:-1}

die() { echo "bench-cbom: $*" >&2; exit 2; }
[ -x "$BIN" ] || die "$BIN not built (run make build)"
[ -x "$SYFT" ] || die "syft not found: go install github.com/anchore/syft/cmd/syft@v1.57.1"
[ -x /usr/bin/time ] || die "/usr/bin/time missing (Debian package time)"
command -v jq >/dev/null || die "jq missing (Debian package jq)"
if [ "$ROOTBENCH" = 1 ] && [ ! -f "$ROOT/var/lib/dpkg/status" ]; then
	[ "$(id -u)" -eq 0 ] || die "no root at $ROOT and debootstrap needs root"
	scripts/make-debootstrap-root.sh "$ROOT"
fi
mkdir -p "$OUT"

# syft must not phone home; the machine is offline by design.
export SYFT_CHECK_FOR_APP_UPDATE=false

# measure NAME OUTFILE CMD...: runs CMD $RUNS times under /usr/bin/time -v and
# prints "median_wall_s max_rss_kib".
measure() {
	local name=$1; shift
	local walls=() rss=0 i log
	for i in $(seq 1 "$RUNS"); do
		log="$OUT/$name.time.$i"
		/usr/bin/time -v -o "$log" "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.stderr" ||
			die "$name failed, see $OUT/$name.stderr"
		walls+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(j=1;j<=n;j++) s=s*60+a[j]; print s}' "$log")")
		r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
		[ "$r" -gt "$rss" ] && rss=$r
	done
	printf '%s\n' "${walls[@]}" | sort -g | awk -v rss="$rss" '{a[NR]=$1} END {printf "%.3f %d\n", a[int((NR+1)/2)], rss}'
}

# packages FILE: "name version" of every deb/rpm/apk package in a CycloneDX
# JSON document (nested components included), sorted and unique.
packages() {
	jq -r '[.. | objects | select(has("purl")) | select(.purl | test("^pkg:(deb|rpm|apk)/")) | "\(.name) \(.version)"] | .[]' "$1" | sort -u
}

bench() {
	local label=$1 target=$2 tag=$3
	local w s
	w=$(measure "wirebom-$tag" "$BIN" cbom --root "$target" --reproducible -q -o "$OUT/wirebom-$tag.cdx.json")
	# syft: every cataloger (its default for a directory), and dpkg only (the same scope as ours).
	s=$(measure "syft-$tag" "$SYFT" scan -q "dir:$target" -o "cyclonedx-json@1.6=$OUT/syft-$tag.cdx.json")
	sd=$(measure "syft-dpkg-$tag" "$SYFT" scan -q "dir:$target" --select-catalogers dpkg -o "cyclonedx-json@1.6=$OUT/syft-dpkg-$tag.cdx.json")
	read -r ww wr <<<"$w"; read -r sw sr <<<"$s"; read -r dw dr <<<"$sd"
	packages "$OUT/wirebom-$tag.cdx.json" >"$OUT/wirebom-$tag.pkgs"
	packages "$OUT/syft-$tag.cdx.json" >"$OUT/syft-$tag.pkgs"
	comm -23 "$OUT/wirebom-$tag.pkgs" "$OUT/syft-$tag.pkgs" >"$OUT/only-wirebom-$tag.txt"
	comm -13 "$OUT/wirebom-$tag.pkgs" "$OUT/syft-$tag.pkgs" >"$OUT/only-syft-$tag.txt"
	local nw ns nd
	nw=$(wc -l <"$OUT/wirebom-$tag.pkgs"); ns=$(wc -l <"$OUT/syft-$tag.pkgs")
	nd=$(packages "$OUT/syft-dpkg-$tag.cdx.json" | wc -l)
	awk -v l="$label" -v ww="$ww" -v wr="$wr" -v sw="$sw" -v sr="$sr" -v dw="$dw" -v dr="$dr" \
		-v nw="$nw" -v ns="$ns" -v nd="$nd" 'BEGIN {
		printf "| %s | wirebom cbom | %.3f | %.1f | %d | %.3f |\n", l, ww, wr/1024, nw, ww/sw
		printf "| %s | syft (all catalogers) | %.3f | %.1f | %d | 1 |\n", l, sw, sr/1024, ns
		printf "| %s | syft --select-catalogers dpkg | %.3f | %.1f | %d | %.3f |\n", l, dw, dr/1024, nd, dw/sw
	}'
	echo "  packages only in wirebom ($tag): $(wc -l <"$OUT/only-wirebom-$tag.txt") -> $OUT/only-wirebom-$tag.txt" >&2
	echo "  packages only in syft    ($tag): $(wc -l <"$OUT/only-syft-$tag.txt") -> $OUT/only-syft-$tag.txt" >&2
}

echo "wirebom: $("$BIN" --version 2>/dev/null || echo "$BIN")   syft: $("$SYFT" version 2>/dev/null | awk -F': +' '/^Version:/ {print $2}') ($SYFT)   runs: $RUNS   $(date -u +%Y-%m-%dT%H:%MZ)" >&2
echo "| target | tool | median wall (s) | peak RSS (MiB) | deb/rpm/apk packages | wall / syft (all) |"
echo "|---|---|---|---|---|---|"
if [ "$ROOTBENCH" = 1 ]; then
	bench "debootstrap root" "$ROOT" root
fi
if [ "$LIVE" = 1 ]; then
	bench "live host (/)" / live
fi
