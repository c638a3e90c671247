#!/usr/bin/env bash
# debuginfod for a dump opened without its vmlinux: elfutils' own server
# on 127.0.0.1 serves the 6.1 lab's debug vmlinux and module .ko files;
# kdive finds them by the build-ids of the dump and of each module in it
# and then has source lines. A build-id the server lacks (404) or a server
# that is down is said in one line and kdive goes on with the dump's
# kallsyms, BTF and ORC; --no-debuginfod and `set debuginfod off` ask no
# server.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

if ! command -v debuginfod >/dev/null; then
	not_ok "the debuginfod server is installed (scripts/install-deps installs it)"
	finish
	exit 1
fi
load_lab 6.1
DUMP61=$LAB/oops-module/vmcore.zlib V61=$VMLINUX MODULES_DIR61=$MODULES_DIR
load_lab 6.12
DUMP612=$LAB/sysrq/vmcore.zlib
mkdir -p "$tmp/srv"
ln -s "$V61" "$tmp/srv/vmlinux"
MODS61=$MODULES_DIR61
for f in "$MODS61"/*.ko; do ln -s "$f" "$tmp/srv/"; done
port=$((20000 + RANDOM % 20000))
debuginfod -F -L -p "$port" -d "$tmp/db.sqlite" --disable-source-scan "$tmp/srv" >"$tmp/server.log" 2>&1 &
pid=$!
metrics() { exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3 && cat <&3; exec 3<&-; }
for _ in $(seq 120); do
	metrics 2>/dev/null | grep -q '^scanned_files_total{source="file"} [1-9][0-9]' && break
	sleep 0.5
done
export DEBUGINFOD_URLS=http://127.0.0.1:$port DEBUGINFOD_CACHE_PATH=$tmp/cache
timeout 120 "$KDIVE" "$DUMP61" -c "sys; bt -l" >"$tmp/out" 2>"$tmp/err"
check "6.1 dump alone: its vmlinux fetched by build-id, sys names it" \
	grep -q "^      KERNEL: $tmp/cache/[0-9a-f]*/debuginfo" "$tmp/out"
check "and bt -l has the vmlinux's source lines" grep -q '^    debian/build/.*\.c: [0-9]*$' "$tmp/out"
check "one line says it was looked up" eval '[ "$(grep -c "with debuginfod" "$tmp/err")" -eq 1 ] &&
	grep -q "looking up the debug vmlinux of 6.1.*with debuginfod" "$tmp/err"' || cat "$tmp/err"

timeout 120 "$KDIVE" "$V61" "$DUMP61" -c "mod; bt -l" >"$tmp/out" 2>"$tmp/err"
nmod=$(grep -c "^ffff" "$tmp/out")
check "6.1 modules: each one's debug .ko fetched by the build-id in its memory ($nmod), mod names them" eval '
	[ "$(grep -c "^ffff.* $tmp/cache/[0-9a-f]*/debuginfo\$" "$tmp/out")" -eq "$nmod" ]' || cat "$tmp/out"
check "... and bt -l has the crashing module's source line" grep -q '^    .*kernel_call_trace\.c: [0-9]*$' "$tmp/out"
check "... said in one line" eval '[ "$(grep -c "debuginfod: $nmod of $nmod modules" "$tmp/err")" -eq 1 ]' || cat "$tmp/err"
timeout 120 "$KDIVE" "$V61" "$DUMP61" -c "log -s" >"$tmp/out" 2>"$tmp/err"
check "log -s: the crashing module's RIP gets its line from the fetched .ko (called debuginfo)" \
	grep -qE "RIP: 0010:init_module\+0x[0-9a-f]+/0x[0-9a-f]+ \(.*kernel_call_trace\.c:[0-9]+\) \[kernel_call_trace\]" "$tmp/out"
timeout 120 "$KDIVE" "$V61" "$DUMP61" -c "set debuginfod off; mod" >"$tmp/out" 2>"$tmp/err"
check "set debuginfod off: no module asked" eval '! grep -q "debuginfod:" "$tmp/err" &&
	grep -q "^ *debuginfod: off" "$tmp/out" && ! grep -q "/debuginfo\$" "$tmp/out"' || cat "$tmp/out" "$tmp/err"
timeout 120 "$KDIVE" "$V61" "$DUMP61" -c "set debuginfod off; mod; set debuginfod on; mod" >"$tmp/out" 2>"$tmp/err"
check "set debuginfod on again: the modules still without debug info are asked for" \
	eval '[ "$(grep -c "^ffff.*/debuginfo\$" "$tmp/out")" -eq "$nmod" ]' || cat "$tmp/out" "$tmp/err"

timeout 120 "$KDIVE" "$DUMP612" -c "sys; bt" >"$tmp/out" 2>"$tmp/err"
check "6.12 dump the server does not have (404): one line, then the dump's own kallsyms, BTF, ORC" eval '
	grep -q "has no debug file for build-id.*going on with the dump" "$tmp/err" &&
	grep -q "KERNEL: (none: kallsyms, BTF and ORC from the dump)" "$tmp/out" && grep -q "^ #0 " "$tmp/out"' ||
	cat "$tmp/err"
# decode: a module's debug .ko by the build-id the log prints after its
# name (CONFIG_STACKTRACE_BUILD_ID's "[mod BUILD-ID]"; Debian's kernels do
# not set it, so the lab's console gets the module's real build-id put in)
mid=$(readelf -n "$MODS61/kernel_call_trace.ko" | awk '/Build ID/ { print $3 }')
sed "s/\[kernel_call_trace\]/[kernel_call_trace $mid]/" "$(dirname "$DUMP61")/console.log" >"$tmp/console"
timeout 120 "$KDIVE" decode "$V61" <"$tmp/console" >"$tmp/out" 2>"$tmp/err"
check "decode: the module's .ko fetched by the log's build-id, its frames get lines" eval '
	grep -qE "init_module\+0x[0-9a-f]+/0x[0-9a-f]+ \([^)]*kernel_call_trace\.c:[0-9]+\) \[kernel_call_trace $mid\]" "$tmp/out" &&
	! grep -q "no debug info for module kernel_call_trace" "$tmp/err"' || cat "$tmp/err"
timeout 120 "$KDIVE" decode --no-debuginfod "$V61" <"$tmp/console" >"$tmp/out" 2>"$tmp/err"
check "decode --no-debuginfod: not asked, the module said missing" eval '
	grep -q "no debug info for module kernel_call_trace" "$tmp/err" && ! grep -q "debuginfod (" "$tmp/err"'
timeout 120 "$KDIVE" --no-debuginfod "$DUMP612" -c "bt" >"$tmp/out" 2>"$tmp/err"
check "--no-debuginfod: not asked" eval '! grep -q debuginfod "$tmp/err" && grep -q "^ #0 " "$tmp/out"'

kill "$pid"; wait "$pid" 2>/dev/null; pid=
export DEBUGINFOD_CACHE_PATH=$tmp/cache2
timeout 120 "$KDIVE" "$DUMP61" -c "bt" >"$tmp/out" 2>"$tmp/err"; rc=$?
timeout 120 "$KDIVE" decode "$V61" <"$tmp/console" >/dev/null 2>"$tmp/derr"
check "decode, server down: one line for the module, which names the server (after the one saying it is asked)" eval '
	[ "$(grep -vc "^kdive: looking up the debug module kernel_call_trace (build-id $mid)" "$tmp/derr")" -eq 1 ] &&
	grep -q "no debug info for module kernel_call_trace.*127.0.0.1.*not asked again" "$tmp/derr"' ||
	cat "$tmp/derr"
check "server down: one line (the vmlinux's; the modules not asked), the dump alone, exit 0" eval '[ $rc -eq 0 ] &&
	[ "$(grep -c "going on with the dump" "$tmp/err")" -eq 1 ] && [ "$(grep -c "did not answer" "$tmp/err")" -eq 1 ] &&
	grep -q "not asked for either" "$tmp/err" && grep -q "^ #0 " "$tmp/out"' || cat "$tmp/err"

# a server that accepts and never answers: DEBUGINFOD_TIMEOUT, one line, the dump alone
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])' >"$tmp/hang.port" &
pid=$!
for _ in $(seq 50); do [ -s "$tmp/hang.port" ] && break; sleep 0.1; done
start=$(date +%s)
DEBUGINFOD_URLS=http://127.0.0.1:$(cat "$tmp/hang.port") DEBUGINFOD_TIMEOUT=2 \
	timeout 120 "$KDIVE" "$DUMP61" -c "bt" >"$tmp/out" 2>"$tmp/err"; rc=$?
took=$(($(date +%s) - start))
check "a server that hangs: given up after DEBUGINFOD_TIMEOUT (${took} s), one line, the dump alone, exit 0" eval '
	[ $rc -eq 0 ] && [ "$(grep -c "did not answer.*Timer expired" "$tmp/err")" -eq 1 ] && grep -q "^ #0 " "$tmp/out"' || cat "$tmp/err"
# the same server at the prompt: Ctrl-C stops the modules' fetch, the
# session goes on (and asks again at the next command)
start=$(date +%s)
printf '%s\n' 'expect kdive> ' 'send bt\n' 'sleep 3' 'send \x03' 'expect \nkdive> $' 'send sys\n' \
	'expect RELEASE' 'expect kdive> ' 'send q\n' |
	DEBUGINFOD_URLS=http://127.0.0.1:$(cat "$tmp/hang.port") DEBUGINFOD_TIMEOUT=100 HOME=$tmp \
	timeout 200 "$(dirname "$0")/pty_drive.py" "$tmp/tty" -- "$KDIVE" -s "$V61" "$DUMP61" 2>"$tmp/tty.err"
took=$(($(date +%s) - start))
check "Ctrl-C during a fetch from a server that hangs: the command stops (${took} s, not DEBUGINFOD_TIMEOUT's 100), the session goes on" eval '
	[ "$took" -lt 60 ] && grep -q "kdive: bt: interrupted" "$tmp/tty" && grep -q "RELEASE: " "$tmp/tty"' ||
	sed "s/^/# /" "$tmp/tty" "$tmp/tty.err"
kill "$pid"; wait "$pid" 2>/dev/null; pid=
finish
