#!/usr/bin/env bash
# kdive kdump list over a Debian-style and a RHEL-style /var/crash made
# from the lab's real dumps: complete, cut short (the name says so, or the
# file is truncated), flattened, a compressed copy, with and without the
# saved dmesg. Each field against the truth: the release the guest
# printed, sys's PANIC, PID and COMMAND on the same dump, the console's
# RIP function, the lab's dump level, the file's size; the debug vmlinux
# found by its build-id link (as -dbg packages ship them) or its package
# named; and the OPEN command, run, opens the dump.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
json() { local f=$1 prog=$2; shift 2; python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
$prog" "$f" "$@"; }

load_lab 6.1
L61=$LAB V61=$VMLINUX LEVEL61=$DUMP_LEVEL
load_lab 6.12
L612=$LAB
load_lab 5.10
L510=$LAB V510=$VMLINUX

deb=$tmp/deb rhel=$tmp/rhel
mkdir -p "$deb/202612030742" "$deb/202612030750" "$deb/202612030800" "$deb/202612030810"
ln -s "$L61/oops-module/vmcore.zlib" "$deb/202612030742/dump.202612030742"
cp "$L61/oops-module/vmcore-dmesg.txt" "$deb/202612030742/dmesg.202612030742"
head -c 8000000 "$L61/sysrq/vmcore.lzo" >"$deb/202612030750/dump-incomplete"
ln -s "$L612/sysrq/vmcore.flat" "$deb/202612030800/dump.202612030800" # no dmesg: the dump's own log
gzip -1 -c "$L61/sysrq/vmcore.zlib" >"$deb/202612030810/dump.202612030810.gz"
mkdir -p "$rhel/127.0.0.1-2026-12-03-07:42:15" "$rhel/127.0.0.1-2026-12-03-08:00:00"
ln -s "$L510/oops-module/vmcore.elf" "$rhel/127.0.0.1-2026-12-03-07:42:15/vmcore"
cp "$L510/oops-module/vmcore-dmesg.txt" "$rhel/127.0.0.1-2026-12-03-07:42:15/vmcore-dmesg.txt"
half=$(($(stat -c %s "$L510/sysrq/vmcore.zlib") / 2))
head -c "$half" "$L510/sysrq/vmcore.zlib" >"$rhel/127.0.0.1-2026-12-03-08:00:00/vmcore" # cut short
# the 6.1 debug vmlinux installed the way linux-image-*-dbg installs it
id61=$(readelf -n "$V61" | awk '/Build ID/ { print $3; exit }')
root=$tmp/root
mkdir -p "$root/usr/lib/debug/.build-id/${id61:0:2}"
ln -s "$V61" "$root/usr/lib/debug/.build-id/${id61:0:2}/${id61:2}.debug"

timeout 120 "$KDIVE" --sysroot "$root" kdump list "$deb" "$rhel" >"$tmp/list.txt" 2>"$tmp/list.err"; rc=$?
check "kdump list: exit 0, nothing on stderr" eval '[ $rc -eq 0 ] && [ ! -s "$tmp/list.err" ]'
timeout 120 "$KDIVE" --sysroot "$root" kdump list --json "$deb" "$rhel" >"$tmp/list.json" 2>/dev/null
check "kdump list --json: one entry per dump (6), the text's" json "$tmp/list.json" '
text = open(sys.argv[2]).read()
assert len(d["dumps"]) == 6, len(d["dumps"])
for e in d["dumps"]:
    assert e["dump"] + "\n" in text and "OPEN: " + e["command"] + "\n" in text, e' "$tmp/list.txt"
entry() { json "$tmp/list.json" "print(json.dumps([e for e in d['dumps'] if e['dump'] == sys.argv[2]][0]))" "$1" >"$tmp/e.json"; }
field() { python3 -c "import json, sys; v = json.load(open(sys.argv[1]))[sys.argv[2]]; print('' if v is None else v)" "$tmp/e.json" "$1"; }
sysf() { timeout 120 "$KDIVE_REAL" $1 "$2" -c sys 2>/dev/null | sed -n "s/^ *$3: //p" |
	sed -E 's/^"(.*)"( \(check log for details\))?$/\1/' | head -1; }

# Debian, complete, dmesg beside, its debug vmlinux installed by build-id
dp=$deb/202612030742/dump.202612030742
entry "$dp"
rip=$(console_rip "$L61/oops-module/console.log" | sed -E 's/^EXC ([^+]*)\+.*/\1/')
check "debian complete: release, panic, pid, comm as sys says; function the console's RIP ($rip)" eval '
	[ "$(field release)" = "$(cat "$L61/oops-module/release.txt")" ] &&
	[ "$(field panic)" = "$(sysf "$V61" "$dp" PANIC)" ] && [ "$(field pid)" = "$(sysf "$V61" "$dp" PID)" ] &&
	[ "$(field comm)" = "$(sysf "$V61" "$dp" COMMAND)" ] && [ "$(field function)" = "$rip" ] &&
	[ "$(field module)" = kernel_call_trace ]' || cat "$tmp/e.json"
check "debian complete: kdump-compressed zlib, dump level $LEVEL61, its size, complete, the dmesg file, the 2026-12-03 07:42 header date" eval '
	[ "$(field format)" = "kdump-compressed (zlib)" ] && [ "$(field dump_level)" = "$LEVEL61" ] &&
	[ "$(field size)" = "$(stat -L -c %s "$dp")" ] && [ "$(field complete)" = True ] &&
	[ "$(field log)" = "$deb/202612030742/dmesg.202612030742" ] && [ "$(field time_from)" = "kdump header" ]' || cat "$tmp/e.json"
check "debian complete: the debug vmlinux found by its build-id; OPEN names it" eval '
	[ "$(field vmlinux)" = "$V61" ] && [ "$(field vmlinux_by)" = build-id ] && [ "$(field command)" = "kdive $V61 $dp" ]'
cmd=$(field command)
check "... and that command opens the dump" eval '"$KDIVE_REAL" ${cmd#kdive } -c "sys" 2>/dev/null | grep -q "^ *PANIC: "'

# Debian, the capture did not finish (dump-incomplete), cut short
dp=$deb/202612030750/dump-incomplete
entry "$dp"
check "debian dump-incomplete: not complete, said in the text" eval '
	[ "$(field complete)" = False ] && grep -A6 -F "$dp" "$tmp/list.txt" | grep -q "INCOMPLETE (the capture did not finish)"'

# 6.12, flattened, no dmesg: read from the dump's own printk ring
dp=$deb/202612030800/dump.202612030800
entry "$dp"
check "6.12 flattened without dmesg: the dump's own log gives panic, pid, comm as sys says" eval '
	[ "$(field log)" = dump ] && [ "$(field format)" = "flattened kdump-compressed (zlib)" ] &&
	[ "$(field panic)" = "$(sysf "" "$dp" PANIC)" ] && [ "$(field pid)" = "$(sysf "" "$dp" PID)" ] &&
	[ "$(field release)" = "$(cat "$L612/sysrq/release.txt")" ]' || cat "$tmp/e.json"
check "6.12: no debug vmlinux installed: the package named, OPEN without one" eval '
	[ -z "$(field vmlinux)" ] && field package | grep -q "linux-image-$(cat "$L612/sysrq/release.txt")-dbg" &&
	[ "$(field command)" = "kdive $dp" ]'

# a compressed copy: listed, not read, the command decompresses first
dp=$deb/202612030810/dump.202612030810.gz
entry "$dp"
check "a gzip copy: listed with its size, the command gunzips first" eval '
	[ "$(field compressed)" = gz ] && [ "$(field size)" = "$(stat -c %s "$dp")" ] &&
	[ "$(field command)" = "gzip -dk $dp && kdive ${dp%.gz}" ]'

# RHEL: 5.10 ELF with vmcore-dmesg.txt; the date from the directory name
dp=$rhel/127.0.0.1-2026-12-03-07:42:15/vmcore
entry "$dp"
check "rhel 5.10 ELF: release, panic as sys says, the date from the directory name" eval '
	[ "$(field layout)" = rhel ] && [ "$(field format)" = "ELF vmcore" ] &&
	[ "$(field release)" = "$(cat "$L510/oops-module/release.txt")" ] &&
	[ "$(field panic)" = "$(sysf "$V510" "$dp" PANIC)" ] && [ "$(field time_from)" = "directory name" ] &&
	[ "$(field date)" = "2026-12-03 07:42:15" ]' || cat "$tmp/e.json"
dp=$rhel/127.0.0.1-2026-12-03-08:00:00/vmcore
entry "$dp"
check "rhel, a vmcore cut short: incomplete" eval '[ "$(field complete)" = False ]' || cat "$tmp/e.json"

# bad input: an unreadable directory is one line; an empty one says so
timeout 60 "$KDIVE" kdump list "$tmp/nonexistent" >/dev/null 2>"$tmp/err"; rc=$?
check "a directory that does not exist: one line, exit 1" eval '[ $rc -eq 1 ] && [ "$(grep -c "" "$tmp/err")" -eq 1 ]'
pub=$(mktemp -d); chmod 755 "$pub"
mkdir -p "$pub/secret/202612030742" && chmod 700 "$pub/secret"
setpriv --reuid=65534 --regid=65534 --clear-groups "$KDIVE_REAL" kdump list "$pub" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a directory below that cannot be read: one line naming it, the listing goes on (exit 0)" eval '
	[ $rc -eq 0 ] && [ "$(grep -c "" "$tmp/err")" -eq 1 ] && grep -q "$pub/secret: cannot read it" "$tmp/err"' ||
	sed 's/^/# /' "$tmp/err"
rm -rf "$pub"
mkdir "$tmp/empty"
check "an empty directory: says there are no dumps" eval '"$KDIVE" kdump list "$tmp/empty" | grep -qx "no dumps in $tmp/empty"'
finish
