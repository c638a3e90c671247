#!/usr/bin/env bash
# Benchmark: the prompt's Tab. In-process, kd_session_complete on the 6.1
# lab's 2,056-task dump (symbols, struct names, members, a variable's
# members through a pointer, PIDs), first and second time; then at the
# prompt itself, on a pseudo-terminal, the time from Tab Tab after
# "struct task_" to the listing, kdive against crash (its gdb completes).
# Not a test.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
KDIVE=${KDIVE_BIN:-$REPO/build/kdive}
[ -x "$KDIVE" ] || make -C "$REPO" -s
LAB=$("$REPO/lab/kdive-lab" dir 6.1)
. "$LAB/lab.env"
DUMP=$LAB/many-tasks/vmcore.zlib
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
libs=$(pkg-config --libs libdw libelf libbpf zlib lzo2 snappy libzstd liblzma libdebuginfod)
gcc -O2 -I"$REPO/include" -o "$tmp/tab" "$REPO/bench/prompt/tab.c" "$REPO/build/libkdive.a" $libs -lopcodes -liberty -lpthread
echo "kd_session_complete, with the debug vmlinux:"
DEBUGINFOD_URLS= "$tmp/tab" "$VMLINUX" "$DUMP"
echo "kd_session_complete, the dump alone (kallsyms, BTF):"
DEBUGINFOD_URLS= "$tmp/tab" "$DUMP"

# Tab at the prompt, on a pseudo-terminal: the time from the keys to the
# completion's arrival. crash (8.0.2, Debian 12) completes nothing here:
# Tab after "forea", "struct task_" or "sym __x64_sys_ope" rings the bell.
tab() { # keys, what to wait for
	printf '%s\n' 'expect kdive> ' 'mark start' "send $1" "expect $2" 'mark tab' 'send \x03' 'expect \nkdive> $' 'send q\n' |
		KDIVE_CACHE=${KDIVE_CACHE:-$HOME/.cache/kdive} HOME=$tmp timeout 600 "$REPO/tests/lab/pty_drive.py" --rows 200 "$tmp/tty" -- "$KDIVE" -s "$VMLINUX" "$DUMP" \
		2>&1 >/dev/null | awk '$1 == "tab" { print $2 }' || true
}
for keys in 'forea\t|ch' 'struct task_\t\t|task_struct' 'p init_task.real_parent.co\t\t|compat_robust_list' 'bt 210\t\t|2105'; do
	t=$(tab "${keys%|*}" "${keys#*|}")
	printf '%-34s kdive %8.1f ms | crash: no completion\n' "${keys%|*}" "$(awk -v t="${t:-0}" 'BEGIN { print t * 1000 }')"
done
