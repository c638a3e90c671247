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

# crash's prompt habits: eval, alias, !cmd and ~/.kdiverc
s1() { timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "$1" 2>"$tmp/err"; }
check "eval 0x10 * 4k: crash's four lines, 64KB" eval '[ "$(s1 "eval 0x10 * 4k")" = "hexadecimal: 10000  (64KB)
    decimal: 65536
      octal: 200000
     binary: $(printf "%047d1%016d" 0 0)" ]'
check "eval: C's precedence, parentheses, suffixes, -1 signed, hex/octal/binary numbers" eval '
	s1 "eval 2 + 3 * 4" | grep -qx "    decimal: 14" && s1 "eval (2 + 3) * 4" | grep -qx "    decimal: 20" &&
	s1 "eval 1m / 1k" | grep -qx "    decimal: 1024" && s1 "eval -1" | grep -qx "    decimal: 18446744073709551615  (-1)" &&
	s1 "eval 0xff & 0b1010 + 0o7 - 017" | grep -qx "    decimal: 2"'
s1 "eval 1 / 0" >/dev/null
check "eval 1 / 0: one line" eval 'grep -v "kernel relocated" "$tmp/err" | grep -qx "kdive: eval: division by zero"'
check "alias: the alias runs its command, the words after it follow, alias lists it" eval '
	[ "$(s1 "alias p1 ps -p; p1 1")" = "$(s1 "ps -p 1")" ] && s1 "alias p1 ps -p; alias" | grep -qx "p1           ps -p"'
s1 "alias a1 a2; alias a2 a1; a1" >/dev/null
check "an alias loop: refused in one line" eval 'grep -q "^kdive: alias a1: a loop" "$tmp/err"'
s1 "alias bt ps" >/dev/null
check "an alias with a command's name: refused" eval 'grep -q "^kdive: alias: bt is a command" "$tmp/err"'
# the prompt itself, through a pseudo-terminal: ~/.kdiverc (with a line
# that fails), an alias from it, a shell escape
mkdir -p "$tmp/home"
printf 'alias pid1 ps 1
nosuchcommand
' >"$tmp/home/.kdiverc"
printf 'pid1
!echo from-the-shell
q
' |
	HOME=$tmp/home timeout 120 script -qec "$KDIVE $VMLINUX $DUMP" /dev/null >"$tmp/tty" 2>&1
check "the prompt: ~/.kdiverc's alias runs, its bad line is one line, !echo runs the shell" eval '
	tr -d "\r" <"$tmp/tty" >"$tmp/tty.txt" && grep -qE "^ +1 +0 +[0-9]+ +[0-9a-f]+ +IN .* init$" "$tmp/tty.txt" &&
	grep -qx "from-the-shell" "$tmp/tty.txt" && [ "$(grep -c "nosuchcommand" "$tmp/tty.txt")" -eq 1 ]' ||
	sed 's/^/# /' "$tmp/tty.txt"

finish
