#!/usr/bin/env bash
# --json of the value commands (p, struct, union, task, whatis, ptype) on
# the lab's dumps: every document parses without a repeated key and says
# what the same command's text says (each member's value, the layout's
# offsets, the per-CPU values), and the tasks' pid and comm are ps's.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# python3 over the JSON document in $1 (as d; one per line: ds); a key
# twice in one object fails it.
json() { python3 -c "import json, sys
def once(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), 'repeated key in %s' % keys
    return dict(pairs)
ds = [json.loads(l, object_pairs_hook=once) for l in open(sys.argv[1]) if l.strip()]
d = ds[0]
$2" "$1"; }

# The value's members as the text prints them ("name = value" lines, in
# order) against the JSON value at the path $3 of the document in $2:
# every scalar member, its name and its value, the text's spelling
# ("0xffff... <sym>" for a pointer, "65 'A'" for a char, "\"...\\000\""
# for a char array) read back.
same_members() { # text json path
	python3 - "$@" <<'EOF'
import json, re, sys
text, doc, path = open(sys.argv[1]).read(), json.load(open(sys.argv[2])), sys.argv[3]
v = doc
for p in path.split('/'):
    v = v[int(p)] if p.isdigit() else v[p]
want = []
for l in text.splitlines():
    m = re.match(r'^\s*(\w+) = (.*?),?$', l)
    if m and not m.group(2).startswith(('{{', '{<')) and m.group(2) != '{':
        want.append((m.group(1), m.group(2)))
got = []
def walk(key, x):
    if isinstance(x, dict):
        for k, y in x.items():
            walk(k, y)
    elif isinstance(x, list) and any(isinstance(y, (dict, list)) for y in x):
        for y in x:
            walk(None, y)
    elif key is not None:
        got.append((key, x))
walk(None, v)
def unc(s):  # a C string literal's bytes up to the first NUL
    b = re.sub(r'\\([0-7]{1,3}|.)', lambda m: chr(int(m.group(1), 8)) if m.group(1)[0] in '01234567'
               else {'n': '\n', 't': '\t', 'r': '\r', 'a': '\a', 'b': '\b', 'f': '\f', 'v': '\v'}.get(m.group(1), m.group(1)), s[1:-1])
    return b.split('\0')[0]
def same(t, j):
    if isinstance(j, bool):
        return t == ('true' if j else 'false')
    if isinstance(j, int):
        return t.split()[0] == str(j)
    if isinstance(j, list):
        ts = t[1:-1].split(', ') if t.startswith('{') and t.endswith('}') else []
        return len(ts) == len(j) and all(same(a, b) for a, b in zip(ts, j))
    if isinstance(j, str):
        return t == j or t.split()[0] == '0x' + j or (t.startswith('"') and unc(t) == j)
    return False
assert len(want) == len(got), 'text has %d members, JSON %d' % (len(want), len(got))
for (tn, tv), (jn, jv) in zip(want, got):
    assert tn == jn and same(tv, jv), 'text %s = %s, JSON %s = %r' % (tn, tv, jn, jv)
print('# %d members alike' % len(got))
EOF
}

# struct -o's "[N] ... name;" lines against the JSON definition's members
# (in order: offset, and the name in the declaration).
same_layout() { # text json
	python3 - "$@" <<'EOF'
import json, re, sys
rows = [l for l in open(sys.argv[1]) if re.match(r'^\s*\[\d+\] ', l)]
ms = json.load(open(sys.argv[2]))['members']
assert len(rows) == len(ms), 'text %d members, JSON %d' % (len(rows), len(ms))
for r, m in zip(rows, ms):
    off = int(re.match(r'^\s*\[(\d+)\]', r).group(1))
    assert off == m['offset'] and re.search(r'\b%s\b' % re.escape(m['name']), r), (r, m)
    assert ('bit_size' in m) == (' : ' in r), (r, m)
print('# %d members at the same offsets' % len(ms))
EOF
}

for series in $LAB_SERIES; do
	load_lab "$series"
	DUMP=$LAB/oops-module/vmcore.zlib
	label="$series oops-module/vmcore.zlib"
	k() { timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "$1" 2>/dev/null; }
	kb() { timeout 60 "$KDIVE" "$DUMP" -c "$1" 2>/dev/null; } # types from the dump's BTF

	k "sys --json" >"$tmp/sys.json"
	task=$(json "$tmp/sys.json" 'print(d["context"]["task"])')
	pid=$(json "$tmp/sys.json" 'print(d["context"]["pid"])')
	cpus=$(json "$tmp/sys.json" 'print(d["cpus"])')

	k "p jiffies --json" >"$tmp/p.json"
	check "$label: p jiffies --json: p's value, whatis's type" eval '
		[ "$(json "$tmp/p.json" "print(d[\"value\"], d[\"type\"])")" = \
		  "$(k "p jiffies" | sed -n "s/^jiffies = \$[0-9]* = //p") $(k "whatis jiffies" | sed "s/ jiffies;$//")" ]'
	k "p init_task.comm --json" >"$tmp/pc.json"
	check "$label: p init_task.comm --json: the string up to its NUL, where it lives" json "$tmp/pc.json" '
assert d["value"] == "swapper/0" and d["type"] == "char [16]" and len(d["address"]) == 16 and d["error"] is None, d'
	k "p &init_task --json" >"$tmp/pa.json"
	check "$label: p &init_task --json: a pointer is its address, in no object" eval '
		json "$tmp/pa.json" "assert d[\"address\"] is None and d[\"type\"] == \"struct task_struct *\"; print(d[\"value\"])" |
		grep -qx "$(k "p &init_task" | sed -nE "s/.* 0x([0-9a-f]+) <init_task>$/\1/p")"'

	k "p irq_stat:a" >"$tmp/irq.txt"
	k "p irq_stat:a --json" >"$tmp/irq.json"
	check "$label: p irq_stat:a --json: one element per CPU ($cpus), each one's members as p prints them" eval '
		json "$tmp/irq.json" "assert [c[\"cpu\"] for c in d[\"cpus\"]] == list(range($cpus))" &&
		for c in $(seq 0 $((cpus - 1))); do
			awk -v c="per_cpu(irq_stat, $c) =" "index(\$0, c) == 1 { on = 1; next } on && /^}/ { exit } on" "$tmp/irq.txt" >"$tmp/irq.$c"
			same_members "$tmp/irq.$c" "$tmp/irq.json" "cpus/$c/value" || exit 1
		done'
	k "p runqueues --json" >"$tmp/rq.json"
	check "$label: p runqueues --json (no CPU): p's table of per-CPU addresses" eval '
		json "$tmp/rq.json" "for c in d[\"cpus\"]: print(\"  [%d]: %s\" % (c[\"cpu\"], c[\"address\"]))" |
		diff <(k "p runqueues" | grep "^  \[") - >&2'

	k "struct task_struct.pid,comm,se.vruntime $task" >"$tmp/m.txt"
	k "struct task_struct.pid,comm,se.vruntime $task --json" >"$tmp/m.json"
	check "$label: struct task_struct.pid,comm,se.vruntime --json: struct's values, keyed as named" eval '
		json "$tmp/m.json" "
v = d[\"objects\"][0][\"value\"]; assert list(v) == [\"pid\", \"comm\", \"se.vruntime\"], v
print(\"pid\", v[\"pid\"]); print(\"comm\", v[\"comm\"]); print(\"vruntime\", v[\"se.vruntime\"])" |
		diff <(sed -E "s/^  ([a-z_]+) = \"?([^\"\\\\]*).*/\1 \2/; s/,$//" "$tmp/m.txt") - >&2'

	k "struct task_struct $task" >"$tmp/ts.txt"
	k "struct task_struct $task --json" >"$tmp/ts.json"
	check "$label: struct task_struct ADDR --json: every member as struct prints it" \
		same_members "$tmp/ts.txt" "$tmp/ts.json" "objects/0/value"
	k "struct list_head $task 3 --json" >"$tmp/lh.json"
	check "$label: struct list_head ADDR 3 --json: three objects in a row" json "$tmp/lh.json" '
a = [int(o["address"], 16) for o in d["objects"]]
assert d["size"] == 16 and a == [a[0], a[0] + 16, a[0] + 32] and a[0] == 0x'"$task"', d'

	k "ps --json" >"$tmp/ps.json"
	k "foreach task --json" >"$tmp/fe.json"
	check "$label: foreach task --json: each task_struct's pid and comm are ps's" eval '
		json "$tmp/fe.json" "
for t in sorted(d[\"tasks\"], key=lambda t: (t[\"pid\"], t[\"task\"])):
    assert t[\"error\"] is None and t[\"task_struct\"][\"pid\"] == t[\"pid\"], t[\"pid\"]
    print(t[\"pid\"], t[\"task\"], t[\"task_struct\"][\"comm\"])" |
		diff <(json "$tmp/ps.json" "for t in sorted(d[\"tasks\"], key=lambda t: (t[\"pid\"], t[\"task\"])): print(t[\"pid\"], t[\"task\"], t[\"comm\"])") - >&2'
	k "task --json" >"$tmp/t.json"
	check "$label: task --json: the panic task (pid $pid), its task_struct" json "$tmp/t.json" '
t, = d["tasks"]
assert t["pid"] == '"$pid"' == t["task_struct"]["pid"] and t["task"] == "'"$task"'" and t["comm"] == t["task_struct"]["comm"], t
ts = t["task_struct"]
assert ts["thread_info"].get("cpu", ts.get("cpu")) == t["cpu"], t["cpu"]  # 5.10: task_struct.cpu'
	k "task -R pid,comm 1 2 --json" >"$tmp/tr.json"
	check "$label: task -R pid,comm 1 2 --json: only those members, for each" json "$tmp/tr.json" '
assert [(t["pid"], list(t["task_struct"])) for t in d["tasks"]] == [(1, ["pid", "comm"]), (2, ["pid", "comm"])], d'

	for type in task_struct page; do
		k "struct $type -o" >"$tmp/o.txt"
		k "struct $type --json" >"$tmp/o.$type.json"
		check "$label: struct $type --json: the members and offsets struct -o prints" same_layout "$tmp/o.txt" "$tmp/o.$type.json"
		kb "struct $type --json" >"$tmp/ob.json"
		check "$label: struct $type --json without the vmlinux (BTF): the same layout" cmp -s "$tmp/o.$type.json" "$tmp/ob.json"
	done
	nobtf=$(nobtf_vmlinux)
	timeout 60 "$KDIVE" "$nobtf" "$DUMP" -c "struct task_struct --json; struct task_struct $task --json" >"$tmp/dw.json" 2>/dev/null
	check "$label: struct task_struct --json with DWARF's types (a vmlinux without BTF): the same layout and values" eval '
		cmp -s <(cat "$tmp/o.task_struct.json" "$tmp/ts.json") "$tmp/dw.json"'
	k "struct list_head -o $task --json" >"$tmp/oa.json"
	check "$label: struct list_head -o ADDR --json: each member's address" json "$tmp/oa.json" '
o, = d["objects"]
assert [(m["name"], int(m["address"], 16) - int(o["address"], 16)) for m in o["members"]] == [("next", 0), ("prev", 8)], d'

	k "whatis jiffies --json" >"$tmp/w.json"
	check "$label: whatis jiffies --json: a variable, its type and size" json "$tmp/w.json" '
assert d == {"name": "jiffies", "kind": "variable", "type": "volatile unsigned long", "size": 8}, d'
	k "whatis struct list_head --json" >"$tmp/wl.json"
	check "$label: whatis struct list_head --json: a struct, with whatis's SIZE and members" eval '
		json "$tmp/wl.json" "assert d[\"kind\"] == \"struct\" and [m[\"name\"] for m in d[\"members\"]] == [\"next\", \"prev\"]; print(\"SIZE:\", d[\"size\"])" |
		grep -qx "$(k "whatis struct list_head" | grep "^SIZE:")"'
	k "ptype enum pid_type --json" >"$tmp/we.json"
	check "$label: ptype enum pid_type --json: the enumerators ptype prints" eval '
		json "$tmp/we.json" "assert d[\"kind\"] == \"enum\"; [print(\"%s = %d\" % (e[\"name\"], e[\"value\"])) for e in d[\"enumerators\"]]" |
		diff <(k "ptype enum pid_type" | sed -nE "s/^ +([A-Z_]+ = [0-9]+),?$/\1/p") - >&2'
	k "whatis schedule --json" >"$tmp/wf.json"
	check "$label: whatis schedule --json: a function, no size" json "$tmp/wf.json" '
assert d["kind"] == "function" and d["size"] is None and d["type"] == "void (void)", d'
	k "ptype init_task.se.load --json" >"$tmp/wp.json"
	check "$label: ptype EXPR --json: an expression of a struct type, its members" json "$tmp/wp.json" '
assert d["kind"] == "expression" and d["type"] == "struct load_weight" and d["members"][0]["name"] == "weight", d'
	kb "whatis task_struct --json" >"$tmp/wb.json"
	check "$label: whatis task_struct --json without the vmlinux: a struct from the dump's BTF" json "$tmp/wb.json" '
assert d["kind"] == "struct" and d["size"] > 1000 and any(m["name"] == "comm" for m in d["members"]), d'
	kb "struct task_struct.pid,comm $task --json" >"$tmp/mb.json"
	check "$label: struct task_struct.pid,comm --json without the vmlinux: the same values" json "$tmp/mb.json" '
v = d["objects"][0]["value"]
assert v["pid"] == '"$pid"' and v["comm"] == json.load(open("'"$tmp/m.json"'"))["objects"][0]["value"]["comm"], v'
done

load_lab 6.1
k() { timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "$1" 2>/dev/null; }
DUMP=$LAB/oops-module/vmcore.zlib
k "struct list_head 1000 --json; p *(int *)0x1000 --json; p nosuchvar --json" >"$tmp/bad.json"; rc=$?
check "6.1: an unmapped address: the value null and why, exit 0; a bad expression: {\"error\": ...}, exit 1" eval '[ $rc -eq 1 ] &&
	json "$tmp/bad.json" "
o, = ds[0][\"objects\"]
assert o[\"value\"] is None and \"not mapped\" in o[\"error\"], o
assert ds[1][\"value\"] is None and ds[1][\"address\"] == \"1000\" and \"not mapped\" in ds[1][\"error\"], ds[1]
assert ds[2][\"error\"][\"command\"] == \"p\", ds[2]"'
# A task_struct on a page makedumpfile left out: the members there are
# null, the others still read.
elf=$LAB/oops-module/vmcore.elf
task=$(k "sys --json" | python3 -c 'import json, sys; print(json.load(sys.stdin)["context"]["task"])')
read -r off_comm off_pid < <(k "struct task_struct --json" | python3 -c 'import json, sys
o = {m["name"]: m["offset"] for m in json.load(sys.stdin)["members"]}; print(o["comm"], o["pid"])')
comm=$(printf '%x' $((0x$task + off_comm)))
same_page=$(( ((0x$task + off_comm) >> 12) == ((0x$task + off_pid) >> 12) ))
if exclude_page "$elf" "$tmp/excl.elf" "$comm" >"$tmp/excl.log" 2>&1; then
	DUMP=$tmp/excl.elf
	k "struct task_struct.comm,pid $task --json" >"$tmp/ex.json"; rc=$?
	check "6.1: a task_struct's comm on an excluded page: comm null and why, pid as far as its page is there, exit 0" eval '[ $rc -eq 0 ] &&
		json "$tmp/ex.json" "
v, e = d[\"objects\"][0][\"value\"], d[\"objects\"][0][\"error\"]
assert v[\"comm\"] is None and \"excluded\" in e and (v[\"pid\"] is None) == bool($same_page), d"'
	k "struct task_struct $task --json" >"$tmp/exw.json"
	check "6.1: the whole task_struct there: null, and why" json "$tmp/exw.json" '
o = d["objects"][0]
assert o["value"] is None and "excluded" in o["error"], o'
	rm -f "$tmp/excl.elf"
else
	not_ok "6.1: a page of the task_struct at $task excluded from $elf: $(tail -1 "$tmp/excl.log" 2>/dev/null)"
fi
finish
