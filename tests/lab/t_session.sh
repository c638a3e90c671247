#!/usr/bin/env bash
# The session itself: file order, command sources (-c, -i, stdin), pipes
# and redirects, errors that leave the session usable, and bad input that
# must give one clear line, never a crash or a hang.
set -u
. "$(dirname "$0")/lib.sh"
load_lab 6.12
V612=$VMLINUX
load_lab 6.1
DUMP=$LAB/oops-module/vmcore.zlib
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

k() { timeout 60 "$KDIVE" "$@" 2>>"$tmp/stderr"; }

check "vmlinux then dump" eval 'k "$VMLINUX" "$DUMP" -c help | grep -q "^  help "'
check "dump then vmlinux" eval 'k "$DUMP" "$VMLINUX" -c help | grep -q "^  help "'
check "says how far KASLR moved the kernel" eval '"$KDIVE" "$VMLINUX" "$DUMP" -c help 2>&1 >/dev/null | grep -qE "^kdive: kernel relocated \[[0-9]+MB\]$"'
check "-c runs commands separated by ;" eval '[ "$(k "$VMLINUX" "$DUMP" -c "help help; help help" | grep -c "^usage: help")" -eq 2 ]'
check "commands from stdin" eval 'printf "help help\nq\nhelp help\n" | k "$VMLINUX" "$DUMP" | grep -c "^usage: help" | grep -qx 1'
printf 'help help\n# a comment\n\nhelp help\n' >"$tmp/script"
check "-i FILE runs a command file" eval '[ "$(k "$VMLINUX" "$DUMP" -i "$tmp/script" | grep -c "^usage: help")" -eq 2 ]'
check "cmd | shell pipeline" eval 'k "$VMLINUX" "$DUMP" -c "help | tr a-z A-Z" | grep -q "LIST THE COMMANDS"'
check "cmd > file and >> file" eval 'k "$VMLINUX" "$DUMP" -c "help help > $tmp/o; help help >> $tmp/o" && [ "$(grep -c "^usage" "$tmp/o")" -eq 2 ]'
cmds=$(k "$VMLINUX" "$DUMP" -c help | awk '/^  [a-z]+ / { print $1 }')
missing=""
for c in $cmds; do
	k "$VMLINUX" "$DUMP" -c "help $c" >"$tmp/h" 2>&1
	{ grep -q "^usage: $c" "$tmp/h" && [ "$(wc -l <"$tmp/h")" -ge 2 ]; } || missing="$missing $c"
done
check "help CMD for every command ($(echo $cmds | wc -w)): its usage and what it does${missing:+ (missing:$missing)}" \
	test -z "$missing" -a "$(echo $cmds | wc -w)" -ge 25

timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "nosuch; help help" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "unknown command: one line, exit 1, the next command still runs" \
	eval '[ $rc -eq 1 ] && [ "$(grep -c "" "$tmp/err")" -eq 2 ] && grep -q "nosuch: no such command" "$tmp/err" && grep -q "^usage: help" "$tmp/out"'

bad() { # description, file1, file2, expected message (regex)
	local d=$1 rc
	timeout 60 "$KDIVE" "$2" "$3" -c help >"$tmp/b.out" 2>"$tmp/b.err"
	rc=$?
	if [ $rc -eq 1 ] && [ "$(grep -c "" "$tmp/b.err")" -eq 1 ] && grep -qE "$4" "$tmp/b.err"; then
		ok "$d"
	else
		not_ok "$d (rc $rc: $(head -c 300 "$tmp/b.err"))"
	fi
}
bad "vmlinux of another kernel" "$V612" "$DUMP" "does not match"
bad "a non-dump file as the dump" "$VMLINUX" /etc/os-release "os-release"
: >"$tmp/empty"
bad "an empty dump" "$VMLINUX" "$tmp/empty" "empty"
bad "a missing dump" "$VMLINUX" "$tmp/nonexistent" "nonexistent"
bad "a non-ELF vmlinux" /etc/os-release "$DUMP" "os-release"

# A dump cut short at several points opens and answers, or says what is
# wrong in one line; never a signal, never a hang.
size=$(stat -c %s "$DUMP")
for cut in 100 5000 70000 $((size / 3)) $((size - 1000)); do
	head -c "$cut" "$DUMP" >"$tmp/cut"
	timeout 60 "$KDIVE" "$VMLINUX" "$tmp/cut" -c help >/dev/null 2>"$tmp/cut.err"
	rc=$?
	check "dump cut at $cut bytes: exit 0 or 1 with at most one line" \
		eval '[ $rc -le 1 ] && [ "$(grep -c "" "$tmp/cut.err")" -le 2 ]'
done


# The runner: a command line of any length is run whole, and every
# command's usage errors are one line, "kdive: CMD: ...".
pids=$(yes 1 | head -2000 | paste -sd' ')
check "a line of 2,000 words: bt runs for each of them" \
	eval '[ "$(k "$VMLINUX" "$DUMP" -c "bt $pids" | grep -c "^PID: 1 ")" -eq 2000 ]'
for cmd in sys bt log ps mod sym; do
	timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "$cmd -Q" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	grep -v 'kernel relocated' "$tmp/err" >"$tmp/errors"
	check "$cmd -Q: exit 1, one line \"kdive: $cmd: bad option -Q (usage: $cmd ...)\", no output" \
		eval '[ $rc -eq 1 ] && [ "$(wc -l <"$tmp/errors")" -eq 1 ] && ! [ -s "$tmp/out" ] &&
			grep -q "^kdive: $cmd: bad option -Q (usage: $cmd" "$tmp/errors"'
done
timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "mod -s" >"$tmp/out" 2>"$tmp/err"
check "mod -s without its argument: one line saying so" \
	grep -q "^kdive: mod: option -s needs an argument (usage: mod" "$tmp/err"

finish
