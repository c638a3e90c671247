#!/usr/bin/env bash
# The prompt's crash habits, typed on a pseudo-terminal (pty_drive.py):
# the pager for output longer than the screen (and its failure), set
# scroll, -s, Ctrl-C during a long command and at the prompt, repeat, and
# Tab completion; and set's settings, which need no terminal.
set -u
. "$(dirname "$0")/lib.sh"
load_lab 6.1
DUMP=$LAB/many-tasks/vmcore.zlib
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT; [ -n "${KEEP:-}" ] && trap - EXIT && echo "# $tmp"
mkdir -p "$tmp/home"
ntasks=$(grep -c . "$LAB/many-tasks/ps.txt")

# drive NAME [kdive options] < steps: the transcript in $tmp/NAME (the
# default pager whatever the environment's PAGER, unless DRIVE_PAGER)
drive() {
	local name=$1; shift
	HOME=$tmp/home env -u PAGER ${DRIVE_PAGER:+PAGER=$DRIVE_PAGER} timeout 300 "$here/pty_drive.py" --rows "${ROWS:-24}" "$tmp/$name" -- "$KDIVE" "$@" "$VMLINUX" "$DUMP" \
		2>"$tmp/$name.err"
}
here=$(cd "$(dirname "$0")" && pwd)
# the lines between "kdive> CMD" and the next prompt
between() { awk -v c="kdive> $2" 'index($0, c) { on = 1; next } on && /kdive> / { exit } on' "$tmp/$1"; }
last_log_line=$(timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c log 2>/dev/null | tail -1)

drive pager <<'STEPS'
expect kdive> 
send log\n
expect -- MORE --
send q
expect kdive> 
send sys\n
expect RELEASE
expect kdive> 
send eval 0x10 * 4k\n
expect binary
expect kdive> 
send q\n
STEPS
check "eval 0x10 * 4k at the prompt: 0x10000, 64KB, 65536" eval '
	between pager "eval 0x10 * 4k" | grep -q "^hexadecimal: 10000  (64KB)$" &&
	between pager "eval 0x10 * 4k" | grep -q "^    decimal: 65536$"'
check "log longer than the screen: less with -- MORE --; q leaves it, no error, the session goes on" eval '
	grep -q -- "-- MORE --" "$tmp/pager" && ! grep -q "interrupted" "$tmp/pager" && grep -q "RELEASE: " "$tmp/pager" &&
	! grep -qF -- "$last_log_line" "$tmp/pager"' || sed 's/^/# /' "$tmp/pager.err"
check "sys at the start (shorter than the screen): no pager" eval '
	awk "/^kdive> / { exit } { print }" "$tmp/pager" | grep -q "RELEASE: " && ! awk "/^kdive> / { exit } { print }" "$tmp/pager" | grep -q -- "-- MORE --"'

DRIVE_PAGER=/nonexistent/pager drive nopager <<'STEPS'
expect kdive> 
send log\n
expect kdive> 
send q\n
STEPS
check "a pager that cannot start: one line, the whole output printed directly" eval '
	[ "$(grep -c "pager (/nonexistent/pager) did not start; printing directly" "$tmp/nopager")" -eq 1 ] &&
	grep -qF -- "$last_log_line" "$tmp/nopager"'

drive scroll <<'STEPS'
expect kdive> 
send set scroll off\n
expect scroll: off
send log\n
expect kdive> 
send q\n
STEPS
check "set scroll off: log printed whole, no pager" eval '
	! grep -q -- "-- MORE --" "$tmp/scroll" && grep -qF -- "$last_log_line" "$tmp/scroll"'

drive silent -s <<'STEPS'
expect kdive> 
send log\n
expect kdive> 
send q\n
STEPS
check "-s: no sys banner, no pager" eval '
	! grep -q "RELEASE: " "$tmp/silent" && ! grep -q -- "-- MORE --" "$tmp/silent" && grep -qF -- "$last_log_line" "$tmp/silent"'

# Ctrl-C while foreach bt writes to a terminal the test does not read: the
# command is blocked in its output, the interrupt cannot come too late.
drive ctrlc -s <<STEPS
expect kdive> 
send foreach bt\\n
expect PID:
send \\x03
expect kdive> 
send ps > $tmp/ps.after\\n
expect kdive> 
send ps 1\\n
expect kdive> 
send unfinished line
expect unfinished line
send \\x03
expect \nkdive> $
send sys\\n
expect RELEASE
expect kdive> 
send q\\n
STEPS
shown=$(grep -c "^PID:" "$tmp/ctrlc")
check "Ctrl-C during foreach bt ($ntasks tasks): it stops ($shown shown), one line, the session goes on" eval '
	[ "$shown" -ge 1 ] && [ "$shown" -lt $((ntasks / 2)) ] && [ "$(grep -c "^kdive: foreach: interrupted$" "$tmp/ctrlc")" -eq 1 ] &&
	between ctrlc "ps 1" | grep -qE "^ +1 +0 .* init$"' || sed 's/^/# /' "$tmp/ctrlc" | tail -20
check "after the interrupted walk, ps lists every task again" eval '[ "$(grep -c "" "$tmp/ps.after")" -ge "$ntasks" ]'
check "Ctrl-C at the prompt drops the line, the session goes on" eval '
	grep -q "kdive> unfinished line" "$tmp/ctrlc" && ! grep -q "unfinished: no such command" "$tmp/ctrlc" &&
	! grep -q "kdive> unfinished linesys" "$tmp/ctrlc" && grep -q "RELEASE: " "$tmp/ctrlc"'

drive repeat -s <<'STEPS'
expect kdive> 
send repeat -1 sys\n
expect UPTIME(.|\n)*UPTIME
send \x03
expect kdive> 
send sys\n
expect kdive> 
send q\n
STEPS
check "repeat -1 sys: runs again and again, straight to the terminal; Ctrl-C ends it without an error" eval '
	[ "$(between repeat "repeat -1 sys" | grep -c "UPTIME:")" -ge 2 ] && ! grep -q "^kdive: repeat" "$tmp/repeat" &&
	! grep -q -- "-- MORE --" "$tmp/repeat" && [ "$(between repeat sys | grep -c "UPTIME:")" -eq 1 ]' ||
	sed 's/^/# /' "$tmp/repeat" | tail -5

# Tab. (After Ctrl-C the steps wait for the new prompt, as a person
# would: keys typed before it reach the terminal before libedit does.)
# The PIDs that start like the last one's first digits: what Tab
# Tab lists after bt.
last=$(awk 'NR > 1 { print $1 }' "$LAB/many-tasks/ps.txt" | sort -n | tail -1)
prefix=${last%?}
awk -v p="$prefix" 'NR > 1 && index($1, p) == 1 { print $1 }' "$LAB/many-tasks/ps.txt" | sort -u >"$tmp/pids"
ROWS=200 drive tab -s <<STEPS
expect kdive> 
send struct task_\t\t
expect task_struct
expect kdive> struct task_
send stru\t\n
expect SIZE:
send struct task_struct.stack_canar\t\n
expect SIZE:
send struct task_struct.pi_\t\t
expect task_struct.pi_waiters
send \x03
expect \nkdive> $
send p init_task.stack_can\t\n
expect kdive> 
send p init_task.real_parent.co\t\t
expect compat_robust_list
send \x03
expect \nkdive> $
send struct task_struct.mm.\t\t
sleep 1
send \x03
expect \nkdive> $
send hel\t\n
expect kdive> 
send bt -\t\t
expect --json
send \x03
expect \nkdive> $
send bt $prefix\t\t
expect $last
send \x03
expect \nkdive> $
send hel\t\n
expect kdive> 
send set sc\t\n
expect kdive> 
send q\n
STEPS
# the listing after "struct task_", up to the prompt again
awk '/kdive> struct task_/ { on = 1; next } on && /kdive> / { exit } on' "$tmp/tab" | tr -s ' ' '\n' | grep . >"$tmp/listed"
check "Tab Tab: struct task_ lists the struct names (task_struct, no functions); task_stru completes it" eval '
	grep -qx task_struct "$tmp/listed" && grep -qx task_group "$tmp/listed" && ! grep -qx task_curr "$tmp/listed" &&
	grep -q "^struct task_struct {" "$tmp/tab"'
check "Tab: struct task_struct.stack_canar -> the member" grep -q "unsigned long stack_canary;" "$tmp/tab"
check "Tab Tab: struct task_struct.pi_ lists the members" eval '
	grep -q "task_struct.pi_lock" "$tmp/tab" && grep -q "task_struct.pi_waiters" "$tmp/tab"'
check "Tab: p init_task.stack_can -> init_task.stack_canary, printed" \
	eval 'between tab "p init_task.stack_can" | grep -qE "^.?[0-9]+ = [0-9]+$"'
check "Tab Tab: p init_task.real_parent.co lists through the pointer (comm, compat_robust_list)" eval '
	grep -q "^init_task.real_parent.comm " "$tmp/tab" && grep -q "^init_task.real_parent.compat_robust_list" "$tmp/tab"'
check "Tab Tab: struct task_struct.mm. offers nothing (a type's path does not follow pointers)" eval '
	[ "$(awk "/kdive> struct task_struct.mm./ { on = 1; next } on && /kdive> / { exit } on" "$tmp/tab" | grep -c .)" -eq 0 ]'
check "Tab Tab: bt - lists bt's options" eval 'grep -q -- "--json" "$tmp/tab" && grep -qE -- "(^| )-a( |\$)" "$tmp/tab"'
missing=$(awk '/kdive> bt '"$prefix"'/ { on = 1; next } on && /kdive> / { exit } on' "$tmp/tab" | tr -s ' ' '\n' | grep . |
	sort -u | comm -13 - "$tmp/pids" | paste -sd' ')
check "Tab Tab: bt $prefix lists the $(wc -l <"$tmp/pids") PIDs starting so${missing:+ (missing: $missing)}" test -z "$missing"
check "Tab: hel -> help" grep -q "^  sys " "$tmp/tab"
check "Tab: set sc -> set scroll (set's settings complete)" grep -q "^ *scroll: off" "$tmp/tab"

drive pipe -s <<'STEPS'
expect kdive> 
send repeat -1 sys | grep UPTIME\n
expect UPTIME(.|\n)*UPTIME
send \x03
sleep 1
send sys\n
expect RELEASE
expect kdive> 
send q\n
STEPS
check "Ctrl-C during repeat -1 sys | grep: the pipeline ends, the session goes on" eval '
	between pipe sys | grep -q "RELEASE: " && ! grep -q "died of signal" "$tmp/pipe.err"'

# set: the settings, without a terminal
k() { timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "$1" 2>"$tmp/set.err"; }
k "set" >"$tmp/set"
check "set: the context task, then scroll, radix, debuginfod, source" eval '
	grep -q "^    PID: " "$tmp/set" && grep -q "^        scroll: on" "$tmp/set" && grep -q "^         radix: 10 (decimal)" "$tmp/set" &&
	grep -q "^    debuginfod: " "$tmp/set" && grep -q "^        source: .*/usr/src/linux-source-6.1.tar.xz$" "$tmp/set"'
k "set scroll off; set radix 16; set source $tmp; set -v" >"$tmp/set2"
check "set scroll off, radix 16, source DIR: each said, then set -v shows them" eval '
	[ "$(grep -c "scroll: off" "$tmp/set2")" -eq 2 ] && [ "$(grep -c "radix: 16 (hex)" "$tmp/set2")" -eq 2 ] &&
	grep -q "^        source: $tmp, " "$tmp/set2" && ! grep -q "PID:" "$tmp/set2"'
jiffies=$(k "p -d jiffies" | sed -E "s/.* = //")
check "set radix 16: p prints hex ($jiffies), p -d decimal still" eval '
	[ "$(k "set radix 16; p jiffies" | tail -1 | sed -E "s/.* = //")" = "$(printf "0x%x" "$jiffies")" ] &&
	[ "$(k "set radix 16; p -d jiffies" | tail -1 | sed -E "s/.* = //")" = "$jiffies" ]'
k "set radix 8" >/dev/null
check "set radix 8: refused, saying what it takes" grep -q "radix takes 10 or 16" "$tmp/set.err"
check "set --json: scroll, radix, source_dirs" eval 'k "set --json" | python3 -c "
import json, sys
d = json.load(sys.stdin)
assert d[\"scroll\"] is True and d[\"radix\"] == 10 and d[\"source_dirs\"] == [] and d[\"source_package\"].endswith(\".tar.xz\")"'

finish
