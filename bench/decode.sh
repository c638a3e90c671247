#!/usr/bin/env bash
# Benchmark: kdive decode vs the kernel's scripts/decode_stacktrace.sh (from
# Debian's linux-source-6.1) on the lab's real oops, and on a log of 100
# oopses. Prints wall time, peak memory and the ratio. Not a test.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
KDIVE=${KDIVE_BIN:-$REPO/build/kdive}
CACHE=${KDIVE_CACHE:-$HOME/.cache/kdive}
[ -x "$KDIVE" ] || make -C "$REPO" -s
LAB=$("$REPO/lab/kdive-lab" dir "${1:-6.1}")
. "$LAB/lab.env"

# decode_stacktrace.sh and decodecode, as shipped in linux-source-6.1.
tools=$CACHE/tools/linux-source-6.1
if [ ! -x "$tools/decode_stacktrace.sh" ]; then
	mkdir -p "$tools"
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$tools" --strip-components=2 \
		linux-source-6.1/scripts/decode_stacktrace.sh linux-source-6.1/scripts/decodecode
fi

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
one=$tmp/one.log
# The oops itself: from the "BUG:" line to its closing "CR2:" line (the
# serial console ends lines with \r\n).
awk '/BUG: kernel NULL pointer dereference/ {f = 1} f {print} f && /(---\[ end trace|\] CR2: [0-9a-f]+\r?$)/ {exit}' \
	"$LAB/oops-module/console.log" >"$one"
[ -s "$one" ] || cp "$LAB/oops-module/console.log" "$one"
for _ in $(seq 100); do cat "$one"; done >"$tmp/hundred.log"
moddir=$(dirname "$MODULE_KO")

measure() { # label, input, command... -> "seconds maxrss_kib"
	local in=$2; shift 2
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" <"$in" >/dev/null 2>&1 || true
	tail -n 1 "$tmp/time"
}

row() { # name, input
	local k d
	# Warm the page cache once so both tools read the vmlinux from memory.
	"$KDIVE" decode "$VMLINUX" auto "$moddir" <"$2" >/dev/null 2>&1
	k=$(measure kdive "$2" "$KDIVE" decode "$VMLINUX" auto "$moddir")
	d=$(measure script "$2" "$tools/decode_stacktrace.sh" "$VMLINUX" auto "$moddir")
	set -- "$1" $k $d
	awk -v n="$1" -v kt="$2" -v km="$3" -v dt="$4" -v dm="$5" 'BEGIN {
		r = kt > 0 ? dt / kt : 0
		printf "%-12s kdive %7.3f s %7.1f MiB   decode_stacktrace.sh %8.3f s %7.1f MiB   ratio %6.1fx\n",
			n, kt, km / 1024, dt, dm / 1024, r }'
}

echo "kernel $ABI, $(grep -c '' "$one") lines per oops"
row "1 oops" "$one"
row "100 oopses" "$tmp/hundred.log"
