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
#   4. `wirebom.exe capture -i x` must exit 2 saying Npcap is not installed;
#   5. then a fake Npcap (internal/e2e/npcapfake/wpcap.c, built with mingw-w64)
#      is installed as system32\Npcap\wpcap.dll and `wirebom.exe capture`
#      runs through the real wpcap.dll call path: adapter listing, -i by
#      description, device name and Wine's friendly name, pcap and pcapng
#      output compared with the source capture by tshark (timestamps to the
#      nanosecond, lengths, bytes), -s, -p, the filter program handed to
#      pcap_setfilter against Linux `wirebom -ddd`, --duration ended by
#      pcap_breakloop, the pcap_stats counters in the summary, and the
#      wrong-adapter, loopback-adapter and access-denied errors.
# Debian: apt-get install wine64 gcc-mingw-w64-x86-64 tshark jq (bookworm:
# Wine 8). Exit status 0 when all pass.
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
MINGW=$(command -v x86_64-w64-mingw32-gcc || true)
if [ -z "$MINGW" ]; then
	echo "wine-test: x86_64-w64-mingw32-gcc not found (apt-get install gcc-mingw-w64-x86-64)" >&2
	exit 2
fi
for tool in tshark jq editcap; do
	command -v "$tool" >/dev/null || { echo "wine-test: $tool not found (apt-get install tshark jq)" >&2; exit 2; }
done
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
step() { printf '\n== %s  [%d s]\n' "$*" $(($(date +%s) - start)); }
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
go build -o "$tmp/wirebom-linux" ./cmd/wirebom

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

# ---- The Npcap call path, against a fake wpcap.dll of our own (issue #7) ----

step "fake Npcap: build internal/e2e/npcapfake/wpcap.dll (mingw-w64) and install it"
"$MINGW" -std=gnu11 -O2 -Wall -Wextra -Werror -shared -static-libgcc -s \
	-o wpcap.dll "$repo/internal/e2e/npcapfake/wpcap.c" -liphlpapi
mkdir -p "$sys32/Npcap"
cp wpcap.dll "$sys32/Npcap/wpcap.dll"
# Wine has a wpcap.dll of its own (a bridge to the host's libpcap): load
# ours, as Windows would load the file at that path.
export WINEDLLOVERRIDES="$WINEDLLOVERRIDES;wpcap=n"

# The packets the fake adapters receive: the demo capture (microseconds) and
# a nanosecond copy 123 ns later, so that nanoseconds must survive the trip.
cp "$repo/testdata/demo/ot-sample.pcap" src.pcap
editcap -F nsecpcap -t 0.000000123 src.pcap src-ns.pcap
export WIREBOM_FAKE_LOG="$tmp/fake.log" WIREBOM_FAKE_FILTER="$tmp/filter.ddd" WIREBOM_FAKE_PCAP="$tmp/src-ns.pcap"
intel='Fake Intel(R) Ethernet Connection I219-LM'
intel_npf='\Device\NPF_{5D7E3C2A-1B4F-4C8D-9E6A-0F1B2C3D4E5F}'
realtek_npf='\Device\NPF_{A3C1E5B7-9D2F-4A6B-8C0E-1F3A5B7C9D0E}'
loop_npf='\Device\NPF_Loopback'

# frames FILE prints one line per frame as tshark reads it: epoch time with
# nine decimals, length, captured length, the bytes in hex.
frames() {
	tshark -r "$1" -T json -x 2>"$1.tshark.err" |
		jq -r '.[]._source.layers | [.frame["frame.time_epoch"], .frame["frame.len"], .frame["frame.cap_len"], (.frame_raw | if type == "array" then .[0] else . end)] | @tsv' |
		awk -F '\t' '{ n = split($1, t, "."); f = (n > 1) ? t[2] : ""; while (length(f) < 9) f = f "0"; print t[1] "." f, $2, $3, $4 }'
}
frames src-ns.pcap >want-ns.txt
frames src.pcap >want-us.txt
total=$(wc -l <want-ns.txt)
[ "$total" -gt 40 ] || bad "the source capture has $total frames as tshark reads it"
echo "source: testdata/demo/ot-sample.pcap, $total frames; nanosecond copy $(sed -n '1s/ .*//p' want-ns.txt) (first frame)"

# capture NAME ARGS...: run wirebom.exe capture with a fresh fake log; its
# exit status goes to $rc, its output (stdout and stderr) to NAME.out.
capture() {
	name=$1
	shift
	rm -f fake.log filter.ddd
	set +e
	"$WINE" ./wirebom.exe capture "$@" >"$name.out" 2>&1
	rc=$?
	set -e
	sed 's/^/  | /' "$name.out"
}
has() { grep -qF -- "$2" "$1" || bad "$3: $1 lacks: $2"; }
hasline() { grep -qxF -- "$2" "$1" || bad "$3: $1 lacks the line: $2"; }
# same WHAT GOT WANT compares two frame listings.
same() {
	if cmp -s "$2" "$3"; then
		echo "ok: $1 ($(wc -l <"$2") frames identical: time to the ns, length, captured length, bytes)"
	else
		bad "$1: frames differ from the source"
		diff "$3" "$2" | cut -c1-160 | head -5 >&2
	fi
}
# summary WHAT CAPTURED: the three counters wirebom prints are the packets it
# wrote and the fake's last pcap_stats reading.
summary() {
	recv=$(sed -n 's/^pcap_stats recv=\([0-9]*\) .*/\1/p' fake.log | tail -1)
	[ -n "$recv" ] || { bad "$1: pcap_stats never called"; return; }
	hasline "$1.out" "$2 packets captured" "$1"
	hasline "$1.out" "$recv packets received by filter" "$1"
	hasline "$1.out" "7 packets dropped by kernel" "$1"
	has fake.log "pcap_close " "$1"
}

step "fake Npcap: a wrong adapter name lists the fake adapters (exit 2)"
capture wrong -i nosuch -c 1
[ "$rc" = 2 ] || bad "wrong adapter: exit status $rc, want 2"
for s in "$intel_npf" "$intel" "$realtek_npf" "$loop_npf" "[192.0.2.10 2001:db8::10 fe80::1%7]"; do
	has wrong.out "$s" "wrong adapter"
done
has fake.log "pcap_freealldevs (lists not freed: 0)" "wrong adapter"

step "fake Npcap: -i DESCRIPTION -c 40 -w a.pcap (nanosecond timestamps)"
capture a -i "$intel" -c 40 -w a.pcap
[ "$rc" = 0 ] || bad "capture a.pcap: exit status $rc"
for l in "pcap_activate $intel_npf -> 0" "pcap_set_snaplen 262144 -> 0" "pcap_set_promisc 1 -> 0" \
	"pcap_set_timeout 100 -> 0" "pcap_set_immediate_mode 1 -> 0" "pcap_set_buffer_size 67108864 -> 0" \
	"pcap_set_tstamp_precision 1 -> 0" "pcap_datalink -> 1" "pcap_breakloop"; do
	hasline fake.log "$l" "capture a.pcap"
done
summary a 40
frames a.pcap >a.txt
head -40 want-ns.txt >want.txt
same "a.pcap against the first 40 frames of the source" a.txt want.txt

step "fake Npcap: -i DEVICE -p -c 40 -w b.pcapng (Npcap refuses nanoseconds: microseconds)"
WIREBOM_FAKE_PRECISION=micro WIREBOM_FAKE_PCAP="$tmp/src.pcap" capture b -i "$intel_npf" -p -c 40 -w b.pcapng
# (bash, unlike dash, keeps assignments made for a function call)
unset WIREBOM_FAKE_PRECISION
export WIREBOM_FAKE_PCAP="$tmp/src-ns.pcap"
[ "$rc" = 0 ] || bad "capture b.pcapng: exit status $rc"
for l in "pcap_activate $intel_npf -> 0" "pcap_set_promisc 0 -> 0" "pcap_set_tstamp_precision 1 -> -12"; do
	hasline fake.log "$l" "capture b.pcapng"
done
summary b 40
frames b.pcapng >b.txt
head -40 want-us.txt >want.txt
same "b.pcapng against the first 40 frames of the microsecond source" b.txt want.txt

step "fake Npcap: -s 64 -c 40 -w c.pcap (snaplen)"
capture c -i "$realtek_npf" -s 64 -c 40 -w c.pcap
[ "$rc" = 0 ] || bad "capture -s 64: exit status $rc"
hasline fake.log "pcap_set_snaplen 64 -> 0" "capture -s 64"
frames c.pcap >c.txt
head -40 want-ns.txt | awk '{ c = ($2 < 64) ? $2 : 64; print $1, $2, c, substr($4, 1, 2 * c) }' >want.txt
cut=$(awk '$3 < $2' want.txt | wc -l)
[ "$cut" -gt 0 ] || bad "capture -s 64: no frame of the first 40 is longer than 64 bytes: the check proves nothing"
same "c.pcap against the source cut to 64 bytes ($cut frames cut)" c.txt want.txt

step "fake Npcap: the filter program handed to pcap_setfilter"
capture d1 -i "$intel" -c 5 -w d1.pcap tcp port 502
[ "$rc" = 0 ] || bad "capture with a filter: exit status $rc"
"$tmp/wirebom-linux" capture -ddd tcp port 502 >want-d1.ddd
if cmp -s filter.ddd want-d1.ddd; then
	echo "ok: 'tcp port 502': the $(head -1 want-d1.ddd) instructions attached equal Linux 'wirebom capture -ddd'"
else
	bad "'tcp port 502': pcap_setfilter got a program other than Linux 'wirebom capture -ddd'"
	diff want-d1.ddd filter.ddd >&2 || true
fi
# Npcap hands frames over with their VLAN tags in place: the program must be
# the one for a file (as `wirebom read` compiles it), not Linux's live one,
# where the kernel has moved the outer tag out of the frame.
capture d2 -i "$intel" -c 5 -w d2.pcap tcp port 502 or vlan
[ "$rc" = 0 ] || bad "capture with a vlan filter: exit status $rc"
"$tmp/wirebom-linux" read -r src.pcap -ddd tcp port 502 or vlan >want-d2.ddd
"$WINE" ./wirebom.exe capture -ddd tcp port 502 or vlan >win-d2.ddd 2>&1 || bad "wirebom.exe capture -ddd"
if cmp -s filter.ddd want-d2.ddd && cmp -s filter.ddd win-d2.ddd; then
	echo "ok: 'tcp port 502 or vlan': the $(head -1 want-d2.ddd) instructions attached equal Linux 'wirebom read -ddd' and wirebom.exe 'capture -ddd'"
else
	bad "'tcp port 502 or vlan': pcap_setfilter got a program other than Linux 'wirebom read -ddd' or wirebom.exe 'capture -ddd'"
	diff want-d2.ddd filter.ddd >&2 || true
	diff win-d2.ddd filter.ddd >&2 || true
fi

step "fake Npcap: --duration 3s, the file runs out, pcap_breakloop ends the capture"
t0=$(date +%s%N)
capture e -i "$intel" --duration 3s -w e.pcap
t1=$(date +%s%N)
[ "$rc" = 0 ] || bad "capture --duration: exit status $rc"
summary e "$total"
has fake.log "pcap_next_ex -> 0 (read timeout: the capture file is exhausted after $total packets)" "capture --duration"
hasline fake.log "pcap_breakloop" "capture --duration"
has fake.log "pcap_next_ex -> -2 (" "capture --duration"
sed -n 's/^\(pcap_next_ex -> -2.*\)/  fake: \1/p' fake.log
echo "  (wall time $(((t1 - t0) / 1000000)) ms, Wine start-up included)"
frames e.pcap >e.txt
same "e.pcap against the whole source" e.txt want-ns.txt

step "fake Npcap: the loopback adapter (DLT_NULL) is captured as link-type NULL"
# Three loopback packets: a 4-byte little-endian address family (2 IPv4,
# 24 IPv6, as Windows writes it), then UDP 4000 > 5000 over IPv4, IPv4, IPv6.
cat >loop.txt <<'HEX'
0000  02 00 00 00 45 00 00 21 00 01 00 00 40 11 7c ca 7f 00 00 01 7f 00 00 01 0f a0 13 88 00 0d 00 00 77 62 00 00 01
0000  02 00 00 00 45 00 00 21 00 02 00 00 40 11 7c c9 7f 00 00 01 7f 00 00 01 0f a0 13 88 00 0d 00 00 77 62 00 00 02
0000  18 00 00 00 60 00 00 00 00 0d 11 40 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 0f a0 13 88 00 0d 00 00 77 62 00 00 03
HEX
text2pcap -q -F pcap -l 0 loop.txt loop-us.pcap
editcap -F nsecpcap loop-us.pcap loop.pcap
frames loop.pcap >want-loop.txt
WIREBOM_FAKE_LOOP_PCAP="$tmp/loop.pcap" capture lo -i "$loop_npf" -w lo.pcap -c 3
[ "$rc" = 0 ] || bad "loopback adapter: exit status $rc, want 0"
has lo.out "link-type NULL (BSD loopback)" "loopback adapter"
hasline fake.log "pcap_datalink -> 0" "loopback adapter"
has fake.log "pcap_close $loop_npf" "loopback adapter"
protos=$(tshark -r lo.pcap -T fields -e frame.protocols 2>/dev/null | tr '\n' ' ')
[ "$protos" = "null:ip:udp:data null:ip:udp:data null:ipv6:udp:data " ] || bad "loopback adapter: tshark reads lo.pcap as: $protos"
frames lo.pcap >lo.txt
same "lo.pcap against the loopback source" lo.txt want-loop.txt
step "fake Npcap: a filter on the loopback adapter is compiled for link-type NULL"
WIREBOM_FAKE_LOOP_PCAP="$tmp/loop.pcap" capture lof -i "$loop_npf" -c 1 -w lof.pcap ip6 and udp port 5000
[ "$rc" = 0 ] || bad "loopback adapter with a filter: exit status $rc, want 0"
"$tmp/wirebom-linux" read -r loop.pcap -ddd ip6 and udp port 5000 >want-lo.ddd
if cmp -s filter.ddd want-lo.ddd; then
	echo "ok: 'ip6 and udp port 5000' on the loopback adapter: the $(head -1 want-lo.ddd) instructions attached equal Linux 'wirebom read -ddd' on a NULL capture"
else
	bad "loopback filter: pcap_setfilter got a program other than Linux 'wirebom read -ddd' on a NULL capture"
	diff want-lo.ddd filter.ddd >&2 || true
fi
tcpdump -r loop.pcap -ddd ip6 and udp port 5000 2>/dev/null >td-lo.ddd || true
if cmp -s td-lo.ddd want-lo.ddd; then
	echo "ok: and it is the program tcpdump -ddd compiles for that NULL capture"
fi

step "fake Npcap: access denied by a restricted Npcap (exit 2)"
WIREBOM_FAKE_DENY=1 capture deny -i "$intel" -c 1
unset WIREBOM_FAKE_DENY
[ "$rc" = 2 ] || bad "access denied: exit status $rc, want 2"
has deny.out "Access is denied" "access denied (pcap_geterr text)"
n=$(grep -c "run wirebom as Administrator" deny.out || true)
[ "$n" = 1 ] || bad "access denied: the fix is printed $n times, want once"
hasline fake.log "pcap_activate $intel_npf -> -8" "access denied"
has fake.log "pcap_close $intel_npf" "access denied"

step "fake Npcap: -i FRIENDLY-NAME of an adapter Wine reports"
# The fake names an Npcap device after every adapter GetAdaptersAddresses
# lists, as Npcap does for the adapters it is bound to: wirebom must find it
# by its friendly name.
pick=$(sed -n 's/^  \(.*[^ ]\)  *\(\\Device\\NPF_[^ ]*\)  .*/\1|\2/p' wrong.out | grep -v '^-|' | head -1 || true)
if [ -z "$pick" ]; then
	bad "Wine reports no adapter besides loopback: the friendly-name path was not run"
else
	friendly=${pick%%|*}
	npf=${pick#*|}
	capture f -i "$friendly" -c 3 -w f.pcap
	[ "$rc" = 0 ] || bad "capture -i '$friendly': exit status $rc"
	hasline fake.log "pcap_activate $npf -> 0" "capture -i '$friendly'"
	frames f.pcap >f.txt
	head -3 want-ns.txt >want.txt
	same "-i '$friendly' ($npf)" f.txt want.txt
fi

end=$(date +%s)
printf '\nwine-test: %s in %d s\n' "$([ "$fail" = 0 ] && echo PASS || echo FAIL)" $((end - start))
exit "$fail"
