#!/usr/bin/env bash
# --json on the lab's dumps: every document parses (python3's json), says
# what the text output says (ps rows, bt frames, triage signature), and a
# failure or a command without a JSON form is {"error": ...}.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

json() { python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
$2" "$1"; }
for series in $LAB_SERIES; do
	load_lab "$series"
	DUMP=$LAB/oops-module/vmcore.zlib
	label="$series oops-module/vmcore.zlib"
	k() { timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "$1" 2>/dev/null; }

	k "ps --json" >"$tmp/ps.json"
	k "ps" | tail -n +2 | sed 's/^>/ /' | awk '{ c = $9; gsub(/^\[|\]$/, "", c); print $1, $2, $3, $4, $5, c }' >"$tmp/ps.txt"
	check "$label: ps --json: the rows ps prints" eval '
		json "$tmp/ps.json" "for t in d[\"tasks\"]: print(t[\"pid\"], t[\"ppid\"], t[\"cpu\"], t[\"task\"], t[\"st\"], t[\"comm\"])" |
		diff "$tmp/ps.txt" - >&2'
	k "bt -l --json" >"$tmp/bt.json"
	k "bt" | sed -nE 's/^ ?#[0-9]+ \[[0-9a-f]+\] ([^ ]+) at ([0-9a-f]+).*/\1 \2/p' >"$tmp/bt.txt"
	check "$label: bt --json: bt's frames, each with its source line" eval '
		json "$tmp/bt.json" "
for f in d[\"tasks\"][0][\"frames\"]:
    if \"level\" in f: print(f[\"function\"], f[\"address\"])" | diff "$tmp/bt.txt" - >&2 &&
		json "$tmp/bt.json" "
fs = [f for f in d[\"tasks\"][0][\"frames\"] if \"level\" in f and f[\"module\"] is None]
assert all(isinstance(f.get(\"line\"), int) for f in fs), fs"'
	rip=$(k bt | sed -nE 's/^    \[exception RIP: ([a-z_]+)\+([0-9]+)\]$/\1 \2/p' | head -1)
	check "$label: bt --json: the exception frame, [exception RIP: $rip], its registers" eval '
		json "$tmp/bt.json" "
e = [f for f in d[\"tasks\"][0][\"frames\"] if f.get(\"exception\") == \"kernel\"][0]
print(e[\"function\"], e[\"offset\"]); assert e[\"module\"] == \"kernel_call_trace\" and len(e[\"registers\"]) == 21" |
		grep -qx "$rip"'
	k "bt -a --json" >"$tmp/bta.json"
	cpus=$(k sys | sed -n 's/^ *CPUS: \([0-9]*\).*/\1/p')
	check "$label: bt -a --json: one task per CPU ($cpus)" eval 'json "$tmp/bta.json" "print(len(d[\"tasks\"]))" | grep -qx "$cpus"'
	k "log --json" >"$tmp/log.json"
	k "log -t" >"$tmp/log.txt"
	check "$label: log --json: the records log prints, in order" eval '
		json "$tmp/log.json" "
import re
for r in d[\"records\"]: print(re.sub(r\"[^ -~\\s]\", \".\", r[\"text\"]))" | diff "$tmp/log.txt" - >&2'
	k "mod --json" >"$tmp/mod.json"
	check "$label: mod --json: mod's modules, bases and sizes" eval '
		json "$tmp/mod.json" "
for m in d[\"modules\"]: print(m[\"module\"], m[\"name\"], m[\"base\"], m[\"size\"])" |
		diff <(k mod | tail -n +2 | awk "{ print \$1, \$2, \$3, \$4 }") - >&2'
	k "foreach 1 2 bt --json" >"$tmp/fe.json"
	check "$label: foreach 1 2 bt --json: bt's document for those two" eval '
		json "$tmp/fe.json" "print(*[t[\"pid\"] for t in d[\"tasks\"]])" | grep -qx "1 2"'
	k "sys --json" >"$tmp/sys.json"
	k sys | sed -nE 's/^ *(CPUS|TASKS|RELEASE|MEMORY|PANIC|PID|COMMAND|TASK|CPU|STATE): //p' |
		sed -E 's/^"(.*)"( \(check log for details\))?$/\1/; s/^([0-9a-f]+)  .*/\1/; s/ \[OFFLINE.*//; s/ \((PANIC|SYSRQ)\)$//' >"$tmp/sys.txt"
	check "$label: sys --json: sys's fields (CPUS .. STATE)" eval '
		json "$tmp/sys.json" "
c = d[\"context\"]
for v in (d[\"cpus\"], d[\"tasks\"], d[\"release\"], d[\"memory\"], d[\"panic\"], c[\"pid\"], c[\"command\"], c[\"task\"], c[\"cpu\"], c[\"state\"]): print(v)
assert d[\"error\"] is None and d[\"uptime_s\"] >= 0 and len(d[\"load_average\"]) == 3" | diff "$tmp/sys.txt" - >&2'
	k "triage --json" >"$tmp/tr.json"
	check "$label: triage --json: the signature and kind triage prints" eval '
		[ "$(json "$tmp/tr.json" "print(d[\"signature\"], d[\"kind\"])")" = "$(k triage | awk "{ print \$1, \$2 }")" ]'
	k "sym panic schedule init_module --json" >"$tmp/sym.json" # modules' symbols too
	check "$label: sym --json: sym's lines" eval '
		json "$tmp/sym.json" "
for s in d[\"symbols\"]: print(s[\"address\"], \"(%s)\" % s[\"type\"], s[\"name\"] + (\"+0x%x\" % s[\"offset\"] if s[\"offset\"] else \"\") + (\" [%s]\" % s[\"module\"] if s[\"module\"] else \"\"))" |
		diff <(k "sym panic schedule init_module") - >&2'
	k "rd -s init_task 32 --json" >"$tmp/rd.json"
	check "$label: rd -s --json: the words and the symbols rd -s names" eval '
		json "$tmp/rd.json" "
print(*[w[\"symbol\"] + (\"+%d\" % w[\"offset\"] if w[\"offset\"] else \"\") if w[\"symbol\"] else \"%016x\" % int(w[\"value\"], 16) for w in d[\"words\"]])" |
		diff <(k "rd -s init_task 32" | sed "s/^[0-9a-f]*: *//" | tr -s " \n" " " | sed "s/ \$/\n/") - >&2'
	k "rd -a linux_banner 200 --json" >"$tmp/rda.json"
	check "$label: rd -a --json: the strings rd -a prints" eval '
		json "$tmp/rda.json" "for x in d[\"strings\"]: print(\"%s:  %s\" % (x[\"address\"], x[\"text\"]))" |
		diff <(k "rd -a linux_banner 200") - >&2'
	k "dis -l schedule --json" >"$tmp/dis.json"
	check "$label: dis -l --json: dis's instructions and their source lines" eval '
		json "$tmp/dis.json" "
last = None
for i in d[\"instructions\"]:
    if i[\"file\"] and \"%s: %d\" % (i[\"file\"], i[\"line\"]) != last:
        last = \"%s: %d\" % (i[\"file\"], i[\"line\"]); print(last)
    print(\"0x%s <%s%s>:\\t%s%s\" % (i[\"address\"], i[\"function\"], \"+%d\" % i[\"offset\"] if i[\"offset\"] else \"\", i[\"text\"], \" [FTRACE NOP]\" if i[\"ftrace_nop\"] else \"\"))" |
		diff <(k "dis -l schedule") - >&2'
	# the source tarball is a standard place: below / (k looks below an empty root)
	ks() { timeout 60 "$KDIVE" --sysroot / "$VMLINUX" "$DUMP" -c "$1" 2>/dev/null; }
	ks "l schedule --json" >"$tmp/l.json"
	if [ -e "/usr/src/linux-source-$series.tar.xz" ]; then
		check "$label: l --json: the lines l lists" eval '
			json "$tmp/l.json" "
assert d[\"function\"] == \"schedule\" and d[\"line\"] == d[\"lines\"][5][\"line\"]
for x in d[\"lines\"]: print(\"%d\\t%s\" % (x[\"line\"], x[\"text\"]))" | diff <(ks "l schedule") - >&2'
	else
		check "$label: l --json without linux-source-$series: the error l says" eval '
			json "$tmp/l.json" "print(d[\"error\"][\"message\"])" | grep -q "install linux-source-$series"'
	fi
	k "set --json" >"$tmp/set.json"
	check "$label: set --json: the context set shows" eval '
		json "$tmp/set.json" "c = d[\"context\"]; print(c[\"pid\"], c[\"command\"], c[\"task\"], c[\"cpu\"], c[\"state\"])" |
		diff <(k set | head -5 | sed -E "s/^ *[A-Z]+: //; s/^\"(.*)\"\$/\1/; s/  \[THREAD_INFO.*//" | paste -sd" ") - >&2'
done
load_lab 6.1
DUMP=$LAB/oops-module/vmcore.zlib
timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "ps --json 99999; help --json" >"$tmp/err.json" 2>/dev/null; rc=$?
check "a failure: {\"error\": ...}, exit 1; help --json: every command has a JSON form (repeat streams its command's)" eval '[ $rc -eq 1 ] &&
	python3 -c "import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
assert ls[0][\"error\"] == {\"command\": \"ps\", \"message\": \"invalid task or pid value: 99999\"}, ls
assert len(ls[1][\"commands\"]) > 25, ls[1]
print(*[c[\"name\"] for c in ls[1][\"commands\"] if not c[\"json\"]])" "$tmp/err.json" | grep -qx "repeat"'
timeout 60 "$KDIVE" --json "$VMLINUX" "$DUMP" -c "ps" >"$tmp/g.json" 2>/dev/null
check "kdive --json: the commands answer in JSON" json "$tmp/g.json" 'assert len(d["tasks"]) > 20'
timeout 120 "$KDIVE" triage --json "$LAB" >"$tmp/tr.jsonl" 2>/dev/null
check "kdive triage --json: one object per dump per line, the unreadable one an error" python3 -c "import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
assert len(ls) > 10 and sum('error' in l for l in ls) == 1 and all('signature' in l or 'error' in l for l in ls)" "$tmp/tr.jsonl"
finish
