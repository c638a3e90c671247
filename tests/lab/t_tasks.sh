#!/usr/bin/env bash
# The task commands on every lab kernel against what the guest recorded
# just before the crash: `bt` of every sleeping task against its
# /proc/PID/stack (stacks.txt), `files` against `ls -l /proc/PID/fd`
# (fds.txt), `task` against ps.txt, `runq` against the runnable tasks, and
# `foreach` selecting and handing tasks to bt, files, task and ps.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
here=$(cd "$(dirname "$0")" && pwd)

for series in $LAB_SERIES; do
	load_lab "$series"
	for s in oops-module sysrq hung-task many-tasks; do
		[ -d "$LAB/$s" ] || continue
		DUMP=$LAB/$s/vmcore.zlib
		[ -f "$LAB/$s/vmcore.elf" ] && DUMP=$LAB/$s/vmcore.elf
		label="$series $s/$(basename "$DUMP")"
		k() { timeout 120 "$KDIVE" "$VMLINUX" "$DUMP" -c "$1" 2>"$tmp/err"; }

		k 'foreach task -R pid,nvcsw,nivcsw' >"$tmp/ctx"
		k 'foreach bt' >"$tmp/bt"
		ntasks=$(k ps | tail -n +2 | wc -l)
		check "$label: foreach bt: one trace per task ($ntasks), no error" \
			eval '[ "$(grep -c "^PID: " "$tmp/bt")" -eq "$ntasks" ] && ! grep -v "kernel relocated" "$tmp/err"'
		if [ -s "$LAB/$s/stacks.txt" ]; then
			awk -f "$here/stacks.awk" "$LAB/$s/stacks.txt" "$tmp/ctx" "$tmp/bt" >"$tmp/cmp"
			check "$label: bt of every task that slept since /proc/PID/stack: those frames, in a row ($(tail -1 "$tmp/cmp" | sed 's/^# //'))" \
				eval 'awk -f "$here/stacks.awk" "$LAB/$s/stacks.txt" "$tmp/ctx" "$tmp/bt" >/dev/null' ||
				sed -n '1,5p' "$tmp/cmp"
		fi

		# files: the fds ls -l /proc/PID/fd listed
		pid=$(sed -n '1s/^PID //p' "$LAB/$s/fds.txt")
		sed -nE 's/.* ([0-9]+) -> (.*)$/\1 \2/p' "$LAB/$s/fds.txt" | sort -n >"$tmp/want"
		k "files $pid" >"$tmp/files"
		awk 'NR > 3 { print $1, $6 }' "$tmp/files" | sort -n >"$tmp/got"
		check "$label: files $pid: the fds and paths /proc/$pid/fd listed ($(wc -l <"$tmp/want"))" \
			eval '[ -s "$tmp/want" ] && diff -u "$tmp/want" "$tmp/got" >&2 &&
				sed -n 2p "$tmp/files" | grep -qx "ROOT: /    CWD: /" &&
				awk "NR > 3 && \$5 !~ /^(REG|DIR|CHR|BLK|FIFO|SOCK|LNK)\$/ { exit 1 }" "$tmp/files"'
		comm=$(awk '/^PID:/ { print $NF; exit }' "$tmp/files" | tr -d '"')
		check "$label: foreach $comm files includes files $pid" \
			eval 'k "foreach $comm files" | grep -A "$(($(wc -l <"$tmp/files") - 1))" -xF "$(head -1 "$tmp/files")" | diff -u "$tmp/files" - >&2'

		# task: the members ps.txt recorded, and the whole object
		k "task -R pid,tgid,comm $pid" >"$tmp/task"
		# comm's bytes after the NUL are whatever an older name left (5.10
		# copies without padding): only its start is known
		printf '%s\n  pid = %s,\n  tgid = %s,\n  comm = "%s\\000\n\n' "$(head -1 "$tmp/files")" \
			"$pid" "$pid" "$comm" >"$tmp/want"
		check "$label: task -R pid,tgid,comm $pid" eval \
			'sed -E "4s/^(  comm = \"[^\\\\]*\\\\000).*/\\1/" "$tmp/task" | diff -u "$tmp/want" - >&2'
		k "task $pid" >"$tmp/task"
		check "$label: task $pid: header, struct task_struct, struct thread_info" \
			eval '[ "$(grep -c "^struct task_struct {\$\|^struct thread_info {\$\|^}\$" "$tmp/task")" -eq 4 ] &&
				grep -qx "  pid = $pid," "$tmp/task" && head -1 "$tmp/task" | grep -q "^PID: $pid "'

		# runq: the tasks queued are the runnable ones no CPU was running
		k runq >"$tmp/runq"
		grep -E '^ +\[ *[0-9]+\] PID: ' "$tmp/runq" | awk '{ print $3 }' | sort >"$tmp/q"
		k ps | awk '$1 != ">" && $5 == "RU" && $1 > 0 { print $1 }' | sort >"$tmp/r"
		check "$label: runq: the queued tasks are ps's RU tasks not on a CPU ($(wc -l <"$tmp/q"))" \
			eval 'diff -u "$tmp/r" "$tmp/q" >&2 && [ "$(grep -c "^CPU [0-9]* RUNQUEUE: [0-9a-f]*$" "$tmp/runq")" -eq "$(grep -c "CURRENT: PID: " "$tmp/runq")" ]'
		k "runq -t -c 1" >"$tmp/out"
		check "$label: runq -t -c 1: CPU 1's clock is its runqueue's" \
			eval '[ "$(sed -n "1s/^ CPU 1: //p" "$tmp/out")" = "$(k "p -c 1 runqueues.clock" | sed -E "s/.*= //")" ]'

		# foreach: selectors
		k 'foreach kernel ps' >"$tmp/ps"
		check "$label: foreach kernel ps: only kernel threads" \
			eval '[ "$(tail -n +2 "$tmp/ps" | wc -l)" -gt 0 ] && ! tail -n +2 "$tmp/ps" | grep -v "\[.*\]\$"'
		k 'foreach user ps' >"$tmp/ps"
		check "$label: foreach user ps: no kernel thread" \
			eval '[ "$(tail -n +2 "$tmp/ps" | wc -l)" -gt 0 ] && ! tail -n +2 "$tmp/ps" | grep "\[.*\]\$"'
		k 'foreach 1 2 bt' >"$tmp/out"
		check "$label: foreach 1 2 bt: those two" eval '[ "$(grep -c "^PID: " "$tmp/out")" -eq 2 ]'
	done
	# user memory through a task's page tables (rd -u, dis -u): the sleeping
	# busybox's code at its user RIP is /bin/busybox's (QEMU's dump holds
	# every page; makedumpfile's levels drop them: one line says so)
	DUMP=$LAB/qemu-dump/vmcore.qemu-elf
	pid=$(sed -n '1s/^PID //p' "$LAB/qemu-dump/fds.txt")
	rip=$(k "bt $pid" | awk '/^    RIP: 0000/ { print $2 }' | tail -1)
	at=$(printf %x $((0x$rip - 2)))
	objdump -d --start-address=0x$at --stop-address=$((0x$rip + 2)) /bin/busybox |
		awk -F'\t' '/^ *[0-9a-f]+:\t/ { a = $1; sub(/^ */, "", a); t = $3; sub(/ +$/, "", t); print "0x" a "\t" t }' >"$tmp/want"
	k "set $pid; dis -u $at 2" | tail -2 >"$tmp/got"
	check "$series qemu-dump: dis -u at pid $pid's user RIP is objdump of /bin/busybox there" eval '
		[ -n "$rip" ] && [ -s "$tmp/want" ] && diff -u "$tmp/want" "$tmp/got" >&2'
	bytes=$(objdump -d --start-address=0x$at --stop-address=$((0x$rip + 2)) /bin/busybox | awk -F'\t' '/^ *[0-9a-f]+:\t/ { printf "%s ", $2 }' | tr -s ' ' | sed 's/ $//')
	check "$series qemu-dump: rd -u -8 of the same 4 bytes: $bytes" eval '
		[ "$(k "set $pid; rd -u -8 $at 4" | tail -1 | sed -E "s/^[0-9a-f]+:  //; s/ +[^ ]+\$//")" = "$bytes" ]'
	DUMP=$LAB/oops-module/vmcore.zlib
	k "set $(sed -n '1s/^PID //p' "$LAB/oops-module/fds.txt"); rd -u -8 $at; set 2; rd -u 1000; p 1" >"$tmp/out"
	check "$series oops-module: rd -u of a page makedumpfile dropped, and of a kernel thread: one line each" eval '
		grep -q "user memory at 0x$at: .*excluded by makedumpfile" "$tmp/err" &&
		grep -q "is a kernel thread: it has no user memory" "$tmp/err" && grep -q "= 1$" "$tmp/out"' || cat "$tmp/err"

	# a hung task: foreach UN bt shows the task khungtaskd named, with its stack
	load_lab "$series"
	hung=$(tr -d '\r' <"$LAB/hung-task/console.log" | sed -nE 's/.*INFO: task ([^ ]+):([0-9]+) blocked.*/\2/p' | head -1)
	DUMP=$LAB/hung-task/vmcore.zlib
	k 'foreach UN bt' >"$tmp/out"
	check "$series hung-task: foreach UN bt is the hung task ($hung)" \
		eval '[ -n "$hung" ] && [ "$(grep "^PID: " "$tmp/out" | awk "{ print \$2 }")" = "$hung" ]'
done

# Bad input: one line each, the session goes on.
load_lab 6.1
DUMP=$LAB/oops-module/vmcore.elf
bad_one() { # description, command, expected message (regex)
	local want=$3
	timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "$2; p 1" >"$tmp/out" 2>"$tmp/err"
	check "$1: one line, the session goes on" eval '[ "$(grep -vc "kernel relocated" "$tmp/err")" -eq 1 ] &&
		grep -qE "$want" "$tmp/err" && grep -q "= 1$" "$tmp/out"' || sed 's/^/# /' "$tmp/err"
}
bad_one "task of no such pid" "task 99999" 'foreach|pid 99999|no task'
bad_one "files of a bad address" "files ffff888000000000" 'task'
bad_one "task -R of no such member" "task -R nosuch 1" 'no member'
bad_one "foreach without a command" "foreach UN" 'a command is needed'
bad_one "foreach matching nothing" "foreach nosuchcomm bt" 'no task matches'
bad_one "foreach with a flag before the command" "foreach -l bt" 'after the command'
finish
