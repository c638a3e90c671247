#!/usr/bin/env bash
# kdive probe inside the lab's guests (6.1, 6.12): a probe with a string
# and a member sees the name and flags the guest opened a file with;
# %return sees -ENOENT; -s stacks follow the call path with file:line; the
# seed's workflow (sym, dis, FUNC+OFF %ax %dx, -l, -d); SIGTERM leaves no
# event or instance behind; refusals (inside an instruction, no such
# function or variable, a blacklisted function, no tracefs) are one line.
# Offline, -D and -V equal perf probe's on Debian's debug vmlinux.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# -D and -V against perf probe's (group names aside)
offline() { # series
	local lab v f
	lab=$("$REPO/lab/kdive-lab" dir "$1") || { not_ok "$1: lab"; return; }
	v=$lab/vmlinux
	while IFS= read -r f; do
		"$KDIVE_REAL" probe -k "$v" -D "$f" 2>"$tmp/k.err" | sed 's/^\([pr]\):kdive\//\1:probe\//' >"$tmp/k.txt"
		perf probe -k "$v" -D "$f" 2>/dev/null | grep -E '^[pr]:' >"$tmp/p.txt"
		if [ -s "$tmp/p.txt" ] && cmp -s "$tmp/k.txt" "$tmp/p.txt"; then
			ok "$1: probe -D '$f' = perf probe -D"
		else
			not_ok "$1: probe -D '$f' = perf probe -D"
			echo "# kdive: $(cat "$tmp/k.txt" "$tmp/k.err")"
			echo "# perf:  $(cat "$tmp/p.txt")"
		fi
	done <<'LIST'
do_sys_openat2 filename:string how->flags
do_sys_openat2%return $retval
do_sys_openat2:5 fd
vfs_read file->f_path.dentry->d_name.name:string count
wake_up_new_task p->comm:string p->pid
do_filp_open pathname->name:string
schedule_timeout timeout
ksys_write count
__x64_sys_openat regs->di
do_exit code
do_sys_openat2+10 %ax
LIST
	"$KDIVE_REAL" probe -k "$v" -V do_sys_openat2 2>/dev/null | grep -v '^		(' >"$tmp/k.txt"
	perf probe -k "$v" -V do_sys_openat2 2>/dev/null >"$tmp/p.txt"
	check "$1: probe -V do_sys_openat2 = perf probe -V (available variables)" cmp -s "$tmp/k.txt" "$tmp/p.txt"
}

if command -v perf >/dev/null; then
	offline 6.1
	offline 6.12
else
	not_ok "perf is installed (linux-perf): the offline comparison needs it"
fi

for series in 6.1 6.12; do
	out=$tmp/$series
	live_run "$series" probe.sh "$out" || continue
	name=$(cat "$out/open-name.txt")
	line=$(grep -F "filename_string=\"$name\"" "$out/open.txt" | head -1)
	check "$series: do_sys_openat2 filename:string how->flags sees the name the guest opened ($name)" test -n "$line"
	flags=$(sed -n 's/.*flags=\(0x[0-9a-f]*\).*/\1/p' <<<"$line")
	check "$series: ... with its flags O_WRONLY|O_CREAT|O_TRUNC ($flags)" \
		bash -c "[ -n '$flags' ] && (( ($flags & 0x241) == 0x241 ))"
	check "$series: hit lines read 'comm-PID [CPU] TIMESTAMP: EVENT: args'" \
		grep -qE '^sh-[0-9]+ \[[0-9]+\] [0-9]+\.[0-9]+: do_sys_openat2: \(do_sys_openat2\+0x0/0x[0-9a-f]+\) filename_string=' "$out/open.txt"
	check "$series: trace killed with SIGTERM exits 0 and leaves kprobe_events empty" \
		bash -c "[ \"\$(cat '$out/open.rc')\" = 0 ] && [ ! -s '$out/after-term.txt' ]"
	check "$series: ... and no trace instance" bash -c "! grep -q kdive '$out/instances-after-term.txt'"
	# busybox may run cat inside sh (comm sh or cat); 6.12 types $retval
	# from BTF (long: -2) where 6.1 prints hex
	check "$series: %return \$retval sees -ENOENT of a failed open" \
		grep -qE '^[^ ]+-[0-9]+ .*do_sys_openat2__return: .*arg1=(0xfffffffffffffffe|-2)$' "$out/ret.txt"
	check "$series: -s: the hit's stack has do_sys_openat2's callers with file:line" \
		bash -c "grep -qE '^ => (__x64_sys_openat|do_syscall_64)\\+0x[0-9a-f]+/0x[0-9a-f]+ \\([^ ]+\\.c:[0-9]+\\)' '$out/stack.txt'"
	check "$series: sym do_sys_openat2 = /proc/kallsyms" \
		bash -c "[ \"\$(awk '{ print \$1 }' '$out/seed-kallsyms.txt')\" = \"\$(awk '{ print \$1 }' '$out/seed-sym.txt' | head -1)\" ]"
	off=$(cat "$out/seed-off.txt")
	check "$series: probe -a do_sys_openat2+$off %ax %dx (offset from dis) is registered" \
		grep -qE "^p:kdive/do_sys_openat2 do_sys_openat2\\+$off arg1=%ax arg2=%dx" "$out/seed-events.txt"
	check "$series: probe -l lists it" grep -q 'kdive:do_sys_openat2' "$out/seed-list.txt"
	check "$series: trace kdive:do_sys_openat2 streams its hits" grep -qE 'do_sys_openat2: .* arg1=0x' "$out/seed-trace.txt"
	check "$series: probe -d removes it" bash -c "grep -q 'Removed event: kdive:do_sys_openat2' '$out/seed-del.txt' && [ ! -s '$out/seed-after-del.txt' ]"
	one_line "$series: an offset inside an instruction is one line" "$out/bad-offset.err" 'is inside an instruction'
	one_line "$series: a function that does not exist is one line" "$out/bad-func.err" 'no function no_such_function_kdive'
	one_line "$series: a variable that does not exist names those that do" "$out/bad-var.err" '(these are: dfd, filename, how'
	one_line "$series: a blacklisted function ($(cat "$out/blacklisted.txt")) is one line" "$out/bad-black.err" 'kprobe blacklist'
	check "$series: refusals leave nothing registered" test ! -s "$out/after-bad.txt"
	one_line "$series: no tracefs is one line saying how to mount it" "$out/no-tracefs.err" 'mount -t tracefs nodev /sys/kernel/tracing'
done
finish
