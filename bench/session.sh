#!/usr/bin/env bash
# Benchmark: the vmcore session against crash and drgn on the same real
# dump (the lab's module oops, kdump-compressed zlib), for each lab kernel
# (bench/session.sh [SERIES...], default 5.10 6.1 6.12): start -> end of
# the panic task's bt, of `sys; bt; log; ps; mod`, of the data commands
# (p and struct, the first time a vmlinux is used and after; dis; kmem -i;
# kmem -s; runq; files), and, on the dump with a few thousand tasks,
# `foreach bt`, `ps` and `kmem -s`. Prints wall time, peak memory and
# ratios ("drgn -" where drgn has no such command: no disassembler, none
# of crash's tables); `sys; bt; ps` on a dump opened without its vmlinux;
# `kdive triage` over the lab's dumps. Not a test: nothing here can fail a
# build.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
KDIVE=${KDIVE_BIN:-$REPO/build/kdive}
[ -x "$KDIVE" ] || make -C "$REPO" -s
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# drgn equivalents of the crash commands, with drgn's own helpers.
cat >"$tmp/bt.py" <<'PY'
print(prog.crashed_thread().stack_trace())
PY
cat >"$tmp/all.py" <<'PY'
from drgn.helpers.linux.printk import get_dmesg
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.list import list_for_each_entry
print(prog["init_uts_ns"].name.release.string_().decode())
print(prog.crashed_thread().stack_trace())
print(get_dmesg(prog).decode(errors="replace"))
for t in for_each_task(prog):
    print(t.pid.value_(), t.comm.string_().decode())
for m in list_for_each_entry("struct module", prog["modules"].address_of_(), "list"):
    print(m.name.string_().decode())
PY

measure() { # command... (stdin from $IN) -> "seconds maxrss_kib"
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" <"${IN:-/dev/null}" >"$tmp/out" 2>&1 || true
	tail -n 1 "$tmp/time"
}

row() { # label, kdive commands, crash commands, drgn script or "-"
	local k c d="0 0"
	k=$(IN=/dev/null measure "$KDIVE" "$VMLINUX" "$DUMP" -c "$2")
	printf '%s\nq\n' "$3" | tr ';' '\n' >"$tmp/crash.in"
	c=$(IN=$tmp/crash.in measure crash -s "$VMLINUX" "$DUMP")
	[ "$4" = - ] || d=$(IN=/dev/null measure drgn -q -c "$DUMP" -s "$VMLINUX" "$4")
	set -- "$1" $k $c $d
	awk -v n="$1" -v kt="$2" -v km="$3" -v ct="$4" -v cm="$5" -v dt="$6" -v dm="$7" 'BEGIN {
		printf "%-26s kdive %6.3f s %6.1f MiB | crash %6.2f s %6.1f MiB (%5.1fx) | ", n, kt, km / 1024, ct, cm / 1024, (kt > 0 ? ct / kt : 0)
		if (dt > 0) printf "drgn %6.2f s %6.1f MiB (%5.1fx)\n", dt, dm / 1024, (kt > 0 ? dt / kt : 0); else print "drgn -" }'
}

# Warm the page cache so every tool reads the same files from memory.
for series in ${@:-5.10 6.1 6.12}; do
	LAB=$("$REPO/lab/kdive-lab" dir "$series")
	. "$LAB/lab.env"
	DUMP=$LAB/oops-module/vmcore.zlib
	cat "$VMLINUX" "$DUMP" >/dev/null
	echo "kernel $ABI, dump $(basename "$DUMP") ($(du -h "$DUMP" | cut -f1))"
	row "bt" "bt" "bt" "$tmp/bt.py"
	row "sys; bt; log; ps; mod" "sys; bt; log; ps; mod" "sys;bt;log;ps;mod" "$tmp/all.py"
	task=$("$KDIVE" "$VMLINUX" "$DUMP" -c bt 2>/dev/null | awk 'NR == 1 { print $4 }')
	printf 'print(prog["jiffies"])\nprint(prog.crashed_thread().object[0])\n' >"$tmp/p.py"
	# the first use of this vmlinux builds the DWARF name index (kept by
	# build-id), as a first session would; then it is cached
	KDIVE_CACHE=$tmp/fresh-cache row "p; struct (first use)" "p jiffies; struct task_struct $task" \
		"p jiffies;struct task_struct $task" "$tmp/p.py"
	rm -rf "$tmp/fresh-cache"
	row "p; struct (cached)" "p jiffies; struct task_struct $task" "p jiffies;struct task_struct $task" "$tmp/p.py"
	row "dis schedule" "dis schedule" "dis schedule" -
	row "kmem -i" "kmem -i" "kmem -i" -
	row "kmem -s" "kmem -s" "kmem -s" -
	row "runq; files" "runq; files" "runq;files" -
	# without the vmlinux: kallsyms, BTF and ORC from the dump (crash and
	# this drgn cannot open a dump without it); kdive with it, beside.
	# 5.10's VMCOREINFO names no kallsyms: found by their layout (cached
	# by build-id after the first open, as here)
	w=$(IN=/dev/null measure "$KDIVE" "$VMLINUX" "$DUMP" -c "sys; bt; ps")
	n=$(IN=/dev/null measure "$KDIVE" "$DUMP" -c "sys; bt; ps")
	set -- $w $n
	awk -v wt="$1" -v wm="$2" -v nt="$3" -v nm="$4" 'BEGIN {
		printf "%-26s kdive %6.3f s %6.1f MiB | with the vmlinux %6.3f s %6.1f MiB | crash, drgn: cannot\n",
			"sys; bt; ps (no vmlinux)", nt, nm / 1024, wt, wm / 1024 }'
	row "foreach bt ($(awk 'NR > 1' "$LAB/oops-module/ps.txt" | wc -l) tasks)" "foreach bt" "foreach bt" -
	# triage of every dump of the lab (no vmlinux), per dump
	t=$(IN=/dev/null measure "$KDIVE" triage "$LAB")
	nd=$(grep -c '^[0-9a-f]\{16\} ' "$tmp/out")
	set -- $t
	awk -v t="$1" -v m="$2" -v n="$nd" 'BEGIN {
		printf "%-26s kdive %6.3f s for %d dumps, %.3f s a dump, %6.1f MiB\n", "triage (lab directory)", t, n, t / n, m / 1024 }'
	# kdump list of the lab's dumps: headers, VMCOREINFO and the saved logs
	t=$(IN=/dev/null measure "$KDIVE" kdump list "$LAB")
	nd=$(grep -c '^     OPEN: ' "$tmp/out")
	set -- $t
	awk -v t="$1" -v m="$2" -v n="$nd" 'BEGIN {
		printf "%-26s kdive %6.3f s for %d dumps, %.3f s a dump, %6.1f MiB\n", "kdump list (lab directory)", t, n, t / n, m / 1024 }'
	# every task's bt, on the dump with MANY_TASKS threads
	DUMP=$LAB/many-tasks/vmcore.zlib
	pids=$(awk 'NR > 1 { print $1 }' "$LAB/many-tasks/ps.txt" | paste -sd' ')
	cat >"$tmp/every.py" <<'PY'
from drgn.helpers.linux.pid import for_each_task
for t in for_each_task(prog):
    try:
        print(prog.stack_trace(t))
    except Exception as e:
        print(e)
PY
	echo "kernel $ABI, dump many-tasks/$(basename "$DUMP"): $(echo "$pids" | wc -w) tasks"
	row "foreach bt" "foreach bt" "foreach bt" "$tmp/every.py"
	row "bt PID... (every task)" "bt $pids" "foreach bt" "$tmp/every.py"
	row "ps" "ps" "ps" -
	row "kmem -s" "kmem -s" "kmem -s" -
done
