#!/usr/bin/env bash
# l, gdb list and dis -s against the source package the kernel was built
# from: Debian's linux-source-6.1 tarball (the lab's 6.1 kernel is the same
# Debian revision), read in place, must give the lines tar extracts, at the
# file and line eu-addr2line names. A module's source through --source and
# `set source`; without any source, one line naming the package.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

load_lab 6.1
DUMP=$LAB/sysrq/vmcore.elf
tarball=/usr/src/linux-source-6.1.tar.xz
k() { timeout 120 "$KDIVE" --sysroot / "$VMLINUX" "$DUMP" -c "$1" 2>"$tmp/err"; }

if [ ! -f "$tarball" ]; then
	not_ok "linux-source-6.1 is installed (scripts/install-deps installs it)"
	finish
	exit 1
fi
release_rev=$(tr -d '\r' <"$LAB/sysrq/console.log" | grep -m1 -o 'Debian 6\.1\.[0-9]*-[0-9]*' | cut -d' ' -f2)
pkg_rev=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null)
echo "# kernel built from $release_rev, linux-source-6.1 $pkg_rev"

# the panic task's frames, as FUNC+OFF
k bt | sed -nE 's/^ ?#[0-9]+ \[[0-9a-f]+\] ([a-z_0-9.]+) at ([0-9a-f]+)$/\1 \2/p' >"$tmp/frames"
text_run=$(k "sym _text" | awk '{ print $1 }')
text_link=$(nm "$VMLINUX" | awk '$3 == "_text" { print $1 }')
: >"$tmp/want"
while read -r fn addr; do
	[ "$fn" = machine_kexec ] && continue
	loc=$(eu-addr2line -e "$VMLINUX" "0x$(printf %x $((0x$addr - 0x$text_run + 0x$text_link)))" | sed -E 's/:([0-9]+):[0-9]+$/:\1/')
	echo "$fn $addr $loc" >>"$tmp/want"
done <"$tmp/frames"
head -4 "$tmp/want" | sed 's/^/# /'
# every file named, out of the tarball once
files=$(awk '{ print $3 }' "$tmp/want" | sed -E 's/:[0-9]+.*//; s|^debian/build/build_amd64_none_cloud-amd64/||' | sort -u)
(cd "$tmp" && tar -xJf "$tarball" $(for f in $files; do echo "linux-source-6.1/$f"; done) 2>/dev/null)

checked=0
while read -r fn addr loc; do
	file=${loc%%:*} line=${loc#*:}; line=${line%%:*}
	rel=${file#debian/build/build_amd64_none_cloud-amd64/}
	[ -f "$tmp/linux-source-6.1/$rel" ] || continue
	k "l *0x$addr" >"$tmp/out"
	{ printf '0x%s is in %s (%s:%s).\n' "$addr" "$fn" "$file" "$line"
	  awk -v a=$((line - 5)) -v b=$((line + 4)) 'NR >= a && NR <= b { print NR "\t" $0 }' "$tmp/linux-source-6.1/$rel"; } >"$tmp/expect"
	check "l *0x$addr ($fn): $rel:$line and the ten lines around it, as in the tarball" diff -u "$tmp/expect" "$tmp/out"
	k "dis -s 0x$addr" >"$tmp/out"
	check "dis -s 0x$addr ($fn): FILE, LINE and the lines, $line marked" eval '
		[ "$(sed -n 1p "$tmp/out")" = "FILE: $file" ] && [ "$(sed -n 2p "$tmp/out")" = "LINE: $line" ] &&
		[ "$(grep -c "^\*" "$tmp/out")" -eq 1 ] && grep -q "^\* *$line  " "$tmp/out" &&
		diff <(tail -n +4 "$tmp/out" | sed -E "s/^[* ] +([0-9]+)  /\1\t/") <(tail -n +2 "$tmp/expect") >&2'
	checked=$((checked + 1))
	[ "$checked" -ge 4 ] && break
done <"$tmp/want"
check "source lines checked for $checked frames" test "$checked" -ge 3

first=$(awk 'NR == 1 { print $2 }' "$tmp/want")
k "l *0x$first; l" >"$tmp/out"
check "l without an argument goes on with the next ten lines" eval '
	[ "$(sed -n 12p "$tmp/out" | cut -f1)" -eq $(( $(sed -n 11p "$tmp/out" | cut -f1) + 1 )) ] && [ "$(wc -l <"$tmp/out")" -eq 21 ]'
k "gdb list *0x$first" >"$tmp/gdb"
check "gdb list *ADDR is l *ADDR" diff <(k "l *0x$first") "$tmp/gdb"
k "l sysrq_handle_crash" >"$tmp/out"
check "l FUNCTION: the lines around where it starts" grep -q "^[0-9]*	static void sysrq_handle_crash(int key)$" "$tmp/out"

# a module's source: --source DIR and set source DIR
DUMP=$LAB/oops-module/vmcore.elf
src=$(dirname "$(find "$MODULES_DIR" -name kdive_lab.c | head -1)")
timeout 60 "$KDIVE" --modules "$MODULES_DIR" --source "$src" "$VMLINUX" "$DUMP" -c "dis -s hanger" >"$tmp/out" 2>"$tmp/err"
line=$(sed -n 's/^LINE: //p' "$tmp/out")
check "dis -s of a module function with --source: its lines from kdive_lab.c" eval '
	[ -n "$line" ] && grep "^\*" "$tmp/out" | sed -E "s/^\* +[0-9]+  //" | diff - <(sed -n "${line}p" "$src/kdive_lab.c") >&2'
timeout 60 "$KDIVE" --modules "$MODULES_DIR" "$VMLINUX" "$DUMP" -c "set source $src; l *hanger" >"$tmp/out2" 2>"$tmp/err"
check "set source DIR, then l *hanger: the same file" grep -q "^$line	" "$tmp/out2"

# no source anywhere: one line, where it looked and the package
DUMP=$LAB/sysrq/vmcore.elf
for series in $LAB_SERIES; do
	load_lab "$series"
	timeout 60 "$KDIVE" "$VMLINUX" "$LAB/sysrq/vmcore.elf" -c "l *panic; dis -s panic; p 1" >"$tmp/out" 2>"$tmp/err"
	pkg=linux-source-$(echo "$series" | cut -d. -f1,2)
	check "$series, no source installed: l and dis -s say where they looked and name $pkg, the session goes on" eval '
		[ "$(grep -c "no source for .*looked in .*install $pkg" "$tmp/err")" -eq 2 ] && grep -q "= 1$" "$tmp/out"' ||
		cat "$tmp/err"
done
finish
