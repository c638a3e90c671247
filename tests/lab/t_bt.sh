#!/usr/bin/env bash
# `bt` on the lab's dumps, both kernels, every kdump format and the QEMU
# dumps. The truth is the crashed kernel's own Call Trace on the console:
# the panic task's frames from the exception frame (the faulting function,
# as [exception RIP: func+dec]) down to the syscall entry equal the
# console's reliable frames (those without "?") in order, and the user
# registers equal the console's; above them is the panic/kexec path. Also:
# a sleeping task (pid 1, and the same by task address), bt -a (one trace
# per CPU), bt -l against eu-addr2line, and dumps that
# are cut short or lack the stack page (one line, no crash).
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# The frames above the console's part: the panic path.
above_ok() { # frames, expected tail, kind (kdump-oops kdump-panic qemu)
	local above=$tmp/above n
	n=$(($(wc -l <"$1") - $(wc -l <"$2")))
	head -n "$n" "$1" >"$above"
	echo "# above: $(paste -sd' ' "$above")"
	case $3 in
	kdump-oops) [ "$(head -1 "$above")" = machine_kexec ] && grep -qx __crash_kexec "$above" &&
		grep -qx crash_kexec "$above" && grep -qE '^oops_end' "$above" ;;
	kdump-panic) [ "$(head -1 "$above")" = machine_kexec ] && grep -qx __crash_kexec "$above" ;;
	qemu-oops) grep -qx panic "$above" && grep -qE '^oops_end' "$above" ;;
	esac
}

# The user registers at the bottom equal the console's RIP/RSP line.
user_regs_match() { # bt output, console
	local rip rsp
	read -r rip rsp < <(awk '/Call Trace:/ { on = 1 } on && /RIP: 0033:/ { r = $0; sub(/.*RIP: 0033:0x/, "", r) }
		on && /RSP: 002b:/ { s = $0; sub(/.*RSP: 002b:/, "", s); sub(/ .*/, "", s); print r, s; exit }' "$2")
	[ -n "$rip" ] || return 1
	awk '/^PID:/ && ++n == 2 { exit } { print }' "$1" | grep -qiE "^    RIP: 0*$rip  RSP: 0*$rsp " &&
		awk '/^PID:/ && ++n == 2 { exit } { print }' "$1" | tail -1 | grep -q 'CS: 0033  SS: 002b'
}

only_relocated() { ! grep -v 'kernel relocated' "$1" | grep -q .; }

# A sleeping task: __schedule, schedule, ..., the syscall entry, user regs.
sleeper_ok() {
	bt_frames "$1" >"$tmp/sleep"
	echo "# pid 1: $(paste -sd' ' "$tmp/sleep")"
	[ "$(sed -n 1p "$tmp/sleep")" = __schedule ] && [ "$(sed -n 2p "$tmp/sleep")" = schedule ] &&
		[ "$(tail -1 "$tmp/sleep")" = entry_SYSCALL_64_after_hwframe ] &&
		tail -1 "$1" | grep -q 'CS: 0033  SS: 002b'
}

# bt -a: one header per CPU, CPUs 0..n-1 in order, each with frames or registers.
all_ok() { # output, cpus
	[ "$(grep -c '^PID:' "$1")" -eq "$2" ] &&
		[ "$(grep -oE '^PID: .*CPU: [0-9]+' "$1" | sed 's/.*CPU: //' | paste -sd' ')" = "$(seq 0 $(($2 - 1)) | paste -sd' ')" ] &&
		[ "$(awk '/^PID:/ { if (n && !f) bad++; n++; f = 0; next } /^ ?#[0-9]|^    RIP:/ { f = 1 }
			END { if (n && !f) bad++; print bad + 0 }' "$1")" -eq 0 ] && ! grep -q 'bt:' "$1"
}

# bt -l -s -x: the first three vmlinux frames' "file: line" equal
# eu-addr2line's for func+off-1 (the call instruction, as crash does).
lines_match() {
	local n=0 bad=0 name off file want got
	while IFS= read -r line && [ "$n" -lt 3 ]; do
		[[ $line =~ ^\ ?#[0-9]+\ \[[0-9a-f]+\]\ ([A-Za-z0-9_.]+)\+0x([0-9a-f]+)\ at\ [0-9a-f]+$ ]] || continue
		name=${BASH_REMATCH[1]} off=${BASH_REMATCH[2]}
		IFS= read -r file
		want=$(eu-addr2line -e "$VMLINUX" "$name+0x$(printf %x $((0x$off - 1)))" | sed -E 's/:([0-9]+)(:[0-9]+)?$/: \1/')
		got=${file#    }
		n=$((n + 1))
		echo "# $name+0x$off: bt '$got' eu-addr2line '$want'"
		[ "$got" = "$want" ] || bad=$((bad + 1))
	done <"$1"
	[ "$n" -eq 3 ] && [ "$bad" -eq 0 ]
}

k_cpus() { "$KDIVE" "$VMLINUX" "$elf" -c sys 2>/dev/null | sed -n 's/^ *CPUS: \([0-9]*\).*/\1/p'; }

# Failures are one "kdive:" line each; no sanitizer report, no signal.
clean_failure() { # rc, stderr
	[ "$1" -lt 128 ] && ! grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$2" &&
		! grep -v '^kdive: ' "$2" | grep -q .
}


check_dump() { # scenario dir, dump, kind
	local dir=$1 dump=$2 kind=$3 label console out=$tmp/out err=$tmp/err rc
	label="$series $(basename "$dir") $(basename "$dump")"
	console=$tmp/console
	first_kernel "$dir/console.log" >"$console"

	"$KDIVE" "$VMLINUX" "$dump" -c bt >"$out" 2>"$err"; rc=$?
	check "$label: bt exits 0 without messages" test "$rc" -eq 0
	check "$label: bt's only stderr line is the relocation" only_relocated "$err"
	bt_frames "$out" >"$tmp/frames"
	{ console_rip "$console"; console_frames "$console"; } >"$tmp/want"
	check "$label: panic task's frames from the exception frame to the syscall entry equal the console's Call Trace" \
		suffix_matches "$tmp/frames" "$tmp/want"
	grep -nxFf "$tmp/frames" "$tmp/want" | head -1 | cut -d: -f1 | { read -r f; sed -n "$f,\$p" "$tmp/want"; } >"$tmp/want.tail"
	check "$label: above them, the panic path ($kind)" above_ok "$tmp/frames" "$tmp/want.tail" "$kind"
	check "$label: user registers at the bottom equal the console's" user_regs_match "$out" "$console"
	check "$label: frame numbers right-aligned, crash's '#N [addr] func at addr' layout" \
		test "$(grep -cE '^( #[0-9]|#[1-9][0-9]) \[[0-9a-f]{16}\] [^ ]+ at [0-9a-f]{16}( \[[a-z_0-9]+\])?$' "$out")" -eq "$(grep -c '#' "$out")"

	"$KDIVE" "$VMLINUX" "$dump" -c 'bt 1' >"$out" 2>"$err"
	check "$label: bt 1 (sleeping init): __schedule, schedule ... syscall entry, user registers" sleeper_ok "$out"
	local task
	task=$(sed -n 's/^PID: .*TASK: \([0-9a-f]*\) .*/\1/p' "$out")
	"$KDIVE" "$VMLINUX" "$dump" -c "bt $task" >"$tmp/out2" 2>"$err"
	check "$label: bt TASKADDR equals bt PID" cmp -s "$out" "$tmp/out2"

	"$KDIVE" "$VMLINUX" "$dump" -c 'bt -a' >"$out" 2>"$err"; rc=$?
	check "$label: bt -a exits 0" test "$rc" -eq 0
	check "$label: bt -a: one backtrace per CPU ($cpus)" all_ok "$out" "$cpus"

	"$KDIVE" --modules "$MODULES_DIR" "$VMLINUX" "$dump" -c 'bt -l -s -x' >"$out" 2>"$err"
	check "$label: bt -l: a source line under every frame" \
		test "$(grep -c '^    [^ ].*: [0-9]*$' "$out")" -ge "$(grep -c '^ \?#' "$out")"
	check "$label: bt -l lines equal eu-addr2line for 3 frames" lines_match "$out"

	# Without ORC (as on a kernel built without it): DWARF CFI, entry
	# code and frame pointers find the same frames.
	"$KDIVE" --modules "$MODULES_DIR" "$VMLINUX" "$dump" -c 'bt; bt -a; bt 1' >"$out" 2>&1
	"$KDIVE" --modules "$MODULES_DIR" "$VMLINUX" "$dump" -c 'bt -o; bt -o -a; bt -o 1' 2>&1 |
		grep -v '^    (unwound without ORC: ' >"$tmp/out2"
	check "$label: bt -o (no ORC) finds the frames ORC finds" cmp -s "$out" "$tmp/out2"
}

# The khungtaskd report of the hung-task scenario: the blocked task's
# reliable frames, one per line.
hung_frames() { # console
	awk '/INFO: task kdive_hang:/ { on = 1 } on && /Call Trace:/ { t = 1; next }
	     t && (/<\/TASK>/ || /Kernel panic/ || /NMI backtrace/ || /^\[ *[0-9.]+\] [A-Z]/) { exit }
	     t' "$1" | sed -E 's/^\[ *[0-9]+\.[0-9]+\] *//; s/^ +//' | grep -vE '^(\?|<)' |
		sed -E 's/\+0x[0-9a-f]+\/0x[0-9a-f]+.*//'
}

check_hung() {
	local dir=$LAB/hung-task pid
	pid=$(grep -m1 -oE 'INFO: task kdive_hang:[0-9]+' "$dir/console.log" | cut -d: -f3)
	"$KDIVE" "$VMLINUX" "$dir/vmcore.zlib" -c "bt $pid" >"$tmp/out" 2>/dev/null
	bt_frames "$tmp/out" >"$tmp/frames"
	hung_frames "$dir/console.log" >"$tmp/want"
	echo "# bt $pid: $(paste -sd' ' "$tmp/frames") / khungtaskd: $(paste -sd' ' "$tmp/want")"
	check "$series: hung task: bt of the blocked task equals the stack khungtaskd printed" \
		eval '[ -n "$pid" ] && [ -s "$tmp/want" ] && cmp -s "$tmp/frames" "$tmp/want"'
	"$KDIVE" "$VMLINUX" "$dir/vmcore.zlib" -c "bt -o $pid" >"$tmp/out2" 2>/dev/null
	check "$series: hung task: bt -o through the module's frame pointer, the same frames" \
		eval 'grep -q "^    (unwound without ORC: .*by frame pointer" "$tmp/out2" &&
			cmp -s "$tmp/out" <(grep -v "^    (unwound without ORC" "$tmp/out2")'

	# A few thousand threads, each asleep in the module (frame pointers)
	dir=$LAB/many-tasks
	pids=$(awk '$4 ~ /^kdive_sleep\// { print $1 }' "$dir/ps.txt" | paste -sd' ')
	"$KDIVE" "$VMLINUX" "$dir/vmcore.zlib" -c "bt $pids" >"$tmp/out" 2>/dev/null
	"$KDIVE" "$VMLINUX" "$dir/vmcore.zlib" -c "bt -o $pids" 2>/dev/null | grep -v '^    (unwound without ORC' >"$tmp/out2"
	check "$series: $MANY_TASKS sleeping threads: each bt ends in sleeper [kdive_lab], kthread" \
		test "$(grep -c ' sleeper at [0-9a-f]* \[kdive_lab\]$' "$tmp/out")" -eq "$MANY_TASKS"
	check "$series: $MANY_TASKS sleeping threads: bt -o finds the same frames" cmp -s "$tmp/out" "$tmp/out2"
}

for series in $LAB_SERIES; do
	load_lab "$series"
	cpus=2
	for scenario in $KDUMP_SCENARIOS; do
		kind=kdump-panic
		[ "$scenario" = oops-module ] && kind=kdump-oops
		for fmt in $KDUMP_FORMATS; do
			[ "$fmt" = dmesg ] && continue
			[ -f "$LAB/$scenario/vmcore.$fmt" ] || continue
			check_dump "$LAB/$scenario" "$LAB/$scenario/vmcore.$fmt" "$kind"
		done
	done
	check_hung
	for fmt in $QEMU_FORMATS; do
		check_dump "$LAB/qemu-dump" "$LAB/qemu-dump/vmcore.$fmt" qemu-oops
	done

	# Cut short: whatever cannot be read is said in one line, no crash.
	elf=$LAB/oops-module/vmcore.elf
	size=$(stat -c %s "$elf")
	for pct in 30 60 90; do
		head -c $((size * pct / 100)) "$elf" >"$tmp/cut.elf"
		"$KDIVE" "$VMLINUX" "$tmp/cut.elf" -c 'bt; bt -a; bt 1' >"$tmp/out" 2>"$tmp/err"
		check "$series: vmcore.elf cut at $pct%: no crash, failures are one line each" clean_failure $? "$tmp/err"
	done
	rm -f "$tmp/cut.elf"
done

# A task whose stack page the dump lacks: one line naming it; the others
# are unaffected.
load_lab 6.1
elf=$LAB/oops-module/vmcore.elf
"$KDIVE" "$VMLINUX" "$elf" -c 'bt 1' >"$tmp/out" 2>/dev/null
slot=$(sed -n 's/^ #0 \[\([0-9a-f]*\)\].*/\1/p' "$tmp/out")
if exclude_page "$elf" "$tmp/excl.elf" "$slot" >"$tmp/excl.log" 2>&1; then
	echo "# $(cat "$tmp/excl.log")"
	"$KDIVE" "$VMLINUX" "$tmp/excl.elf" -c 'bt 1' >"$tmp/out" 2>"$tmp/err"; rc=$?
	grep -v 'kernel relocated' "$tmp/err" >"$tmp/errors"
	echo "# $(cat "$tmp/errors")"
	check "stack page excluded: bt 1 fails with one line" \
		test "$rc" -eq 1 -a "$(wc -l <"$tmp/errors")" -eq 1
	check "stack page excluded: the line says the page is not in the dump" grep -qiE 'excluded|not in the dump' "$tmp/errors"
	check "stack page excluded: no crash" clean_failure "$rc" "$tmp/err"
	"$KDIVE" "$VMLINUX" "$tmp/excl.elf" -c bt >"$tmp/out" 2>"$tmp/err"
	check "stack page excluded: the panic task's bt is unaffected" grep -q entry_SYSCALL_64_after_hwframe "$tmp/out"
else
	not_ok "stack page excluded: could not make the dump ($(cat "$tmp/excl.log"))"
fi

# The panic task's task_struct not in the dump (makedumpfile 1.7.2 drops
# such slab pages at dump level 31 on 6.10+): bt unwinds that CPU from its
# saved registers, the same frames, and says the task is unknown.
for series in $LAB_SERIES; do
	load_lab "$series"
	for s in oops-module sysrq; do
		elf=$LAB/$s/vmcore.elf
		"$KDIVE" "$VMLINUX" "$elf" -c bt >"$tmp/want" 2>/dev/null
		task=$(awk 'NR == 1 { print $4 }' "$tmp/want") cpu=$(awk 'NR == 1 { print $6 }' "$tmp/want")
		if ! exclude_page "$elf" "$tmp/excl.elf" "$task" >"$tmp/excl.log" 2>&1; then
			not_ok "$series $s: could not make the dump without the panic task ($(cat "$tmp/excl.log"))"
			continue
		fi
		"$KDIVE" "$VMLINUX" "$tmp/excl.elf" -c bt >"$tmp/out" 2>"$tmp/err"
		check "$series $s without the panic task_struct: bt: PID ?, its address and CPU, the same frames" \
			eval '[ "$(head -1 "$tmp/out")" = "$(printf "PID: %-7s  TASK: %-16s  CPU: %-3s  COMMAND: \"?\"" "?" "$task" "$cpu")" ] &&
				diff <(tail -n +2 "$tmp/want") <(tail -n +2 "$tmp/out") >&2 && [ "$(wc -l <"$tmp/out")" -gt 5 ]'
		check "$series $s without the panic task_struct: one line says its task_struct is not in the dump" \
			eval '[ "$(grep -vc "kernel relocated" "$tmp/err")" -eq 1 ] && grep -q "task_struct at 0x$task is not in the dump" "$tmp/err"'
		"$KDIVE" "$VMLINUX" "$tmp/excl.elf" -c 'bt -a' >"$tmp/out" 2>/dev/null
		check "$series $s without the panic task_struct: bt -a shows every CPU" \
			eval '[ "$(grep -c "^PID: " "$tmp/out")" -eq "$(k_cpus)" ]'
		"$KDIVE" "$VMLINUX" "$tmp/excl.elf" -c ps >"$tmp/out" 2>"$tmp/err"
		check "$series $s without the panic task_struct: ps lists the others and says what is missing" \
			eval '[ "$(tail -n +2 "$tmp/out" | wc -l)" -ge 20 ] && grep -q "could reach" "$tmp/err"'
	done
done
finish
