#!/bin/sh
# wine-test.sh: run wirebom's Windows code for real, under Wine, headless.
#
#   scripts/wine-test.sh            (from the repository root; needs Go and wine64)
#
# What it does, in a throw-away Wine prefix (WINEPREFIX in a temp dir,
# WINEDEBUG=-all, no X display):
#   1. the Windows tests of sysinv/winfacts and sysinv (registry reads checked
#      against reg.exe, Uninstall entries written and read back, Collect of the
#      running system and of an image directory), cross-compiled and run;
#   2. `wirebom.exe cbom` in CycloneDX JSON and SPDX JSON, both validated against
#      the official schemas (scripts/validate-schema.go), the OS checked
#      against `reg query`; XML, YAML, HTML and PDF must be written too;
#   3. `wirebom.exe ifaces` (GetAdaptersAddresses) must list adapters;
#   4. `wirebom.exe capture -i x` must exit 2 saying Npcap is not installed.
# Debian: apt-get install wine64 (bookworm: Wine 8). Exit status 0 when all pass.
set -eu

cd "$(dirname "$0")/.."
repo=$(pwd)
start=$(date +%s)

WINE=$(command -v wine64 || true)
[ -n "$WINE" ] || WINE=/usr/lib/wine/wine64
if [ ! -x "$WINE" ]; then
	echo "wine-test: wine64 not found (apt-get install wine64)" >&2
	exit 2
fi
WINESERVER=$(command -v wineserver || true)
[ -n "$WINESERVER" ] || WINESERVER=/usr/lib/wine/wineserver

tmp=$(mktemp -d /tmp/wirebom-wine.XXXXXX)
export WINEPREFIX="$tmp/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
cleanup() {
	"$WINESERVER" -k 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
mkdir -p "$WINEPREFIX"

fail=0
step() { printf '\n== %s\n' "$*"; }
bad() {
	echo "FAIL: $*" >&2
	fail=1
}

step "wineboot --init (headless)"
"$WINE" wineboot --init >"$tmp/wineboot.log" 2>&1 || { cat "$tmp/wineboot.log" >&2; exit 1; }
"$WINESERVER" -w 2>/dev/null || true
sys32="$WINEPREFIX/drive_c/windows/system32"
if [ ! -e "$sys32/bcryptprimitives.dll" ]; then
	# Wine 8 lacks the DLL Go 1.24+ programs need at start-up (ProcessPrng).
	echo "Wine has no bcryptprimitives.dll: adding a forwarder to advapi32.SystemFunction036"
	go run scripts/wine-prng-dll.go "$sys32/bcryptprimitives.dll"
fi
"$WINE" --version 2>/dev/null || true

export GOOS=windows GOARCH=amd64 CGO_ENABLED=0
step "build Windows binaries"
go test -c -o "$tmp/winfacts.test.exe" ./sysinv/winfacts/
go test -c -o "$tmp/sysinv.test.exe" ./sysinv/
go build -o "$tmp/wirebom.exe" ./cmd/wirebom
unset GOOS GOARCH

# Tests run in their package directory, as `go test` runs them (testdata).
step "sysinv/winfacts tests (all)"
(cd sysinv/winfacts && "$WINE" "$tmp/winfacts.test.exe" -test.v -test.count=1) >"$tmp/winfacts.log" 2>&1 || bad "winfacts tests"
grep -E '^(--- |ok|PASS|FAIL)' "$tmp/winfacts.log" || true
step "sysinv tests (Windows and platform)"
# The rest of sysinv's tests inventory Linux fixture trees and the Linux
# host; they run on Linux.
(cd sysinv && "$WINE" "$tmp/sysinv.test.exe" -test.v -test.count=1 -test.run 'Windows|Apply|MacOS') >"$tmp/sysinv.log" 2>&1 || bad "sysinv tests"
grep -E '^(--- |ok|PASS|FAIL)' "$tmp/sysinv.log" || true
[ "$fail" = 0 ] || { cat "$tmp/winfacts.log" "$tmp/sysinv.log" >&2; }

cd "$tmp"

step "wirebom.exe cbom"
if "$WINE" ./wirebom.exe cbom -F cyclonedx-json -o win.cdx.json -F spdx-json -o win.spdx.json \
	-F cyclonedx-xml -o win.cdx.xml -F yaml -o win.yaml -F html -o win.html -F pdf -o win.pdf 2>cbom.err; then
	cat cbom.err
	for f in win.cdx.json win.spdx.json win.cdx.xml win.yaml win.html win.pdf; do
		[ -s "$f" ] || bad "cbom wrote no $f"
	done
	(cd "$repo" && go run scripts/validate-schema.go cyclonedx "$tmp/win.cdx.json" &&
		go run scripts/validate-schema.go spdx "$tmp/win.spdx.json") || bad "schema validation"
	want=$("$WINE" reg query 'HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion' /v ProductName 2>/dev/null |
		tr -d '\r' | sed -n 's/^ *ProductName *REG_SZ *//p')
	got=$(jq -r '.components[] | select(.type == "operating-system") | .properties[] | select(.name == "wirebom:windows:productName") | .value' win.cdx.json)
	osname=$(jq -r '.components[] | select(.type == "operating-system") | "\(.name) \(.version) (\(.description))"' win.cdx.json)
	echo "OS component: $osname; registry ProductName: $want"
	[ -n "$want" ] && [ "$got" = "$want" ] || bad "OS ProductName $got, registry says $want"
	echo "components by type:"
	jq -r '[.components[].type] | group_by(.) | map("  \(.[0]): \(length)") | .[]' win.cdx.json
else
	cat cbom.err >&2
	bad "wirebom.exe cbom"
fi

step "wirebom.exe ifaces"
if "$WINE" ./wirebom.exe ifaces >ifaces.out 2>&1; then
	cat ifaces.out
	grep -q '^INDEX' ifaces.out && [ "$(wc -l <ifaces.out)" -ge 2 ] || bad "ifaces listed no adapter"
else
	cat ifaces.out >&2
	bad "wirebom.exe ifaces"
fi

step "wirebom.exe capture -i x (no Npcap)"
set +e
"$WINE" ./wirebom.exe capture -i x -c 1 >capture.out 2>&1
rc=$?
set -e
cat capture.out
[ "$rc" = 2 ] || bad "capture exit status $rc, want 2"
grep -q 'Npcap is not installed' capture.out || bad "capture did not say Npcap is not installed"

end=$(date +%s)
printf '\nwine-test: %s in %d s\n' "$([ "$fail" = 0 ] && echo PASS || echo FAIL)" $((end - start))
exit "$fail"
