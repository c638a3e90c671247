#!/usr/bin/env bash
# A QEMU dump without VMCOREINFO (qemu-noinfo: no -device vmcoreinfo), both
# kernels: kdive finds KASLR from the vmlinux's linux_banner in memory and
# CPU 0's page tables, and every command then agrees with what the guest
# recorded (release, processes, modules, console). Where the truth is
# known exactly, qemu-dump's ELF with its VMCOREINFO note renamed must read
# byte for byte like the original. The vmlinux of another kernel is
# refused in one line.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

TS='^\[ *[0-9]+\.[0-9]{6}\] '

# Every pid of ps.txt is in ps's PID column (a '>' marks active tasks).
all_pids() { # ps.txt, ps output
	awk 'NR == FNR { if (FNR > 1) { want[$1] = $4; n++ }; next } { sub(/^>/, " ") } { seen[$1] = 1 }
	END { for (p in want) if (!(p in seen)) { print "# pid " p " (" want[p] ") not listed"; bad++ }
	      exit bad > 0 || n == 0 }' "$1" "$2"
}

# Every module of modules.txt is in mod's NAME column.
all_modules() { # modules.txt, mod output
	awk 'NR == FNR { want[$1] = 1; n++; next } FNR > 1 { seen[$2] = 1 }
	END { for (m in want) if (!(m in seen)) { print "# module " m " not listed"; bad++ }
	      exit bad > 0 || n == 0 }' "$1" "$2"
}

# The console's last 5 kernel lines, in order, among the log's last 40.
log_ends_like_console() { # console, log output
	first_kernel "$1" | grep -aE "$TS" | tail -5 >"$tmp/want"
	tail -40 "$2" >"$tmp/got"
	[ "$(wc -l <"$tmp/want")" -eq 5 ] && subsequence "$tmp/want" "$tmp/got"
}

# A sparse copy of an ELF dump whose VMCOREINFO note is named XMCOREINFO
# (the notes come first, so the first "VMCOREINFO" in the file is the
# name), and whose CPU 0 CR3 has bit 12 set, as when a guest with
# page-table isolation is dumped in user mode: kdive must fall back to the
# kernel's PGD, 4 KiB below.
hide_vmcoreinfo() { # src dst
	local off cr3 byte
	cp --sparse=always "$1" "$2" || return 1
	off=$(head -c 65536 "$2" | grep -obaF VMCOREINFO | head -1 | cut -d: -f1)
	[ -n "$off" ] && printf X | dd of="$2" bs=1 seek="$off" conv=notrunc status=none || return 1
	# QEMU's note: name "QEMU" padded to 8 bytes, then version 1; cr[3]
	# is 416 bytes into the descriptor, bit 12 is bit 4 of its 2nd byte.
	off=$(head -c 65536 "$2" | LC_ALL=C grep -obaP 'QEMU\x00{4}\x01\x00{3}' | head -1 | cut -d: -f1)
	[ -n "$off" ] || return 1
	cr3=$((off + 8 + 416 + 1))
	byte=$(od -An -tu1 -j "$cr3" -N1 "$2")
	printf '%b' "\\x$(printf %02x $((byte | 16)))" | dd of="$2" bs=1 seek="$cr3" conv=notrunc status=none
}

# The same commands on both dumps print the same, but for the file name.
same_output() { # dump, other dump
	local c='sys; bt -a; ps; mod; log; sym linux_banner'
	"$KDIVE" "$VMLINUX" "$1" -c "$c" 2>&1 | sed "s#$1#DUMP#" >"$tmp/a"
	"$KDIVE" "$VMLINUX" "$2" -c "$c" 2>&1 | sed "s#$2#DUMP#" >"$tmp/b"
	grep -q 'kernel relocated' "$tmp/a" && cmp "$tmp/a" "$tmp/b"
}

for series in $LAB_SERIES; do
	load_lab "$series"
	dir=$LAB/qemu-noinfo dump=$LAB/qemu-noinfo/vmcore.qemu-elf
	check "$series: the dump has QEMU CPU notes and no VMCOREINFO note" \
		eval 'readelf -n "$dump" >"$tmp/notes" && grep -q QEMU "$tmp/notes" && ! grep -q VMCOREINFO "$tmp/notes"'

	"$KDIVE" "$VMLINUX" "$dump" -c 'sys' >"$tmp/sys" 2>"$tmp/err"
	check "$series: opens; the only stderr line says how far KASLR moved the kernel" \
		eval '[ "$(grep -c "" "$tmp/err")" -eq 1 ] && grep -qE "^kdive: kernel relocated \[[0-9]+MB\]$" "$tmp/err"'
	check "$series: sys RELEASE is release.txt's" \
		test "$(sed -n 's/^ *RELEASE: //p' "$tmp/sys")" = "$(cat "$dir/release.txt")"
	check "$series: sys names the panic" grep -q 'PANIC: "Kernel panic - not syncing' "$tmp/sys"

	"$KDIVE" "$VMLINUX" "$dump" -c bt >"$tmp/bt" 2>/dev/null
	bt_frames "$tmp/bt" >"$tmp/frames"
	first_kernel "$dir/console.log" >"$tmp/console"
	{ console_rip "$tmp/console"; console_frames "$tmp/console"; } >"$tmp/expected"
	check "$series: bt of the panic task ends with the console's Call Trace" \
		suffix_matches "$tmp/frames" "$tmp/expected"

	"$KDIVE" "$VMLINUX" "$dump" -c ps >"$tmp/ps" 2>/dev/null
	check "$series: ps lists every pid of ps.txt" all_pids "$dir/ps.txt" "$tmp/ps"
	"$KDIVE" "$VMLINUX" "$dump" -c log >"$tmp/log" 2>/dev/null
	check "$series: log ends with the console's last 5 kernel lines" \
		log_ends_like_console "$dir/console.log" "$tmp/log"
	"$KDIVE" "$VMLINUX" "$dump" -c mod >"$tmp/mod" 2>/dev/null
	check "$series: mod lists every module of modules.txt" all_modules "$dir/modules.txt" "$tmp/mod"

	if hide_vmcoreinfo "$LAB/qemu-dump/vmcore.qemu-elf" "$tmp/hidden.elf" &&
		! readelf -n "$tmp/hidden.elf" | grep -q 'VMCOREINFO '; then
		check "$series: qemu-dump without its VMCOREINFO, CR3 the user PGD's, reads exactly like the original" \
			same_output "$LAB/qemu-dump/vmcore.qemu-elf" "$tmp/hidden.elf"
	else
		not_ok "$series: cannot hide qemu-dump's VMCOREINFO note"
	fi
	rm -f "$tmp/hidden.elf"
done

# The 6.12 vmlinux against the 6.1 dump: its banner is nowhere in memory.
load_lab 6.12
V612=$VMLINUX
load_lab 6.1
"$KDIVE" "$V612" "$LAB/qemu-noinfo/vmcore.qemu-elf" -c sys >"$tmp/out" 2>"$tmp/err"
rc=$?
echo "# $(cat "$tmp/err")"
check "another kernel's vmlinux: exit 1, one line, nothing on stdout" \
	test "$rc" -eq 1 -a "$(grep -c "" "$tmp/err")" -eq 1 -a ! -s "$tmp/out"
check "another kernel's vmlinux: the line says the banner is nowhere in memory" \
	grep -q "linux_banner is nowhere in the dump's memory: the dump is from another kernel" "$tmp/err"
finish
