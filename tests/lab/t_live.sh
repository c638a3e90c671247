#!/usr/bin/env bash
# The live session (/proc/kcore) inside the lab's guests, 6.1 and 6.12:
# ps against the guest's /proc, every sleeping task's bt against its
# /proc/PID/stack, mod against /proc/modules, log against dmesg, jiffies
# moving, sym against /proc/kallsyms; the same without the debug vmlinux
# (kallsyms, BTF and ORC from memory); and the one-line preflight failures
# (not root, /proc/kcore masked, lockdown=confidentiality).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# PIDs alive before and after with the same parent and name -> "PID PPID COMM"
stable_ps() {
	awk 'NR == FNR { if (FNR > 1) a[$1] = $2 " " $4; next }
	     FNR > 1 && a[$1] == $2 " " $4 { print $1, $2, $4 }' "$1" "$2" | sort
}

# The processes of stable_ps ($1) that kdive's ps ($2) lacks or shows with
# another parent or name. /proc/PID/comm adds a workqueue worker's current
# work ("kworker/0:0-events") to the task's comm, which the kernel keeps in
# 15 bytes: kdive's name must be a prefix of the guest's.
ps_missing() {
	awk 'NR == FNR { want[$1] = $2 " " $3; next }
	     FNR > 1 { sub(/^>/, ""); c = $9; gsub(/^\[|\]$/, "", c); got[$1] = $2 " " c }
	     END { for (p in want) { split(want[p], w, " "); split(got[p], g, " ")
			if (!(p in got) || g[1] != w[1] || index(w[2], g[2]) != 1) print p, want[p], "/", got[p] } }' "$1" "$2"
}

check_run() { # out suffix label
	local out=$1 sfx=$2 what=$3 f
	# bt is judged by its frames: a task may exit between the list and its walk
	for f in ps ctx mod log jiffies jiffies2 sys sym; do
		if [ "$(cat "$out/$f$sfx.rc" 2>/dev/null)" != 0 ]; then
			not_ok "$what: kdive -c ${f%2} exits 0 ($(head -c 300 "$out/$f$sfx.err" 2>/dev/null))"
			return
		fi
	done
	stable_ps "$out/ps-before$sfx.txt" "$out/ps-after$sfx.txt" >"$tmp/want-ps"
	ps_missing "$tmp/want-ps" "$out/ps$sfx.txt" >"$tmp/ps-missing"
	if [ "$(wc -l <"$tmp/want-ps")" -gt 20 ] && [ ! -s "$tmp/ps-missing" ]; then
		ok "$what: ps has every process the guest listed before and after ($(wc -l <"$tmp/want-ps"))"
	else
		not_ok "$what: ps has every process the guest listed before and after"
		sed 's/^/# /' "$tmp/ps-missing"
	fi
	awk -f "$here/stacks.awk" "$out/stacks$sfx.txt" "$out/ctx$sfx.txt" "$out/bt$sfx.txt" >"$tmp/cmp"
	local rc=$?
	sed -n '$p' "$tmp/cmp" | sed 's/^# //' >"$tmp/summary"
	if [ $rc -eq 0 ] && [ "$(awk '{ print $1 }' "$tmp/summary")" -ge 20 ]; then
		ok "$what: bt of every sleeping task holds its /proc/PID/stack ($(cat "$tmp/summary"))"
	else
		not_ok "$what: bt of every sleeping task holds its /proc/PID/stack"
		cat "$tmp/cmp"
	fi
	awk '{ print $1, $6, $2 }' "$out/modules$sfx.txt" | sort >"$tmp/want-mod"
	awk 'NR > 1 { print $2, "0x" $3, $4 }' "$out/mod$sfx.txt" | sort >"$tmp/got-mod"
	check "$what: mod = /proc/modules (name, base, size)" cmp -s "$tmp/want-mod" "$tmp/got-mod"
	tail -15 "$out/dmesg$sfx.txt" >"$tmp/want-log"
	tail -15 "$out/log$sfx.txt" >"$tmp/got-log"
	check "$what: log ends as dmesg does" cmp -s "$tmp/want-log" "$tmp/got-log"
	local j1 j2
	# rd -d's first value, then p's; each moves on
	j1=$(awk 'NR == 1 { print $2 } NR == 2 { print $NF }' "$out/jiffies$sfx.txt" | paste -sd' ')
	j2=$(awk 'NR == 1 { print $2 } NR == 2 { print $NF }' "$out/jiffies2$sfx.txt" | paste -sd' ')
	check "$what: rd -d jiffies and p (unsigned long)jiffies move ($j1, then $j2)" \
		awk -v a="$j1" -v b="$j2" 'BEGIN { split(a, x, " "); split(b, y, " ")
			exit !(x[1] > 0 && x[2] >= x[1] && y[1] > x[2] && y[2] >= y[1]) }'
	check "$what: sys is the running kernel's, with no panic and kdive's own task" \
		bash -c "grep -q 'DUMPFILE: /proc/kcore' '$out/sys$sfx.txt' && ! grep -q PANIC: '$out/sys$sfx.txt' &&
			 grep -q 'COMMAND: \"kdive\"' '$out/sys$sfx.txt' && grep -q 'STATE: TASK_RUNNING (ACTIVE)' '$out/sys$sfx.txt'"
	check "$what: sym do_sys_openat2 = /proc/kallsyms" \
		bash -c "[ \"\$(awk '{ print \$1 }' '$out/kallsyms$sfx.txt')\" = \"\$(awk '{ print \$1 }' '$out/sym$sfx.txt')\" ]"
}

for series in 6.1 6.12; do
	out=$tmp/$series
	live_run "$series" session.sh "$out" || continue
	check_run "$out" "" "$series live"
	check "$series live: the debug vmlinux found in /usr/lib/debug" grep -q 'KERNEL: /usr/lib/debug/boot/vmlinux-' "$out/sys.txt"
	check_run "$out" -nodebug "$series live, no vmlinux"
	check "$series live, no vmlinux: sys says so" grep -q 'KERNEL: (none: kallsyms, BTF and ORC' "$out/sys-nodebug.txt"
	one_line "$series: not root is one line naming sudo" "$out/nonroot.err" 'needs root (CAP_SYS_RAWIO): run kdive with sudo'
	one_line "$series: a masked /proc/kcore is one line" "$out/masked.err" 'is masked'
	one_line "$series: lockdown=confidentiality is one line naming the fix" "$out/lockdown.err" 'boot with lockdown=integrity'
	check "$series: kdump without crashkernel= on the command line: NOT READY naming it, exit 1" eval '
		! grep -q crashkernel= "$out/cmdline.txt" && [ "$(cat "$out/kdump-nocrash.rc")" = 1 ] &&
		head -1 "$out/kdump-nocrash.txt" | grep -q "^NOT READY: no crashkernel= on the kernel command line.*fix: add crashkernel="' ||
		sed "s/^/# /" "$out/kdump-nocrash.txt"
	check "$series: kdump under lockdown: says kexec -s is needed" \
		grep -qE "^  lockdown +info +\[confidentiality\] .*kexec -s" "$out/kdump-lockdown.txt"
done
finish
