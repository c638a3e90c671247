#!/usr/bin/env bash
# kdive decode on bad input: it never crashes or hangs, says in one line
# what is wrong, and still passes the log through.
set -u
. "$(dirname "$0")/lib.sh"
load_lab 6.1
V61=$VMLINUX KO=$MODULE_KO CONSOLE=$LAB/oops-module/console.log
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

run() { # name, args... (stdin from $IN); rc in $tmp/NAME.rc
	local name=$1; shift
	timeout 60 "$KDIVE" decode "$@" <"$IN" >"$tmp/$name.out" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
}
rc_is() { test "$(cat "$tmp/$1.rc")" = "$2"; }
one_line() { test "$(grep -c '' "$tmp/$1.err")" -eq 1; }

IN=/dev/null run empty "$V61"
check "empty log: exit 0, no output" eval 'rc_is empty 0 && test ! -s "$tmp/empty.out"'

head -c 300000 "$V61" >"$tmp/garbage"
IN=$tmp/garbage run garbage "$V61"
check "binary garbage: exit 0, bytes pass through" eval 'rc_is garbage 0 && cmp -s "$tmp/garbage" "$tmp/garbage.out"'

# the kernel's own lines (a timestamp first), each cut inside its frame
grep -a '^\[ *[0-9]' "$CONSOLE" | cut -c1-37 >"$tmp/cut"
IN=$tmp/cut run cut "$V61" auto "$(dirname "$KO")"
check "lines cut mid-frame: exit 0, every line passes through" eval 'rc_is cut 0 && subsequence "$tmp/cut" "$tmp/cut.out"'

IN=$CONSOLE run nomod "$V61"
check "missing module: exit 0" rc_is nomod 0
check "missing module: one line naming the module and the package" \
	eval 'one_line nomod && grep -q "no debug info for module kernel_call_trace.*-dbg" "$tmp/nomod.err"'
check "missing module: kernel frames still decoded" grep -qE 'do_init_module\+0x[0-9a-f]+/0x[0-9a-f]+ \(kernel/' "$tmp/nomod.out"

IN=$CONSOLE run notelf /etc/os-release auto "$(dirname "$KO")"
check "non-ELF vmlinux: one line, exit 0" eval 'rc_is notelf 0 && one_line notelf && grep -q "not a readable ELF" "$tmp/notelf.err"'
grep -v "\[$MODULE_NAME\]" "$CONSOLE" >"$tmp/kernel-lines"
check "non-ELF vmlinux: kernel lines pass through unchanged" subsequence "$tmp/kernel-lines" "$tmp/notelf.out"

head -c 4000000 "$V61" >"$tmp/vmlinux.cut"
IN=$CONSOLE run cutelf "$tmp/vmlinux.cut"
check "truncated vmlinux: exit 0, says so, log passes through" \
	eval 'rc_is cutelf 0 && test -s "$tmp/cutelf.err" && subsequence "$CONSOLE" "$tmp/cutelf.out"'

load_lab 6.12
IN=$CONSOLE run other "$VMLINUX" auto "$(dirname "$KO")"
check "vmlinux of another kernel: one line naming both releases" \
	eval 'rc_is other 0 && grep -q "does not match this log" "$tmp/other.err" && grep -q "$ABI" "$tmp/other.err"'
check "vmlinux of another kernel: kernel frames left as they are" \
	eval '! grep -qE "do_init_module\+0x[0-9a-f]+/0x[0-9a-f]+ \(" "$tmp/other.out"'

finish
