#!/usr/bin/env bash
# kdive kdump inside the lab's guests (6.1, 6.12) booted with crashkernel=:
# reserved but nothing loaded is NOT READY naming kexec -p and the
# service; loaded is ready; a dump directory without room is NOT READY
# naming the space; Debian's and RHEL's configurations are read; the
# makedumpfile in the guest (Debian 12's 1.7.2) is flagged on 6.12, where
# it drops the task_structs, not on 6.1. (Without crashkernel=: t_live.)
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
here=$(cd "$(dirname "$0")" && pwd)

for series in 6.1 6.12; do
	out=$tmp/$series
	KDIVE_LIVE_APPEND=crashkernel=256M live_run "$series" kdump.sh "$out" || continue
	check "$series: the guest reserved memory (truth: kexec_crash_size $(cat "$out/crash-size.txt"))" \
		test "$(cat "$out/crash-size.txt")" -gt 0
	check "$series: nothing loaded: NOT READY naming kexec -p, exit 1" eval '
		[ "$(cat "$out/notloaded.rc")" = 1 ] &&
		head -1 "$out/notloaded.txt" | grep -q "^NOT READY: not loaded (/sys/kernel/kexec_crash_loaded 0).*fix: .*kdump-tools.*kexec -p"' ||
		sed 's/^/# /' "$out/notloaded.txt"
	mib=$(($(cat "$out/crash-size.txt") >> 20))
	check "$series: ... its crashkernel line: crashkernel=256M, $mib MiB reserved" \
		grep -qE "^  crashkernel +ok +crashkernel=256M: $mib MiB reserved" "$out/notloaded.txt"
	check "$series: loaded (truth: kexec_crash_loaded $(cat "$out/loaded.txt")): ready, exit 0" eval '
		[ "$(cat "$out/loaded.txt")" = 1 ] && [ "$(cat "$out/ready.rc")" = 0 ] &&
		head -1 "$out/ready.txt" | grep -qE "^ready( \\(|$)" &&
		grep -qE "^  capture kernel +ok +loaded" "$out/ready.txt"' || sed 's/^/# /' "$out/ready.txt"
	free=$(awk '$NF == "/mnt/small" { print int($4 / 1024) }' "$out/df.txt")
	check "$series: a dump directory without room: NOT READY naming its free space ($free MiB, df), exit 1" eval '
		[ "$(cat "$out/full.rc")" = 1 ] &&
		head -1 "$out/full.txt" | grep -qE "^NOT READY: /mnt/small: $free MiB free, a dump takes up to [0-9]+ MiB.*fix: free"' ||
		sed 's/^/# /' "$out/full.txt"
	check "$series: --json: the verdict and the checks the text shows" python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); text = open(sys.argv[2]).read().splitlines()
assert d["ready"] is True and d["reason"] is None and d["dump_bytes"] > 0
rows = [l for l in text[1:] if not l.strip().startswith("fix:")]
assert len(rows) == len(d["checks"]), (len(rows), len(d["checks"]))
import re
num = lambda t: re.sub(r"[0-9]+", "N", t) # two runs: free memory moved in between
for c, l in zip(d["checks"], rows):
    assert l.strip().startswith(c["name"]) and c["status"] in l.lower(), (c, l)
    assert num(l.rstrip()).endswith(num(c["text"])), (c, l)' "$out/ready.json" "$out/ready.txt"
	check "$series: Debian's kdump-tools: its KDUMP_COREDIR checked, its dump level and config named" eval '
		[ "$(cat "$out/debian.rc")" = 1 ] &&
		grep -qE "^  service +ok +kdump-tools \\(/etc/default/kdump-tools\\): dumps to /mnt/small, collector \"-c -d 1\"" "$out/debian.txt" &&
		grep -qE "^  dump directory +FAIL +/mnt/small: .*dump level 1 " "$out/debian.txt"' || sed 's/^/# /' "$out/debian.txt"
	check "$series: USE_KDUMP=0: NOT READY naming it" \
		eval '[ "$(cat "$out/disabled.rc")" = 1 ] && grep -q "FAIL .*USE_KDUMP=0" "$out/disabled.txt"'
	check "$series: RHEL's kdump.conf: path and core_collector read" eval '
		[ "$(cat "$out/rhel.rc")" = 0 ] &&
		grep -qE "^  service +ok +kdump \\(/etc/kdump.conf\\): dumps to /mnt/big, collector \"makedumpfile -l --message-level 7 -d 31\"" "$out/rhel.txt"' ||
		sed 's/^/# /' "$out/rhel.txt"
	version=$(sed -n 's/.*version \([0-9.]*\).*/\1/p' "$out/makedumpfile-v.txt")
	if [ "$series" = 6.12 ]; then
		check "$series: makedumpfile $version (truth: makedumpfile -v) flagged: it drops 6.10+ slab pages at level 31" \
			grep -qE "^  makedumpfile +warn +$version with .*slab pages .* dropped at dump level 31" "$out/ready.txt"
	else
		check "$series: makedumpfile $version (truth: makedumpfile -v): no known problem" \
			grep -qE "^  makedumpfile +ok +$version, no known problem" "$out/ready.txt"
	fi
	check "$series: no makedumpfile: said as a warning without a service" \
		grep -qE "^  makedumpfile +warn +makedumpfile: not installed" "$out/nomakedumpfile.txt"
done
finish
