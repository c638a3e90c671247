#!/usr/bin/env bash
# ps on every dump of both labs, against what the guest itself recorded:
# /proc's process list (ps.txt: pid, ppid, state, comm) and the oops line
# naming the crashing task (console.log). Also the idle task of each CPU,
# the filters, and dumps that lack pages: one clear line, never a crash.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# Every process of ps.txt with the same PPID and comm. /proc shows a
# kernel thread's full name and a kworker's current workqueue
# ("kworker/0:0-events"); task->comm keeps 15 bytes, so it must be all of
# /proc's name, or its first 15 bytes, or the part before a '-' or '+'.
listed() { # ps.txt, ps output
	awk 'NR == FNR { if (FNR > 1) { ppid[$1] = $2; comm[$1] = $4 }; next }
	{ sub(/^>/, " ") }
	$1 in ppid {
		c = $9; if (c ~ /^\[.*\]$/) c = substr(c, 2, length(c) - 2)
		t = comm[$1]
		same = t == c || (index(t, c) == 1 && (length(c) == 15 || substr(t, length(c) + 1, 1) ~ /[-+]/))
		if ($2 != ppid[$1] || !same) { print "# pid " $1 ": ppid " $2 " comm " c ", guest: " ppid[$1] " " t; bad++ }
		seen[$1] = 1
	}
	END {
		for (p in ppid) { n++; if (!(p in seen)) { print "# pid " p " (" comm[p] ") not listed"; bad++ } }
		print "# " n " guest processes"
		exit n == 0 || bad > 0
	}' "$1" "$2"
}

# Sleep states as crash names them: S -> IN, D -> UN, I -> ID (TASK_IDLE).
# A task running at either moment (R in the guest's list, RU in the dump)
# may differ: the list was taken while CPU 0 still printed the oops
# (oops-module, qemu-dump) or just before the trigger (sysrq), and the
# panic path wakes a few threads (migration/N, ksoftirqd/N, kworkers). A
# task asleep at both moments cannot have changed how it sleeps without
# running, so there every state must match.
states() { # ps.txt, ps output
	awk 'BEGIN { m["S"] = "IN"; m["D"] = "UN"; m["I"] = "ID"; m["R"] = "RU" }
	NR == FNR { if (FNR > 1) st[$1] = $3; next }
	{ sub(/^>/, " ") }
	$1 in st && st[$1] in m {
		n++
		if (m[st[$1]] == $5) next
		if (st[$1] == "R" || $5 == "RU") { moved++; print "# tolerated: pid " $1 " " $9 " guest " st[$1] ", dump " $5; next }
		print "# pid " $1 " " $9 ": guest " st[$1] ", dump " $5; bad++
	}
	END { print "# " n " states compared, " moved + 0 " tolerated"; exit n < 20 || bad > 0 || moved > 5 }' "$1" "$2"
}

# The task of the oops line ("CPU: 0 PID: 112 Comm: insmod", 6.12 adds
# "UID: 0") is marked '>', RU, on that CPU.
crasher() { # console.log, ps output
	local cpu pid comm
	read -r cpu pid comm < <(grep -m1 -oE 'CPU: [0-9]+ (UID: [0-9]+ )?PID: [0-9]+ Comm: [^ ]+' "$1" |
		sed -E 's/CPU: ([0-9]+) (UID: [0-9]+ )?PID: ([0-9]+) Comm: (.*)/\1 \3 \4/')
	echo "# oops on CPU $cpu by pid $pid ($comm)"
	[ -n "$pid" ] && awk -v cpu="$cpu" -v pid="$pid" -v comm="$comm" \
		'$1 == ">" && $2 == pid && $4 == cpu && $6 == "RU" && $10 == comm { f = 1 } END { exit !f }' "$2"
}

# One swapper/N (pid 0, on CPU N) per CPU the guest had (its cpuhp/N
# threads), and one '>' per CPU.
cpus() { # ps.txt, ps output
	local n
	n=$(grep -cE ' cpuhp/[0-9]+$' "$1")
	awk -v n="$n" '{ a = $0; act = sub(/^>/, " ", a); split(a, f, " ") }
		act { marks++ }
		f[1] == 0 && f[9] == "[swapper/" f[3] "]" { idle[f[3]] = 1 }
		END { for (c = 0; c < n; c++) if (!(c in idle)) exit 1; exit n < 1 || marks != n }' "$2"
}

# Memory columns: a user task has VSZ >= RSS > 0 and %MEM <= 100; a
# kernel thread without an mm shows zeros.
memory() { # ps output
	awk 'NR > 1 { sub(/^>/, " ") }
		NR > 1 && $9 ~ /^\[/ && ($7 != 0 || $8 != 0) { bad++ }
		NR > 1 && $9 !~ /^\[/ { user++; if ($8 <= 0 || $7 < $8 || $6 > 100) bad++ }
		END { exit user == 0 || bad > 0 }' "$1"
}

for series in $LAB_SERIES; do
	load_lab "$series"
	for dump in $(lab_dumps); do
		dir=$LAB/$(dirname "$dump") name="$series $dump"
		timeout 60 "$KDIVE" "$VMLINUX" "$LAB/$dump" -c ps >"$tmp/ps" 2>"$tmp/err"
		rc=$?
		check "$name: ps exits 0" test "$rc" -eq 0
		check "$name: every guest process, same PPID and comm" listed "$dir/ps.txt" "$tmp/ps"
		check "$name: sleep states match the guest's" states "$dir/ps.txt" "$tmp/ps"
		check "$name: the oopsing task is marked '>'" crasher "$dir/console.log" "$tmp/ps"
		check "$name: one swapper/N and one '>' per CPU" cpus "$dir/ps.txt" "$tmp/ps"
		check "$name: memory columns" memory "$tmp/ps"
	done
done

# Filters, on the module oops of 6.1 (insmod crashed on CPU 0).
load_lab 6.1
DUMP=$LAB/oops-module/vmcore.zlib
k() { timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "$1" 2>/dev/null; }
read -r pid comm < <(grep -m1 -oE 'PID: [0-9]+ Comm: [^ ]+' "$LAB/oops-module/console.log" | awk '{ print $2, $4 }')
total=$(k ps | tail -n +2 | wc -l)
check "ps PID: the header and that task" eval '[ "$(k "ps $pid" | awk "NR > 1 { print \$2 }")" = "$pid" ]'
check "ps COMM: that task" eval 'k "ps $comm" | grep -qE "^> +$pid .* $comm\$"'
task=$(k "ps $pid" | awk 'NR == 2 { print $5 }')
check "ps TASK (hex address): that task" eval '[ "$(k "ps $task" | awk "NR > 1 { print \$2 }")" = "$pid" ]'
check "ps -k: only kernel threads" eval '[ "$(k "ps -k" | tail -n +2 | grep -vc "\[.*\]$")" -eq 0 ]'
check "ps -u: only user tasks" eval '[ "$(k "ps -u" | tail -n +2 | grep -c "\[.*\]$")" -eq 0 ]'
check "ps -k and ps -u together list every task" \
	eval '[ $(( $(k "ps -k" | tail -n +2 | wc -l) + $(k "ps -u" | tail -n +2 | wc -l) )) -eq "$total" ]'
check "ps -p PID: from swapper/0 down to the task, one space per generation" \
	eval 'k "ps -p $pid" | awk -v pid="$pid" "NR == 1 && /^PID: 0 / { a = 1 } /^ +PID: / { last = \$0 } END { exit !(a && last ~ \"^ +PID: \" pid \" \") }"'
check "ps -c 1: init's children include the task" eval 'k "ps -c 1" | grep -qE "^  PID: $pid +TASK"'
timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "ps 999999" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "ps of a pid that does not exist: exit 1, one line" \
	eval '[ $rc -eq 1 ] && [ "$(grep -vc "kernel relocated" "$tmp/err")" -eq 1 ] &&
		grep -q "^kdive: ps: invalid task or pid value: 999999$" "$tmp/err"'

# Dumps cut short: ps lists or says in one line what is missing.
check_cut_dumps "$DUMP" "ps" 1

finish
