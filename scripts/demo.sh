#!/usr/bin/env bash
# make demo: the main jobs on sensible defaults. Captures 5 s on the default-route interface when
# allowed to (root or the setcap line), finds the devices in a shipped OT capture, and writes this
# machine's Cyber BOM. Sends no traffic anywhere: capture is passive.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=bin/wirebom
mkdir -p out

echo "== Interfaces"
$bin ifaces

iface=$(ip route show default 2>/dev/null | awk '/default/ {for (i=1;i<NF;i++) if ($i=="dev") print $(i+1); exit}')
[ -n "$iface" ] || iface=lo
can_capture=no
if [ "$(id -u)" = 0 ] || getcap "$bin" 2>/dev/null | grep -q cap_net_raw; then can_capture=yes; fi
echo
if [ "$can_capture" = yes ]; then
  echo "== Capturing 5 s on $iface into out/demo.pcapng"
  $bin capture -i "$iface" --duration 5s -w out/demo.pcapng
  $bin read -r out/demo.pcapng --stats 2>/dev/null | head -20 || true
else
  echo "== Live capture needs privileges. Run as root, or grant them once:"
  echo "   sudo setcap cap_net_raw,cap_net_admin=eip $bin"
fi

if [ -f testdata/demo/ot-sample.pcap ]; then
  echo
  echo "== Devices found in testdata/demo/ot-sample.pcap (real public OT captures)"
  $bin assets -r testdata/demo/ot-sample.pcap
fi

echo
echo "== Cyber BOM of this machine: out/host.cdx.json, out/host.html"
$bin cbom -o out/host.cdx.json -o out/host.html
if command -v jq >/dev/null; then
  jq -r '"  \(.metadata.component.name): \(.components | length) top-level components, spec \(.specVersion)"' out/host.cdx.json
fi
