#!/usr/bin/env bash
# User-space backtraces against gdb on the same process: `kdive ustack
# PID` on a program with three threads (a shared library frame, an
# inlined call, C++ frames, a thread stopped in a signal handler), the
# program's own kd_backtrace()/kd_backtrace_print() ("who called me?"),
# and the crash handler on a real SIGSEGV (the frames named, then the
# process dies by the signal). The truth is gdb's bt: the same functions,
# files and lines, frame for frame, in the test programs' sources.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
src=$REPO/tests/ustack

for tool in gdb g++; do
	command -v $tool >/dev/null || { not_ok "$tool is installed (scripts/install-deps installs it)"; finish; exit 1; }
done
# the programs link the plain library (the crash handler under ASan would
# be ASan's own SEGV handler's business); kdive itself is the suite's
lib=$REPO/build/libkdive.a
[ -f "$lib" ] || make -C "$REPO" -s >/dev/null
libs=$(pkg-config --libs libdw libelf libbpf libedit zlib lzo2 snappy libzstd liblzma libdebuginfod)
cd "$tmp" || exit 1
gcc -g -O1 -fPIC -shared -o libkdtest.so "$src/lib.c" &&
	g++ -g -O1 -c -o cxx.o "$src/cxx.cpp" &&
	gcc -g -O1 -o prog "$src/prog.c" cxx.o -L. -lkdtest -Wl,-rpath,"$tmp" -lpthread -lstdc++ &&
	gcc -g -O1 -I"$REPO/include" -o crash "$src/crash.c" "$lib" $libs -lopcodes -liberty -lpthread
check "the test programs build (gcc, g++, libkdive.a)" test -x prog -a -x crash

# Frames in the test sources only: "FUNC FILE:LINE" per line, per thread
# "== TID" (gdb: "Thread N (Thread 0x... (LWP TID) ..."; kdive: "Thread TID").
ours() {
	awk '/^Thread [0-9]+ / { print "== " $2; next }
	     /^#[0-9]+ / && / at / { f = $NF; sub(/.*\//, "", f); sub(/ \(\) at .*/, ""); sub(/^#[0-9]+ +0x[0-9a-f]+ in /, "")
	                             if (f ~ /^(prog\.c|lib\.c|cxx\.cpp|crash\.c):/) print $0 " " f }' "$1"
}
gdbs() {
	python3 -c '
import re, sys
for l in open(sys.argv[1]):
    m = re.match(r"Thread \d+ \(Thread 0x[0-9a-f]+ \(LWP (\d+)\)", l)
    if m: print("== " + m.group(1)); continue
    m = re.match(r"#\d+\s+(?:0x[0-9a-f]+ in )?(.+?) \(.*\) at (\S+):(\d+)$", l.strip())
    if m and re.search(r"(^|/)(prog\.c|lib\.c|cxx\.cpp|crash\.c)$", m.group(2)):
        print("%s %s:%s" % (m.group(1), m.group(2).split("/")[-1], m.group(3)))' "$1"
}
# the threads in TID order, each one's frames
by_tid() { awk '/^== / { t = $2; next } { print t, $0 }' | sort -s -n -k1,1; }

./prog >ready.txt &
pid=$!
for _ in $(seq 100); do grep -q ready ready.txt 2>/dev/null && break; sleep 0.1; done
timeout 60 "$KDIVE_REAL" ustack "$pid" >ustack.txt 2>ustack.err
rc=$?
timeout 120 gdb -p "$pid" -batch -ex "thread apply all bt" >gdb.txt 2>&1
check "ustack PID: exit 0, four threads" eval '[ $rc -eq 0 ] && [ "$(grep -c "^Thread " ustack.txt)" -eq 4 ]' ||
	sed 's/^/# /' ustack.err
ours ustack.txt | by_tid >ours.txt
gdbs gdb.txt | by_tid >gdb-frames.txt
check "ustack PID: every thread's frames in the program, library and C++ sources = gdb's bt ($(wc -l <gdb-frames.txt) frames)" \
	eval '[ -s gdb-frames.txt ] && diff gdb-frames.txt ours.txt >&2'
line() { grep -n "$2" "$src/$1" | head -1 | cut -d: -f1; }
check "... with the inlined call (inlined_step) and the library frame (lib_call)" eval '
	grep -q " inlined_step prog.c:$(line prog.c INLINED_CALL)$" ours.txt && grep -q " lib_call lib.c:$(line lib.c LIB_CALL)$" ours.txt'
check "... the C++ frames demangled (kd::Widget::spin, kd::twice<kd::Widget>)" eval '
	grep -q " kd::Widget::spin cxx.cpp:$(line cxx.cpp SPIN_BLOCK)$" ours.txt && grep -q " kd::twice<kd::Widget> cxx.cpp:" ours.txt'
check "... the thread in a signal handler: the handler, then the interrupted function past the signal frame" eval '
	grep -q " on_usr1 prog.c:$(line prog.c HANDLER_BLOCK)$" ours.txt && grep -q " interrupted prog.c:$(line prog.c INTERRUPTED)$" ours.txt'
setpriv --reuid=65534 --regid=65534 --clear-groups "$KDIVE_REAL" ustack "$pid" >/dev/null 2>perm.err; rc=$?
check "ustack of another user's process without the right: one line saying why, exit 1" eval '
	[ $rc -eq 1 ] && [ "$(grep -c "" perm.err)" -eq 1 ] && grep -q "cannot ptrace pid $pid" perm.err' ||
	sed 's/^/# /' perm.err
smashed=$(awk '/ smashed prog.c/ { print $1; exit }' ours.txt)
check "a stack whose return address was overwritten: the walk stops past smashed(), said, no loop" eval '
	[ -n "$smashed" ] && awk -v t="$smashed" "/^Thread / { on = \$2 == t } on" ustack.txt >smashed.txt &&
	grep -qE "^#[0-9]+ +0x4141414141414141 in \?\? \(\)$" smashed.txt && [ "$(grep -c "^#" smashed.txt)" -lt 10 ] &&
	grep -q "^(the walk stopped: " smashed.txt' || sed 's/^/# /' smashed.txt
tid=$(awk '/ interrupted prog.c/ { print $1; exit }' ours.txt)
timeout 60 "$KDIVE_REAL" ustack -t "$tid" "$pid" >one.txt 2>&1
check "ustack -t TID: that thread only" eval '[ "$(grep -c "^Thread " one.txt)" -eq 1 ] && grep -q "^Thread $tid " one.txt'
kill -9 "$pid"; wait "$pid" 2>/dev/null; pid=
timeout 60 "$KDIVE_REAL" ustack "$((1 << 22 + 7))" >/dev/null 2>gone.err; rc=$?
check "ustack of no such process: one line, exit 1" eval '[ $rc -eq 1 ] && [ "$(grep -c "" gone.err)" -eq 1 ] && grep -q "no process" gone.err'

# a stripped program: names from its symbol table, one line saying so
strip --strip-debug -o prog-stripped prog
./prog-stripped >ready2.txt &
pid=$!
for _ in $(seq 100); do grep -q ready ready2.txt 2>/dev/null && break; sleep 0.1; done
timeout 60 "$KDIVE_REAL" ustack "$pid" >stripped.txt 2>stripped.err
check "a program without debug info: its frames named from its symbol table, one line naming what to install" eval '
	grep -qE "^#[0-9]+ +0x[0-9a-f]+ in outer \(\) from .*/prog-stripped$" stripped.txt &&
	[ "$(grep -c "prog-stripped has no debug info" stripped.err)" -eq 1 ] && grep -q dbgsym stripped.err' ||
	sed 's/^/# /' stripped.err
# ... its debug info from debuginfod by build-id (elfutils' server on
# 127.0.0.1 serving the program's separate debug file)
if command -v debuginfod >/dev/null; then
	mkdir -p srv
	objcopy --only-keep-debug prog srv/prog.debug
	port=$((20000 + RANDOM % 20000))
	debuginfod -F -L -p "$port" -d db.sqlite srv >server.log 2>&1 &
	server=$!
	for _ in $(seq 120); do
		{ exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3 && cat <&3; exec 3<&-; } 2>/dev/null |
			grep -q '^scanned_files_total{source="file"} [1-9]' && break
		sleep 0.5
	done
	DEBUGINFOD_URLS=http://127.0.0.1:$port DEBUGINFOD_CACHE_PATH=$tmp/dcache timeout 60 "$KDIVE_REAL" ustack "$pid" >fetched.txt 2>fetched.err
	check "... fetched from debuginfod by build-id: the frames get their lines" \
		grep -qE "^#[0-9]+ +0x[0-9a-f]+ in outer \(\) at .*prog\.c:$(line prog.c OUTER_CALL)$" fetched.txt
	DEBUGINFOD_URLS=http://127.0.0.1:$port DEBUGINFOD_CACHE_PATH=$tmp/dcache2 timeout 60 "$KDIVE_REAL" ustack --no-debuginfod "$pid" >nofetch.txt 2>&1
	check "... --no-debuginfod: not asked" grep -qE "^#[0-9]+ +0x[0-9a-f]+ in outer \(\) from " nofetch.txt
	kill "$server"; wait "$server" 2>/dev/null
else
	not_ok "the debuginfod server is installed (scripts/install-deps installs it)"
fi
kill -9 "$pid"; wait "$pid" 2>/dev/null; pid=

# the crash handler: a real SIGSEGV
./crash "$KDIVE_REAL" >who.txt 2>crash.err
rc=$?
check "crash: the process dies by SIGSEGV (exit 139), the core dump's action kept" test $rc -eq 139
timeout 120 gdb -batch -ex run -ex bt --args ./crash "$KDIVE_REAL" >gdb-crash.txt 2>&1
sed -n '/^Program received signal SIGSEGV/,$p' gdb-crash.txt >gdb-fault.txt # not the program's own output
gdbs gdb-fault.txt >want.txt
ours crash.err >got.txt
check "crash: the handler's frames = gdb's bt at the fault (boom, step inlined, run, main)" eval '
	grep -q "^\*\*\* SIGSEGV (segmentation fault) at address 0x0 in pid" crash.err && [ -s want.txt ] &&
	diff want.txt got.txt >&2' || sed 's/^/# /' crash.err
timeout 120 gdb -batch -ex "break crash.c:$(line crash.c WHO_CAPTURE)" -ex run -ex bt --args ./crash "$KDIVE_REAL" >gdb-who.txt 2>&1
gdbs gdb-who.txt >want.txt
ours who.txt >got.txt
check "kd_backtrace_print: who called me = gdb's bt there (who_called, run, main)" eval '[ -s want.txt ] && diff want.txt got.txt >&2'
PATH=/usr/bin:/bin ./crash /nonexistent/kdive >/dev/null 2>nokdive.err
rc=$?
check "crash without kdive to name the frames: the raw addresses, still dies by SIGSEGV" eval '
	[ $rc -eq 139 ] && grep -q "kdive is not there" nokdive.err && grep -qE "^0x[0-9a-f]+$" nokdive.err'
finish
