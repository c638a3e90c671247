#!/usr/bin/env bash
# Benchmark: kdive probe -D / -V vs perf probe -D / -V (Debian's linux-perf)
# on the lab's debug vmlinux, for a few definitions: the DWARF index cached
# (kdive's usual case) and, once, built from scratch. Prints wall time,
# peak memory and the ratio. Not a test.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
KDIVE=${KDIVE_BIN:-$REPO/build/kdive}
[ -x "$KDIVE" ] || make -C "$REPO" -s
command -v perf >/dev/null || { echo "bench/probe.sh: perf is missing: apt-get install linux-perf" >&2; exit 1; }
LAB=$("$REPO/lab/kdive-lab" dir "${1:-6.1}")
. "$LAB/lab.env"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
SRC=()

measure() { # command... -> "seconds maxrss_kib"
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >/dev/null 2>&1 || true
	tail -n 1 "$tmp/time"
}

row() { # label, kdive action, perf action, definition
	local k p
	k=$(measure "$KDIVE" probe -k "$VMLINUX" "${SRC[@]}" "$2" "$4")
	p=$(measure perf probe -k "$VMLINUX" "${SRC[@]}" "$3" "$4")
	set -- "$1" $k $p
	awk -v n="$1" -v kt="$2" -v km="$3" -v pt="$4" -v pm="$5" 'BEGIN {
		printf "%-44s kdive %6.3f s %7.1f MiB   perf probe %6.3f s %7.1f MiB   ratio %5.1fx\n",
			n, kt, km / 1024, pt, pm / 1024, (kt > 0 ? pt / kt : 0) }'
}

echo "kernel $ABI, $(du -m "$VMLINUX" | cut -f1) MB debug vmlinux"
# the first use builds kdive's DWARF name index (kept by build-id)
KDIVE_CACHE=$tmp/cache row "-D, first use (index built)" -D -D 'do_sys_openat2 filename:string how->flags'
"$KDIVE" probe -k "$VMLINUX" -D do_sys_openat2 >/dev/null 2>&1 # warm the usual cache
row "-D do_sys_openat2 filename:string how->flags" -D -D 'do_sys_openat2 filename:string how->flags'
row "-D vfs_read file->f_path.dentry->d_name..." -D -D 'vfs_read file->f_path.dentry->d_name.name:string count'
row "-D do_sys_openat2%return \$retval" -D -D 'do_sys_openat2%return $retval'
row "-D do_sys_openat2:5 fd" -D -D 'do_sys_openat2:5 fd'
row "-V do_sys_openat2" -V -V do_sys_openat2
# patterns and -L read the source: perf a tree, so fs/open.c is taken out
# of Debian's linux-source-X.Y (the 6.1 lab kernel's own source)
tarball=/usr/src/linux-source-6.1.tar.xz
if [[ $ABI == 6.1.* && -r $tarball ]]; then
	(cd "$tmp" && tar -xJf $tarball linux-source-6.1/fs/open.c)
	SRC=(-s "$tmp/linux-source-6.1")
	row "-D 'do_sys_openat2;*fd*' (a lazy pattern)" -D -D 'do_sys_openat2;*fd*'
	row "-L do_sys_openat2" -L -L do_sys_openat2
fi
