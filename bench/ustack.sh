#!/usr/bin/env bash
# Benchmark: user-space backtraces. Naming a 20-frame trace in-process
# with kd_backtrace_print (the first time: libdwfl reads the debug info;
# after: kept) against glibc's backtrace_symbols (names only, no file:line,
# needs -rdynamic); and another process's stacks, kdive ustack against
# eu-stack -p (elfutils) and gdb's thread apply all bt, on the ustack
# test program (4 threads). libbacktrace is not packaged in Debian 12
# (no libbacktrace-dev): not compared. Not a test.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
KDIVE=${KDIVE_BIN:-$REPO/build/kdive}
[ -x "$KDIVE" ] || make -C "$REPO" -s
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && { kill -9 "$pid"; wait "$pid"; } 2>/dev/null; rm -rf "$tmp"' EXIT
libs=$(pkg-config --libs libdw libelf libbpf libedit zlib lzo2 snappy libzstd liblzma libdebuginfod)
gcc -g -O1 -rdynamic -I"$REPO/include" -o "$tmp/trace20" "$REPO/bench/ustack/trace20.c" "$REPO/build/libkdive.a" \
	$libs -lopcodes -liberty -lpthread
read -r n first after glibc < <("$tmp/trace20")
awk -v n="$n" -v f="$first" -v a="$after" -v g="$glibc" 'BEGIN {
	printf "%-34s kdive %8.3f ms | after: %7.3f ms | glibc backtrace_symbols %7.3f ms (names only, no file:line: kdive takes %.0fx its time for them)\n",
		"name a " n "-frame trace (first)", f * 1000, a * 1000, g * 1000, (g > 0 ? a / g : 0) }'

src=$REPO/tests/ustack
gcc -g -O1 -fPIC -shared -o "$tmp/libkdtest.so" "$src/lib.c"
g++ -g -O1 -c -o "$tmp/cxx.o" "$src/cxx.cpp"
gcc -g -O1 -o "$tmp/prog" "$src/prog.c" "$tmp/cxx.o" -L"$tmp" -lkdtest -Wl,-rpath,"$tmp" -lpthread -lstdc++
"$tmp/prog" >"$tmp/ready" &
pid=$!
for _ in $(seq 100); do grep -q ready "$tmp/ready" 2>/dev/null && break; sleep 0.1; done
measure() { /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >/dev/null 2>&1 || true; tail -n 1 "$tmp/time"; }
set -- $(measure "$KDIVE" ustack "$pid") $(measure eu-stack -i -s -p "$pid") $(measure gdb -p "$pid" -batch -ex "thread apply all bt")
awk -v kt="$1" -v km="$2" -v et="$3" -v em="$4" -v gt="$5" -v gm="$6" 'BEGIN {
	printf "%-34s kdive %6.3f s %6.1f MiB | eu-stack -i -s %6.3f s %6.1f MiB (%.1fx) | gdb %6.3f s %6.1f MiB (%.1fx)\n",
		"ustack PID (4 threads, libc dbg)", kt, km / 1024, et, em / 1024, (kt > 0 ? et / kt : 0), gt, gm / 1024, (kt > 0 ? gt / kt : 0) }'
