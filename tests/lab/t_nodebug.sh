#!/usr/bin/env bash
# A dump opened without its debug vmlinux (kdive VMCORE): symbols from the
# kernel's kallsyms, types from its BTF and unwinding from its ORC, all
# read from the dump. On every lab dump of 5.10, 6.1 and 6.12 the commands
# must answer exactly as with the vmlinux (addresses included); what needs
# DWARF says so in one line naming the package; 5.10's VMCOREINFO does not
# locate kallsyms: found by their layout once, then from kdive's cache; a
# dump without VMCOREINFO is refused in one line.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

cmds=("sys" "bt" "bt -a" "ps" "log" "mod" "sym panic" "sym init_task"
	"struct task_struct.pid,comm init_task" "kmem -i" "kmem -s" "files" "runq"
	"rd -s init_task 4" "task -R pid,comm 1" "dis schedule 20")
# (a whole function's `dis` is not among them: kallsyms keeps no sizes, so
# it runs to the next symbol, alignment padding included)
# the KERNEL line names the mode; "(unwound without ORC: #N by its prologue)"
# says how the frame of a function objtool left out (6.1's __crash_kexec)
# was found without the vmlinux's DWARF CFI
same() { diff <(grep -v '^      KERNEL: ' "$1") <(grep -v '^      KERNEL: \|(unwound without ORC: #[0-9]* by its prologue)$' "$2"); }

for series in $LAB_SERIES; do
	load_lab "$series"
	run=("${cmds[@]}")
	# 5.10's vmlinux has sizeless labels where its kallsyms names init_stack:
	# rd -s names that word differently
	[ "$series" = 5.10 ] && run=("${cmds[@]/#rd -s init_task 4/rd init_task 4}")
	for d in $(lab_dumps); do
		[ -f "$LAB/$d" ] || continue
		bad=""
		for c in "${run[@]}"; do
			timeout 60 "$KDIVE" "$VMLINUX" "$LAB/$d" -c "$c" >"$tmp/with" 2>/dev/null
			timeout 60 "$KDIVE" "$LAB/$d" -c "$c" >"$tmp/without" 2>"$tmp/err"
			same "$tmp/with" "$tmp/without" >/dev/null || bad="$bad, $c"
		done
		check "$series $d without the vmlinux: ${#run[@]} commands answer as with it${bad:+ (not:${bad#,})}" test -z "$bad"
	done
	DUMP=$LAB/oops-module/vmcore.zlib
	timeout 60 "$KDIVE" "$DUMP" -c "sys" >"$tmp/out" 2>&1
	check "$series: sys says the kernel's symbols come from the dump" grep -q "^      KERNEL: (none: kallsyms, BTF and ORC from the dump)" "$tmp/out"
	timeout 60 "$KDIVE" "$DUMP" -c "p jiffies; l *panic; bt -l; p 1" >"$tmp/out" 2>"$tmp/err"
	check "$series: what needs DWARF says so, naming the package; the session goes on" eval '
		[ "$(grep -c "debug vmlinux, not in the dump: give it (install linux-image-$ABI-dbg" "$tmp/err")" -eq 3 ] &&
		grep -q "^\$1 = 1$" "$tmp/out" && grep -q "^ #0 " "$tmp/out"' || cat "$tmp/err"
	[ "$series" = 5.10 ] && continue
	# kallsyms' names are where VMCOREINFO says: without their page, one line
	elf=$LAB/oops-module/vmcore.elf
	names=$(head -c 400000 "$elf" | strings | sed -n 's/^SYMBOL(kallsyms_names)=//p' | head -1)
	if [ -n "$names" ] && exclude_page "$elf" "$tmp/excl.elf" "$names" >"$tmp/log" 2>&1; then
		timeout 60 "$KDIVE" "$tmp/excl.elf" -c bt >"$tmp/out" 2>"$tmp/err"; rc=$?
		check "$series: kallsyms not in the dump: exit 1, one line naming them and the package" eval '
			[ $rc -eq 1 ] && [ "$(grep -vc "kernel relocated" "$tmp/err")" -eq 1 ] &&
			grep -q "kallsyms.*give the debug vmlinux (install linux-image-$ABI-dbg" "$tmp/err"' || cat "$tmp/err"
	else
		not_ok "$series: a dump without the kallsyms page could not be made ($(cat "$tmp/log"))"
	fi
done

load_lab 5.10
id=$(head -c 400000 "$LAB/oops-module/vmcore.elf" | strings | sed -n 's/^BUILD-ID=//p' | head -1)
KDIVE_CACHE=$tmp/cache timeout 60 "$KDIVE" "$LAB/oops-module/vmcore.zlib" -c "sym panic" >"$tmp/cold" 2>&1
KDIVE_CACHE=$tmp/cache timeout 60 "$KDIVE" "$LAB/oops-module/vmcore.zlib" -c "sym panic" >"$tmp/warm" 2>&1
check "5.10 (VMCOREINFO without kallsyms): the tables found by their layout once, kept by build-id" eval '
	[ -s "$tmp/cache/kallsyms/$id" ] && cmp -s "$tmp/cold" "$tmp/warm" && grep -q " (T) panic$" "$tmp/warm"' ||
	cat "$tmp/cold"
load_lab 6.1
timeout 60 "$KDIVE" "$LAB/qemu-noinfo/vmcore.qemu-elf" -c bt >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a QEMU dump without VMCOREINFO: exit 1, one line" eval '
	[ $rc -eq 1 ] && [ "$(grep -c "" "$tmp/err")" -eq 1 ] && grep -q "has no VMCOREINFO" "$tmp/err"'
finish
