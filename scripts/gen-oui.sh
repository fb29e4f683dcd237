#!/bin/sh
# Regenerates parse/oui/oui.txt.gz, the IEEE MAC address registry embedded
# in wirebom, from Debian's ieee-data package (public domain IEEE data):
#   apt-get install -y ieee-data
#   scripts/gen-oui.sh [IEEE_DATA_DIR]   # default /usr/share/ieee-data
# The source version is recorded in parse/oui/VERSION.
set -eu
cd "$(dirname "$0")/.."
dir=${1:-/usr/share/ieee-data}
for f in oui.csv mam.csv oui36.csv iab.csv; do
	[ -r "$dir/$f" ] || { echo "gen-oui: $dir/$f missing (apt-get install -y ieee-data)" >&2; exit 2; }
done
CGO_ENABLED=0 go run parse/oui/gen.go "$dir" parse/oui/oui.txt.gz
ver=$(dpkg-query -W -f '${Version}' ieee-data 2>/dev/null || echo unknown)
upd=$(cat "$dir/.lastupdate" 2>/dev/null || true)
upd=$(date -u -d "@${upd:-0}" +%F 2>/dev/null || echo unknown)
printf 'ieee-data %s (registry snapshot %s)\n' "$ver" "$upd" > parse/oui/VERSION
