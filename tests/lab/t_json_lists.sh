#!/usr/bin/env bash
# --json of files, runq, kmem (-i, -s, ADDR), list, tree, vtop and ptov on
# the lab's dumps: each document, printed back in the command's text
# layout (render below), is the text output of the same command on the
# same dump, so every field is checked against what the text says.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# render.py COMMAND < JSON: the document in the command's text layout.
cat >"$tmp/render.py" <<'EOF'
import json, sys

d = json.load(sys.stdin)
cmd = sys.argv[1]
x = lambda a: int(a, 16)

def page(p):
    print()
    print("      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS")
    names = " ".join(p["flag_names"])
    print("%x %8x %16x %8x %2d %x%s" % (x(p["page"]), x(p["physical"]), x(p["mapping"]), x(p["index"]),
                                        p["cnt"], x(p["flags"]), " " + names if names else ""))

def cache(c):
    print("%016x %8u %10u %9u %6u %5uk  %s" % (x(c["cache"]), c["objsize"], c["allocated"], c["total"],
                                             c["slabs"], c["ssize_kb"], c["name"]))

def task(t):
    if t["pid"] is None:
        return "PID: ?      TASK: %s  COMMAND: (unreadable)" % t["task"]
    return 'PID: %-6d TASK: %s  COMMAND: "%s"' % (t["pid"], t["task"], t["comm"])

if cmd == "files":
    for i, t in enumerate(d["tasks"]):
        if i:
            print()
        print('PID: %-7d  TASK: %-16s  CPU: %-3d  COMMAND: "%s"' % (t["pid"], t["task"], t["cpu"], t["comm"]))
        if t["root"] is None:
            continue
        print("ROOT: %s    CWD: %s" % (t["root"], t["cwd"]))
        print(" FD       FILE            DENTRY           INODE       TYPE PATH")
        for f in t["files"]:
            print("%3d %016x %016x %016x %-4s %s" % (f["fd"], x(f["file"]), x(f["dentry"]), x(f["inode"]),
                                                  f["type"], f["path"]))
elif cmd == "runq":
    for i, c in enumerate(d["cpus"]):
        print("%sCPU %d RUNQUEUE: %s" % ("\n" if i else "", c["cpu"], c["runqueue"]))
        print("  CURRENT: " + task(c["current"]))
        for q in c["queues"]:
            print("  %s: %s" % ("RT PRIO_ARRAY" if q["class"] == "rt" else "CFS RB_ROOT", q["root"]))
            shown = []
            for t in q["tasks"]:
                g = t["groups"]
                for depth in range(len(g)):
                    if depth >= len(shown) or shown[depth] != g[depth]:
                        print("%*sGROUP CFS RB_ROOT: %s" % (5 + 3 * depth, "", g[depth]))
                shown = g
                print("%*s[%3d] %s" % (5 + 3 * len(g), "", t["prio"], task(t)))
            if not q["tasks"]:
                print("     [no tasks queued]")
elif cmd == "runq-t":
    for c in d["cpus"]:
        w = len(str(c["clock"]))
        print(" CPU %d: %d" % (c["cpu"], c["clock"]))
        for t in [c["current"]] + [t for q in c["queues"] for t in q["tasks"]]:
            print("        %0*d  %s" % (w, t["last_arrival"], task(t)))
elif cmd == "kmem-i":
    print("                 PAGES        TOTAL      PERCENTAGE")
    for i, r in enumerate(d["rows"]):
        if i and r["percentage"] is None:  # a group's first row
            print()
        assert r["bytes"] == r["pages"] * 4096, r
        pct = "       ----" if r["percentage"] is None else "%3d%% of %s" % (r["percentage"], r["of"])
        print("%13s  %7d  %11s  %s" % (r["name"], r["pages"], r["total"], pct))
elif cmd == "kmem-s":
    print("CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME")
    for c in d["caches"]:
        cache(c)
elif cmd == "kmem":
    for i, a in enumerate(d["addresses"]):
        if i:
            print()
        if a["cache"]:
            print("CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME")
            cache(a["cache"])
            s = a["slab"]
            print("  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE")
            print("  %016x  %016x  %4d  %5u  %9u  %4u" % (x(s["slab"]), x(s["memory"]), s["node"], s["total"],
                                                       s["allocated"], s["free"]))
            o = a["object"]
            if o:
                print("  FREE / [ALLOCATED]")
                print("  %s%016x%s" % (" " if o["free"] else "[", x(o["address"]), "" if o["free"] else "]"))
        s = a["symbol"]
        if s:
            print("%016x (%s) %s%s" % (x(a["address"]), s["type"], s["name"], "+%d" % s["offset"] if s["offset"] else ""))
        v = a["vmap_area"]
        if v:
            if s:
                print()
            print("    VMAP_AREA         VM_STRUCT                 ADDRESS RANGE                SIZE")
            print("%016x  %016x  %016x - %016x  %6d" % (x(v["vmap_area"]), x(v["vm_struct"]), x(v["start"]),
                                                     x(v["end"]), v["size"]))
        if a["page"]:
            page(a["page"])
        if a["error"]:
            print("error: " + a["error"])
elif cmd == "list":
    for e in d["entries"]:
        if isinstance(e, str):
            print(e)
    if d["error"]:
        print("error: " + d["error"])
elif cmd == "vtop":
    for i, a in enumerate(d["addresses"]):
        if i:
            print()
        print("VIRTUAL           PHYSICAL        ")
        print("%-16s  %s" % (a["virtual"], "%-16s" % a["physical"] if a["physical"] else "(not mapped)"))
        print()
        print("PGD DIRECTORY: " + a["pgd_directory"])
        for j, l in enumerate(a["page_table"]):
            if j == 0:
                print("PAGE DIRECTORY: " + l["entry"])
            else:
                print("%6s: %s => %s" % (l["level"], l["address"], l["entry"]))
        p = a["pte"]
        if p:
            size = p["page_size"]
            print("  PAGE: %s%s" % (p["physical"], "  (%dMB)" % (size >> 20) if size > 4096 else ""))
            print()
            print("      PTE         PHYSICAL  FLAGS")
            print("%s  %8s  (%s)" % (p["pte"], p["physical"], "|".join(p["flags"])))
        if a["page"]:
            page(a["page"])
elif cmd == "ptov":
    print("VIRTUAL           PHYSICAL        ")
    for a in d["addresses"]:
        print("%-16s  %-16s" % (a["virtual"], a["physical"]))
EOF
render() { python3 "$tmp/render.py" "$@"; }

# list/tree -s --json: the entries list prints, each with the value
# `struct SPEC ADDR --json` gives it (members typed as p gives them).
typed() { # description, list command, struct spec
	local what=$1 cmd=$2 spec=$3 cmds=
	k2() { timeout 120 "$KDIVE" --modules "$MODULES_DIR" "$VMLINUX" "$DUMP" -c "$1" 2>/dev/null; }
	k2 "$cmd" | grep -xE '[0-9a-f]+' >"$tmp/addrs"
	k2 "$cmd --json" >"$tmp/list.json"
	while read -r a; do cmds="$cmds struct $spec $a --json;"; done <"$tmp/addrs"
	k2 "$cmds" >"$tmp/structs.jsonl"
	check "$label: $what ($(grep -c . "$tmp/addrs") entries)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); addrs = open(sys.argv[2]).read().split()
structs = [json.loads(l)["objects"][0] for l in open(sys.argv[3])]
assert d["error"] is None and addrs and [e["address"] for e in d["entries"]] == addrs
for e, s in zip(d["entries"], structs):
    got = e.get("members", e.get("value"))
    assert got == s["value"] and got is not None, (e, s)' "$tmp/list.json" "$tmp/addrs" "$tmp/structs.jsonl"
}

# JSON and text of the same command on the same dump are the same: the
# text (stdout, and "error: MESSAGE" for its error line when it failed)
# against the document rendered.
same() { # description, render-as, command, [dump]
	local what=$1 as=$2 cmd=$3 dump=${4:-$DUMP}
	timeout 120 "$KDIVE" --modules "$MODULES_DIR" "$VMLINUX" "$dump" -c "$cmd" >"$tmp/text" 2>"$tmp/err"
	sed -n "s/^kdive: ${cmd%% *}: /error: /p" "$tmp/err" >>"$tmp/text"
	timeout 120 "$KDIVE" --modules "$MODULES_DIR" "$VMLINUX" "$dump" -c "$cmd --json" >"$tmp/json" 2>/dev/null
	# shellcheck disable=SC2086
	check "$label: $what ($(grep -c . "$tmp/text") lines)" eval '[ -s "$tmp/text" ] &&
		render $as <"$tmp/json" | diff "$tmp/text" - >&2'
}

for series in $LAB_SERIES; do
	load_lab "$series"
	DUMP=$LAB/oops-module/vmcore.zlib
	QDUMP=$LAB/qemu-dump/vmcore.qemu-elf
	console=$LAB/oops-module/console.log
	label="$series oops-module"
	addr_of() { tr -d '\r' <"$console" | grep -m1 -o "kdive-lab: $1 [0-9a-f]*" | awk '{ print $NF }'; }
	heap=$(addr_of heap) counter=$(addr_of counter) item=$(addr_of item)

	same "files --json: the panic task's root, cwd and open files" files "files"
	same "foreach files --json: every task's" files "foreach files"
	same "runq --json: each CPU's runqueue, current task, queues" runq "runq"
	same "runq -t --json: clocks and last arrivals" runq-t "runq -t"
	label="$series qemu-dump" same "runq --json: the tasks queued on a running system" runq "runq" "$QDUMP"
	label="$series qemu-dump" same "runq -t --json: queued tasks' last arrivals" runq-t "runq -t" "$QDUMP"
	same "kmem -i --json: the summary's rows" kmem-i "kmem -i"
	same "kmem -s --json: every slab cache" kmem-s "kmem -s"
	same "kmem -s kmalloc-64 dentry --json: caches by name" kmem-s "kmem -s kmalloc-64 dentry"
	same "kmem ADDR --json: a heap object, a list item, a vmlinux and a module variable" kmem \
		"kmem $heap $item jiffies $counter"
	same "kmem ADDR --json: an unmapped address: its error" kmem "kmem 10"
	typed "list -H -s STRUCT.MEMBERS --json: the module's items, their members" \
		"list -H -o kdive_item.list -s kdive_item.id,name kdive_items" kdive_item.id,name
	typed "list -H -s STRUCT --json: the items, whole" \
		"list -H -o kdive_item.list -s kdive_item kdive_items" kdive_item
	same "list -H --json: every process's task_struct" list "list -H -o task_struct.tasks init_task.tasks"
	# the heap object's self pointer points at itself: a loop, said in "error"
	soff=$(timeout 60 "$KDIVE" --modules "$MODULES_DIR" "$VMLINUX" "$DUMP" -c "p offsetof(struct kdive_obj, self)" 2>/dev/null |
		sed -n 's/^\$1 = //p')
	same "list --json of a loop: the entries, then why it stopped" list \
		"list -o kdive_obj.self $(printf %x $((0x$(addr_of heap-pointer) - soff)))"
	root=vmap_area_root
	[ "$series" = 6.12 ] && root='&vmap_nodes[0].busy.root'
	typed "tree -t rbtree -s --json: the vmap areas in order" \
		"tree -t rbtree -o vmap_area.rb_node -s vmap_area.va_start,va_end -x $root" vmap_area.va_start,va_end
	for a in "$heap" jiffies "$counter" 10; do
		same "vtop $a --json: the walk, the PTE's flags, the page" vtop "vtop $a"
	done
	same "ptov --json" ptov "ptov 1000 2000000 $(timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "vtop $heap" 2>/dev/null | awk 'NR == 2 { print $2 }')"
	timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "kmem -s nosuch --json; runq -c 99 --json; list -s nosuch 10 --json" \
		>"$tmp/err.json" 2>/dev/null
	check "$label: a failed kmem, runq or list: {\"error\": ...}" python3 -c "import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
assert [l['error']['command'] for l in ls] == ['kmem', 'runq', 'list'], ls
assert ls[0]['error']['message'] == 'no slab cache nosuch', ls" "$tmp/err.json"
done
finish
