#!/bin/sh
# gen-pciids.sh [--full]: refresh the pci.ids and usb.ids copies that sysinv
# embeds (sysinv/idsdata/{pci,usb}.ids.gz). Source: the Debian hwdata package
# (/usr/share/hwdata, which points into /usr/share/misc; pciutils and usbutils
# ship the same files). Licence: GPL-2.0-or-later OR BSD-3-Clause (the files'
# own headers and Debian's hwdata copyright file).
#
# By default the copies are trimmed to vendor, device and class lines (PCI
# subsystem lines and the usb.ids HID/language/... tables are dropped), which
# is what sysinv looks up; --full keeps the files whole. The header comments
# (version, date, maintainers, licence) are always kept.
set -eu
full=0
[ "${1:-}" = --full ] && full=1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$here/sysinv/idsdata
mkdir -p "$out"
find_ids() {
	for d in /usr/share/hwdata /usr/share/misc /usr/share; do
		if [ -r "$d/$1" ]; then echo "$d/$1"; return 0; fi
	done
	echo "gen-pciids.sh: $1 not found; apt-get install hwdata" >&2
	return 1
}
pci=$(find_ids pci.ids)
usb=$(find_ids usb.ids)
if [ $full = 1 ]; then
	gzip -9nc "$pci" >"$out/pci.ids.gz"
	gzip -9nc "$usb" >"$out/usb.ids.gz"
else
	# pci.ids: leading comment block, vendor and device lines, the class
	# section (C lines with their subclass and prog-if lines).
	awk '
		NR <= 20 && /^#/ { print; next }
		/^C / { cls = 1 }
		cls && (/^C / || /^\t/) { print; next }
		/^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { print; next }
		/^\t[0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { print; next }
	' "$pci" | gzip -9n >"$out/pci.ids.gz"
	# usb.ids: leading comment block, vendor and product lines, device classes.
	awk '
		NR <= 15 && /^#/ { print; next }
		/^[A-Z]+ / { sect = ($1 == "C") }
		sect && (/^C / || /^\t/) { print; next }
		/^[A-Z]/ { next }
		!sect && /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { print; next }
		!sect && /^\t[0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { print; next }
	' "$usb" | gzip -9n >"$out/usb.ids.gz"
fi
printf '%s\n%s\n' "$(head -n 20 "$pci" | grep -E 'Version|Date' | tr -s ' \t' ' ')" \
	"$(head -n 15 "$usb" | grep -E 'Version|Date' | tr -s ' \t' ' ')" >"$out/VERSION"
ls -l "$out"
