#!/usr/bin/env bash
# Kernels built without BTF (RHEL 7, custom builds): struct layouts come
# from the vmlinux's DWARF through the name index. Every dump of every lab
# kernel, opened with a copy of its vmlinux that has no .BTF, gives
# byte for byte what it gives with BTF. The index is kept on disk by
# build-id; a cached index that is cut short or garbage is rebuilt, never
# trusted.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
INDEX_CACHE=$tmp/cache # kdive's cache here (not the lab's): indexes built here, then reused

CMDS='sys; bt; bt -a; bt -l; ps; mod; log; sym schedule; sym init_module'
answers() { # vmlinux dump -> what kdive says, the vmlinux path made neutral
	KDIVE_CACHE=$INDEX_CACHE timeout 120 "$KDIVE" --modules "$MODULES_DIR" "$1" "$2" -c "$CMDS" 2>&1 |
		sed "s|$1|VMLINUX|"
}

for series in $LAB_SERIES; do
	load_lab "$series"
	nobtf=$(nobtf_vmlinux)
	check "$series: the copy has no .BTF section" eval '! readelf -S "$nobtf" | grep -q " \.BTF "'
	first=1
	for dump in $(lab_dumps) qemu-noinfo/vmcore.qemu-elf hung-task/vmcore.zlib many-tasks/vmcore.zlib; do
		answers "$VMLINUX" "$LAB/$dump" >"$tmp/btf"
		answers "$nobtf" "$LAB/$dump" >"$tmp/dwarf"
		if [ $first = 1 ]; then
			check "$series: the DWARF index is kept in the cache (KDIVE_CACHE)" \
				eval 'ls "$INDEX_CACHE"/index/*.dwi >/dev/null 2>&1'
			first=0
		fi
		check "$series $dump: without BTF, every answer as with it" cmp -s "$tmp/btf" "$tmp/dwarf" ||
			diff "$tmp/btf" "$tmp/dwarf" | head -5 | sed 's/^/# /'
	done
done

# A cached index cut short, or garbage: rebuilt, the answers unchanged.
load_lab 6.1
nobtf=$(nobtf_vmlinux)
DUMP=$LAB/oops-module/vmcore.zlib
answers "$nobtf" "$DUMP" >"$tmp/want"
for idx in "$INDEX_CACHE"/index/*.dwi; do
	size=$(stat -c %s "$idx")
	head -c $((size / 2)) "$idx" >"$tmp/half" && cp "$tmp/half" "$idx"
done
answers "$nobtf" "$DUMP" >"$tmp/got"
check "an index cut short: the same answers" cmp -s "$tmp/want" "$tmp/got"
for idx in "$INDEX_CACHE"/index/*.dwi; do head -c 100000 /dev/urandom >"$idx"; done
answers "$nobtf" "$DUMP" >"$tmp/got"
check "a garbage index: the same answers" cmp -s "$tmp/want" "$tmp/got"
rewritten() { # the newest index is the one this vmlinux used
	local i
	i=$(ls -t "$INDEX_CACHE"/index/*.dwi | head -1)
	[ "$(head -c 8 "$i")" = KDIVEDWI ]
}
check "a garbage index is rewritten" rewritten
finish
