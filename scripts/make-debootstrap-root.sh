#!/bin/sh
# make-debootstrap-root.sh DIR: build a minimal Debian root in DIR with
# `debootstrap --variant=minbase`, for sysinv's real-root test
# (WIREBOM_DEBOOTSTRAP_ROOT=DIR go test ./sysinv -run Debootstrap).
# The mirror and suite are the first ones apt is configured with on this
# machine (deb822 /etc/apt/sources.list.d/*.sources or one-line sources.list),
# overridable with MIRROR= and SUITE=. Needs root and the debootstrap package.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$1
if [ -f "$dir/var/lib/dpkg/status" ] && [ -f "$dir/etc/os-release" ]; then
	echo "$dir already holds a root; reusing it" >&2
	exit 0
fi
mirror=${MIRROR:-}
suite=${SUITE:-}
if [ -z "$mirror" ] || [ -z "$suite" ]; then
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# first stanza whose URIs is not a security mirror
		m=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' "$f")
		s=$(awk -v m="$m" '/^URIs:/ {u=$2} /^Suites:/ && u==m {print $2; exit}' "$f")
		if [ -n "$m" ] && [ -n "$s" ]; then
			mirror=${mirror:-$m}; suite=${suite:-$s}; break
		fi
	done
fi
if [ -z "$mirror" ] || [ -z "$suite" ]; then
	line=$(grep -hE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -v security | head -n1 || true)
	if [ -n "$line" ]; then
		set -- $line
		shift
		case "$1" in \[*) shift ;; esac
		mirror=${mirror:-$1}; suite=${suite:-$2}
	fi
fi
[ -n "$mirror" ] && [ -n "$suite" ] || { echo "$0: no apt mirror/suite found; set MIRROR= and SUITE=" >&2; exit 1; }
echo "debootstrap --variant=minbase $suite $dir $mirror" >&2
mkdir -p "$dir"
debootstrap --variant=minbase "$suite" "$dir" "$mirror"
