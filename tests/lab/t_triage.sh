#!/usr/bin/env bash
# kdive triage over the lab's dumps (opened without the vmlinux): one
# signature per scenario whatever the dump format, a different one for each
# scenario, the same on 6.1 and 6.12 where the trace is the same (sysrq);
# the panic kind and the task against the console; --group folds them; a
# dump it cannot read is one line and the others go on.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

sig_of() { awk -v d="$2" '$NF ~ d { print $1 }' "$1" | sort -u; }
for series in $LAB_SERIES; do
	[ "$series" = 5.10 ] && continue # its VMCOREINFO does not locate kallsyms: t_nodebug.sh
	load_lab "$series"
	timeout 300 "$KDIVE" triage "$LAB" >"$tmp/$series" 2>"$tmp/err"
	check "$series: triage of the lab directory: one line per dump it holds, each readable one" eval '
		[ "$(wc -l <"$tmp/$series")" -eq "$(( $(lab_dumps | grep -vc qemu-noinfo) + 2 ))" ] &&
		[ "$(grep -vc "qemu-noinfo.*has no VMCOREINFO" "$tmp/err")" -eq 0 ]' ||
		cat "$tmp/err"
	for s in oops-module sysrq hung-task; do
		nsig=$(sig_of "$tmp/$series" "/$s/" | wc -l)
		check "$series $s: one signature over its $(grep -c "/$s/" "$tmp/$series") dump formats" test "$nsig" -eq 1
	done
	check "$series: the scenarios' signatures differ" \
		test "$(for s in oops-module sysrq hung-task; do sig_of "$tmp/$series" "/$s/"; done | sort -u | wc -l)" -eq 3
	check "$series: QEMU's dump of the same oops has the oops' signature" \
		test "$(sig_of "$tmp/$series" "/qemu-dump/")" = "$(sig_of "$tmp/$series" "/oops-module/")"
	# the console names what triage names
	pid=$(tr -d '\r' <"$LAB/oops-module/console.log" | sed -nE 's/.*CPU: [0-9]+ (UID: [0-9]+ )?PID: ([0-9]+) Comm: ([^ ]+).*/\2 \3/p' | head -1)
	check "$series oops-module: kind oops, init_module [kernel_call_trace], the task the oops names ($pid)" eval '
		grep "/oops-module/vmcore.zlib$" "$tmp/$series" | grep -qE "^[0-9a-f]{16}  oops +init_module \[kernel_call_trace\] +${pid% *} +${pid#* } "'
	hung=$(tr -d '\r' <"$LAB/hung-task/console.log" | sed -nE 's/.*INFO: task ([^ ]+):([0-9]+) blocked.*/\2/p' | head -1)
	check "$series hung-task: kind hung task, the blocked task khungtaskd named ($hung)" eval '
		grep "/hung-task/" "$tmp/$series" | grep -qE "^[0-9a-f]{16}  hung task +[a-z_]+ \[kdive_lab\] +$hung "'
	check "$series sysrq: kind sysrq, in sysrq_handle_crash" eval '
		grep "/sysrq/vmcore.zlib$" "$tmp/$series" | grep -qE "^[0-9a-f]{16}  sysrq +sysrq_handle_crash "'
done
if [ -s "$tmp/6.1" ] && [ -s "$tmp/6.12" ]; then
	check "6.1 and 6.12: the sysrq crash (the same trace) has one signature" \
		test "$(sig_of "$tmp/6.1" /sysrq/)" = "$(sig_of "$tmp/6.12" /sysrq/)"
fi
load_lab 6.1
timeout 300 "$KDIVE" triage --group "$LAB" >"$tmp/group" 2>/dev/null
check "--group: one line per signature with its count, first and last date" eval '
	[ "$(tail -n +2 "$tmp/group" | wc -l)" -eq "$(sig_of "$tmp/6.1" . | wc -l)" ] &&
	grep -qE "^[0-9a-f]{16} +[0-9]+  oops +init_module \[kernel_call_trace\] +20[0-9-]+ [0-9:]+ +20[0-9-]+ [0-9:]+ +/" "$tmp/group"'
printf 'garbage' >"$tmp/bad.vmcore"
timeout 60 "$KDIVE" triage "$tmp/bad.vmcore" "$LAB/sysrq/vmcore.zlib" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a file that is not a dump: one line, the next dump still triaged, exit 1" eval '
	[ $rc -eq 1 ] && [ "$(grep -c "" "$tmp/err")" -eq 1 ] && grep -q "sysrq_handle_crash" "$tmp/out"'
finish
