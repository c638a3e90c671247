#!/usr/bin/env bash
# The crash lab's artifacts are real: dumps carry the right magic and the
# kernel release, consoles and dmesg carry the oops, the truth files exist.
# Builds the lab on first use (a few minutes), reads the cache afterwards.
# KDIVE_LAB_SERIES="6.1" checks fewer than the three series.
set -u
cd "$(dirname "$0")/../.." || exit 1

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
}
check() { # description command...
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$desc"; else not_ok "$desc"; fi
}

hex_at() { # file offset count -> lowercase hex, no spaces
	od -An -tx1 -j "$2" -N "$3" "$1" 2>/dev/null | tr -d ' \n'
}
is_kdump() { [[ $(hex_at "$1" 0 8) == "$(printf 'KDUMP   ' | od -An -tx1 | tr -d ' \n')" ]]; }
is_elf() { [[ $(hex_at "$1" 0 4) == 7f454c46 ]]; }
is_flat() { [[ $(hex_at "$1" 0 13) == "$(printf 'makedumpfile\0' | od -An -tx1 | tr -d ' \n')" ]]; }
# disk_dump_header: signature[8], header_version, then new_utsname whose
# release field starts at 12 + 2*65
kdump_release_is() { [[ $(dd if="$1" bs=1 skip=142 count=65 2>/dev/null | tr -d '\0') == "$2" ]]; }
# VMCOREINFO sits in the notes at the start of an ELF vmcore
elf_release_is() { head -c 4M "$1" | grep -aq "OSRELEASE=$2"; }
greps() { grep -q -- "$2" "$1"; }
oops_line() { tr -d '\r' <"$1" | grep -E 'init_module\+0x[0-9a-f]+/0x[0-9a-f]+ \[kernel_call_trace\]'; }
lists_module() { awk '$1 == "kernel_call_trace" { f = 1 } END { exit !f }' "$1"; }
ps_has() { awk -v c="$2" 'NR > 1 && $4 == c { f = 1 } END { exit !f }' "$1"; }

check_series() {
	local series=$1 lab t0 t1 s d f
	t0=$(date +%s)
	if ! lab=$(lab/kdive-lab dir "$series") || [[ ! -s $lab/lab.env ]]; then
		not_ok "[$series] lab/kdive-lab dir $series builds or finds the lab"
		return
	fi
	ok "[$series] lab/kdive-lab dir $series -> $lab ($(($(date +%s) - t0))s)"
	t1=$(date +%s)
	if [[ $(lab/kdive-lab dir "$series" 2>/dev/null) == "$lab" && $(($(date +%s) - t1)) -le 10 ]]; then
		ok "[$series] second dir call comes from the cache"
	else
		not_ok "[$series] second dir call comes from the cache"
	fi

	local ABI VMLINUX VMLINUZ SYSTEM_MAP MODULE_KO MODULE_NAME SCENARIOS KDUMP_SCENARIOS KDUMP_FORMATS \
		LAB_MODULE_KO MANY_TASKS
	# shellcheck disable=SC1091
	. "$lab/lab.env"
	check "[$series] lab.env names the ABI" test -n "$ABI"
	check "[$series] debug vmlinux has DWARF" sh -c "readelf -S '$VMLINUX' | grep -q debug_info"
	check "[$series] vmlinuz present" test -s "$VMLINUZ"
	check "[$series] System.map is the real one" grep -q ' T start_kernel$' "$SYSTEM_MAP"
	check "[$series] $MODULE_NAME.ko has DWARF" sh -c "readelf -S '$MODULE_KO' | grep -q debug_info"
	check "[$series] $MODULE_NAME.ko built for $ABI" sh -c "modinfo -F vermagic '$MODULE_KO' | grep -q '^$ABI '"
	check "[$series] $(basename "$LAB_MODULE_KO") has DWARF" sh -c "readelf -S '$LAB_MODULE_KO' | grep -q debug_info"

	d=$lab/oops-module
	check "[$series] oops-module console has Call Trace:" greps "$d/console.log" 'Call Trace:'
	check "[$series] oops-module console has init_module+0x.. [kernel_call_trace]" oops_line "$d/console.log"
	check "[$series] oops-module vmcore-dmesg.txt has the oops" oops_line "$d/vmcore-dmesg.txt"
	check "[$series] oops-module modules.txt lists kernel_call_trace" lists_module "$d/modules.txt"
	check "[$series] oops-module ps.txt has the crashing insmod" ps_has "$d/ps.txt" insmod
	check "[$series] sysrq vmcore-dmesg.txt has the sysrq crash" greps "$lab/sysrq/vmcore-dmesg.txt" 'sysrq'

	for s in $SCENARIOS; do
		d=$lab/$s
		check "[$series] $s release.txt is $ABI" test "$(cat "$d/release.txt" 2>/dev/null)" = "$ABI"
		check "[$series] $s ps.txt non-empty" ps_has "$d/ps.txt" init
		check "[$series] $s modules.txt non-empty" test -s "$d/modules.txt"
		check "[$series] $s meminfo.txt has MemTotal" greps "$d/meminfo.txt" '^MemTotal:'
		check "[$series] $s fds.txt shows the files the holder opened" \
			sh -c "grep -q ' 3 -> /kdive/lib.sh' '$d/fds.txt' && grep -q ' 5 -> /proc/version' '$d/fds.txt'"
		check "[$series] $s console has the lab module's objects" \
			sh -c "grep -q 'kdive-lab: counter ' '$d/console.log' && grep -q 'kdive-lab: item ' '$d/console.log'"
		[ "$s" = many-tasks ] ||
			check "[$series] $s stacks.txt has every process's stack" \
				sh -c "grep -q '^PID 1 init ' '$d/stacks.txt' && grep -q '^\[<0>\] ' '$d/stacks.txt'"
	done
	d=$lab/hung-task
	check "[$series] hung-task: khungtaskd reported kdive_hang" greps "$d/console.log" 'INFO: task kdive_hang:[0-9]* blocked for more than'
	check "[$series] hung-task: and panicked" greps "$d/console.log" 'Kernel panic - not syncing: hung_task: blocked tasks'
	check "[$series] hung-task vmcore.zlib is from $ABI" kdump_release_is "$d/vmcore.zlib" "$ABI"
	d=$lab/many-tasks
	check "[$series] many-tasks: ps.txt has the $MANY_TASKS kdive_sleep threads" \
		test "$(grep -c ' kdive_sleep/' "$d/ps.txt")" -eq "$MANY_TASKS"
	check "[$series] many-tasks vmcore.zlib is from $ABI" kdump_release_is "$d/vmcore.zlib" "$ABI"

	for s in $KDUMP_SCENARIOS; do
		d=$lab/$s
		for f in $KDUMP_FORMATS; do
			case $f in
			zlib | lzo | snappy | zstd | kdump)
				check "[$series] $s vmcore.$f is kdump-compressed" is_kdump "$d/vmcore.$f"
				check "[$series] $s vmcore.$f is from $ABI" kdump_release_is "$d/vmcore.$f" "$ABI"
				;;
			elf)
				check "[$series] $s vmcore.elf is ELF" is_elf "$d/vmcore.elf"
				check "[$series] $s vmcore.elf is from $ABI" elf_release_is "$d/vmcore.elf" "$ABI"
				;;
			flat) check "[$series] $s vmcore.flat is flattened" is_flat "$d/vmcore.flat" ;;
			dmesg) check "[$series] $s vmcore-dmesg.txt is a kernel log" greps "$d/vmcore-dmesg.txt" "Linux version $ABI" ;;
			esac
		done
		for f in zlib lzo kdump elf flat dmesg; do
			check "[$series] $s made format $f" sh -c "echo ' $KDUMP_FORMATS ' | grep -q ' $f '"
		done
	done

	d=$lab/qemu-dump
	check "[$series] qemu-dump vmcore.qemu-elf is ELF" is_elf "$d/vmcore.qemu-elf"
	check "[$series] qemu-dump vmcore.qemu-elf carries VMCOREINFO of $ABI" elf_release_is "$d/vmcore.qemu-elf" "$ABI"
	check "[$series] qemu-dump vmcore.qemu-kdump is kdump (flattened or not)" \
		sh -c "od -An -c -N 12 '$d/vmcore.qemu-kdump' | tr -d ' \n' | grep -qE '^(makedumpfile|KDUMP)'"
	check "[$series] qemu-dump console has the oops" oops_line "$d/console.log"
	check "[$series] qemu-dump modules.txt lists kernel_call_trace" lists_module "$d/modules.txt"
}

for series in ${KDIVE_LAB_SERIES:-5.10 6.1 6.12}; do
	check_series "$series"
done
echo "1..$n"
[ "$failed" -eq 0 ]
