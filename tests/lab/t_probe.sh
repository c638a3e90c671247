#!/usr/bin/env bash
# kdive probe inside the lab's guests (6.1, 6.12): a probe with a string
# and a member sees the name and flags the guest opened a file with;
# %return sees -ENOENT; -s stacks follow the call path with file:line; the
# seed's workflow (sym, dis, FUNC+OFF %ax %dx, -l, -d); SIGTERM leaves no
# event or instance behind; refusals (inside an instruction, no such
# function or variable, a blacklisted function, no tracefs) are one line;
# the lab module, loaded and not yet, by a ;PTN pattern and SRC:LINE on a
# local the guest sets. Offline, -D, -V and -L equal perf probe's on
# Debian's debug vmlinux and the lab module, patterns included.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# kdive probe and perf probe on the same arguments: their definitions equal
# with the group named alike, or (points) their probe points and fetch
# arguments (perf -D repeats one event name where kdive numbers the
# copies, as perf does when adding)
same_defs() { # description, names|points, then the arguments after "probe"
	local what=$1 cut=(sed 's/^\([pr]\):kdive\//\1:probe\//')
	[ "$2" = points ] && cut=(cut -d' ' -f2-)
	shift 2
	"$KDIVE_REAL" probe "$@" 2>"$tmp/k.err" | "${cut[@]}" >"$tmp/k.txt"
	perf probe "$@" 2>/dev/null | grep -E '^[pr]:' | "${cut[@]}" >"$tmp/p.txt"
	if [ -s "$tmp/p.txt" ] && cmp -s "$tmp/k.txt" "$tmp/p.txt"; then
		ok "$what"
	else
		not_ok "$what"
		echo "# kdive: $(cat "$tmp/k.txt" "$tmp/k.err")"
		echo "# perf:  $(cat "$tmp/p.txt")"
	fi
}

# -D and -V against perf probe's
offline() { # series
	local lab v f
	lab=$("$REPO/lab/kdive-lab" dir "$1") || { not_ok "$1: lab"; return; }
	v=$lab/vmlinux
	while IFS= read -r f; do
		same_defs "$1: probe -D '$f' = perf probe -D" names -k "$v" -D "$f"
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

# The lab module, loaded or not: perf probe -m on the .ko (its source next
# to it for the pattern).
module_offline() { # series
	local lab v ko f
	lab=$("$REPO/lab/kdive-lab" dir "$1") || { not_ok "$1: lab"; return; }
	v=$lab/vmlinux
	ko=$lab/modules/kdive_lab.ko
	for f in 'kdive_lab_poke n' 'kdive_lab_poke;WRITE_ONCE(kdive_poked* scaled n' 'kdive_lab_init'; do
		same_defs "$1: probe -m kdive_lab.ko -D '$f' = perf probe -m" points -k "$v" -m "$ko" -s "$lab/modules" -D "$f"
	done
	"$KDIVE_REAL" probe -k "$v" -m "$ko" -s "$lab/modules" -V 'kdive_lab_poke;WRITE_ONCE*' >"$tmp/k.txt" 2>&1
	perf probe -k "$v" -m "$ko" -s "$lab/modules" -V 'kdive_lab_poke;WRITE_ONCE*' >"$tmp/p.txt" 2>&1
	check "$1: probe -m -V 'kdive_lab_poke;WRITE_ONCE*' = perf probe -V" cmp -s "$tmp/k.txt" "$tmp/p.txt"
}

# ;PTN patterns and -L need the source: perf reads a tree, kdive also the
# linux-source tarball in place; the 6.1 lab kernel's source is Debian's
# linux-source-6.1.
source_offline() {
	local lab v src f tarball=/usr/src/linux-source-6.1.tar.xz
	if [ ! -r $tarball ]; then
		not_ok "linux-source-6.1 is installed (scripts/install-deps installs it)"
		return
	fi
	lab=$("$REPO/lab/kdive-lab" dir 6.1) || { not_ok "6.1: lab"; return; }
	v=$lab/vmlinux
	(cd "$tmp" && tar -xJf $tarball linux-source-6.1/fs/open.c linux-source-6.1/fs/read_write.c \
		linux-source-6.1/kernel/sched/core.c)
	src=$tmp/linux-source-6.1
	while IFS= read -r f; do
		same_defs "6.1: probe -D '$f' = perf probe -D (a lazy pattern)" points -k "$v" -s "$src" -D "$f"
	done <<'LIST'
do_sys_openat2;*fd*
do_sys_openat2;fd=*
vfs_read;*ret*
schedule;*
fs/open.c;*fd_install*
LIST
	"$KDIVE_REAL" probe -k "$v" -s "$src" -D 'vfs_read;*ret*' >"$tmp/tree.txt" 2>&1
	"$KDIVE_REAL" probe -k "$v" -D 'vfs_read;*ret*' >"$tmp/tarball.txt" 2>&1
	check "6.1: the pattern matched in the linux-source tarball gives the same probes" \
		cmp -s "$tmp/tree.txt" "$tmp/tarball.txt"
	for f in do_sys_openat2 schedule build_open_flags vfs_read ksys_write; do
		"$KDIVE_REAL" probe -k "$v" -s "$src" -L "$f" 2>&1 | tail -n +2 >"$tmp/k.txt"
		perf probe -k "$v" -s "$src" -L "$f" 2>&1 | tail -n +2 >"$tmp/p.txt"
		check "6.1: probe -L $f = perf probe -L (lines, marks, source text)" cmp -s "$tmp/k.txt" "$tmp/p.txt"
	done
}

if command -v perf >/dev/null; then
	offline 6.1
	offline 6.12
	module_offline 6.1
	module_offline 6.12
	source_offline
else
	not_ok "perf is installed (linux-perf): the offline comparison needs it"
fi

for series in 6.1 6.12; do
	out=$tmp/$series
	# the other lab's debug disk: a vmlinux of another build
	other=6.1
	[ "$series" = 6.1 ] && other=6.12
	KDIVE_LIVE_OTHER=$other live_run "$series" probe.sh "$out" || continue
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
	check "$series: -s: paths are the tree's, the assembler's entry_64.S too" \
		bash -c "grep -q 'arch/x86/entry/entry_64.S:' '$out/stack.txt' && ! grep -q ' (/' '$out/stack.txt'"
	check "$series: sym do_sys_openat2 = /proc/kallsyms" \
		bash -c "[ \"\$(awk '{ print \$1 }' '$out/seed-kallsyms.txt')\" = \"\$(awk '{ print \$1 }' '$out/seed-sym.txt' | head -1)\" ]"
	off=$(cat "$out/seed-off.txt")
	check "$series: probe -a do_sys_openat2+$off %ax %dx (offset from dis) is registered" \
		grep -qE "^p:kdive/do_sys_openat2 do_sys_openat2\\+$off arg1=%ax arg2=%dx" "$out/seed-events.txt"
	check "$series: probe -l lists it" grep -q 'kdive:do_sys_openat2' "$out/seed-list.txt"
	check "$series: trace kdive:do_sys_openat2 streams its hits" grep -qE 'do_sys_openat2: .* arg1=0x' "$out/seed-trace.txt"
	check "$series: probe -d removes it" bash -c "grep -q 'Removed event: kdive:do_sys_openat2' '$out/seed-del.txt' && [ ! -s '$out/seed-after-del.txt' ]"
	pn=$(cat "$out/mod-lazy-n.txt")
	check "$series: module, 'kdive_lab_poke;WRITE_ONCE(kdive_poked*' (a pattern): the local scaled = 3*$pn+1 and o->name of the heap object (perf gets this o wrong)" \
		grep -qE "kdive_lab_poke: \(kdive_lab_poke[.a-z0-9]*\+0x[0-9a-f]+/0x[0-9a-f]+ \[kdive_lab\]\) scaled=$((3 * pn + 1)) n=$pn name=\"kdive heap object\"" "$out/mod-lazy.txt"
	pn=$(cat "$out/mod-line-n.txt")
	check "$series: module, kdive_lab.c:LINE (the same store): scaled = 3*$pn+1 and the static object's name" \
		grep -qE "scaled=$((3 * pn + 1)) name=\"kdive static object\"" "$out/mod-line.txt"
	check "$series: module not loaded yet: probe -m kdive_lab -a registers kdive_lab:kdive_lab_poke..." \
		grep -qE '^p:kdive/kdive_lab_poke kdive_lab:kdive_lab_poke[.a-z0-9]*(\+0)? n=%si:s64' "$out/mod-unloaded-events.txt"
	check "$series: a module .ko not installed: fetched from debuginfod by the loaded module's build-id, -V as with it" eval '
		grep -q "looking up the debug module kdive_lab (build-id [0-9a-f]*)" "$out/mod-debuginfod.err" &&
		grep -q kdive_lab_poke "$out/mod-vars.txt" && cmp -s "$out/mod-vars.txt" "$out/mod-debuginfod.txt"' ||
		cat "$out/mod-debuginfod.err"
	check "$series: ... and without a server, the .ko said missing" grep -q "no kdive_lab.ko in" "$out/mod-nodebuginfod.txt"
	pn=$(cat "$out/mod-unloaded-n.txt")
	check "$series: ... and after insmod its hit has n=$pn" grep -qE "kdive_lab_poke: .* n=$pn\$" "$out/mod-unloaded.txt"
	one_line "$series: an offset inside an instruction is one line" "$out/bad-offset.err" 'is inside an instruction'
	one_line "$series: a function that does not exist is one line" "$out/bad-func.err" 'no function no_such_function_kdive'
	one_line "$series: a variable that does not exist names those that do" "$out/bad-var.err" '(these are: dfd, filename, how'
	one_line "$series: a blacklisted function ($(cat "$out/blacklisted.txt")) is one line" "$out/bad-black.err" 'kprobe blacklist'
	one_line "$series: -k with the $other lab's vmlinux: adding is refused by build-id" "$out/bad-build.err" 'build-id'
	check "$series: ... while -D reads it (offline)" grep -q '^p:kdive/do_sys_openat2 do_sys_openat2+0' "$out/other-define.txt"
	one_line "$series: kprobes switched off is one line saying how to switch them on" "$out/kprobes-off.err" \
		'echo 1 > /sys/kernel/debug/kprobes/enabled'
	check "$series: refusals leave nothing registered" test ! -s "$out/after-bad.txt"
	one_line "$series: no tracefs is one line saying how to mount it" "$out/no-tracefs.err" 'mount -t tracefs nodev /sys/kernel/tracing'
done
finish
