#!/usr/bin/env bash
# kmem on every lab kernel against what the guest printed just before the
# crash: -i against /proc/meminfo (meminfo.txt), -s against /proc/slabinfo
# (slabinfo.txt), in crash's layouts; kmem ADDR on the lab module's own
# objects (the addresses it printed). Counters that do not move between
# the snapshot and the crash must be equal, the others within a margin
# (the page cache too: the hung-task guest reads files while it waits).
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# meminfo.txt KEY -> pages
mi() { awk -v k="$2:" '$1 == k { print int($2 / 4) }' "$1"; }
# kmem -i output ROW -> pages
km() { awk -v r="$2" 'substr($0, 1, 13) ~ "^ *" r "$" { print substr($0, 16, 7) + 0 }' "$1"; }
near() { # got want margin
	local d=$(($1 - $2)); [ "${d#-}" -le "$3" ]
}

for series in $LAB_SERIES; do
	load_lab "$series"
	for s in oops-module hung-task many-tasks; do
		DUMP=$LAB/$s/vmcore.zlib
		m=$LAB/$s/meminfo.txt
		label="$series $s/$(basename "$DUMP")"
		timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "kmem -i" >"$tmp/out" 2>"$tmp/err"
		check "$label: kmem -i: crash's layout, no warning" eval '
			[ "$(head -1 "$tmp/out")" = "                 PAGES        TOTAL      PERCENTAGE" ] &&
			[ "$(grep -cE "^ *[A-Z]+( [A-Z]+)?  [ 0-9]{7}  [ 0-9.KMGB]{11}  (       ----|[ 0-9]{3}% of TOTAL (MEM|HUGE|SWAP|LIMIT))$" "$tmp/out")" -eq 14 ] &&
			! grep -v "kernel relocated" "$tmp/err"' || { cat "$tmp/out" "$tmp/err"; }
		total=$(mi "$m" MemTotal)
		for pair in "TOTAL MEM:MemTotal:0" "SHARED:Shmem:0" "BUFFERS:Buffers:0" "CACHED:Cached:$((total / 1000))" \
			"TOTAL SWAP:SwapTotal:0" "SWAP FREE:SwapFree:0" "COMMIT LIMIT:CommitLimit:0" \
			"FREE:MemFree:$((total / 100))" "SLAB:Slab:$((total / 200))" \
			"COMMITTED:Committed_AS:$((total / 200))"; do
			IFS=: read -r row key margin <<<"$pair"
			got=$(km "$tmp/out" "$row") want=$(mi "$m" "$key")
			check "$label: kmem -i $row $got pages, meminfo $key $want (margin $margin)" \
				eval '[ -n "$got" ] && [ -n "$want" ] && near "$got" "$want" "$margin"'
		done
	done
done

# kmem -s: every cache /proc/slabinfo lists, with its objects and slabs
slabs() { # slabinfo.txt, kmem -s output
	awk 'NR == FNR { if ($1 !~ /^(#|slabinfo)/) { num[$1] = $3; objsize[$1] = $4; pages[$1] = $6; slabs[$1] = $15 }; next }
	FNR == 1 { next }
	{ name = $7; seen[name] = 1
	  if (!(name in num)) next
	  if ($4 == num[name] && $5 == slabs[name]) same++; else { differ++; if (differ <= 3) print "# " name ": kdive " $4 " objects in " $5 " slabs, slabinfo " num[name] " in " slabs[name] }
	  if ($3 > $4 || $2 > objsize[name] || $6 != pages[name] * 4 "k") { bad++; print "# " name ": " $0 } }
	END { for (c in num) if (!(c in seen)) { missing++; print "# not listed: " c }
	      print "# " same " caches as slabinfo counted them, " differ + 0 " changed since"
	      exit bad > 0 || missing > 0 || same < 0.8 * (same + differ) }' "$1" "$2"
}
for series in $LAB_SERIES; do
	load_lab "$series"
	for s in oops-module hung-task many-tasks; do
		DUMP=$LAB/$s/vmcore.zlib
		label="$series $s/$(basename "$DUMP")"
		timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "kmem -s" >"$tmp/out" 2>"$tmp/err"
		check "$label: kmem -s: crash's header, every slabinfo cache, its objects, slabs and slab size" eval '
			[ "$(head -1 "$tmp/out")" = "CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME" ] &&
			slabs "$LAB/$s/slabinfo.txt" "$tmp/out" && ! grep -v "kernel relocated" "$tmp/err"' ||
			slabs "$LAB/$s/slabinfo.txt" "$tmp/out"
	done
	# kmem ADDR: the lab module's kmalloc'ed objects are allocated objects of
	# a kmalloc cache big enough for them, on a slab page
	DUMP=$LAB/oops-module/vmcore.elf
	console=$LAB/oops-module/console.log
	k() { timeout 60 "$KDIVE" --modules "$MODULES_DIR" "$VMLINUX" "$DUMP" -c "$1" 2>"$tmp/err"; }
	size=$(k "p sizeof(struct kdive_obj)" | sed -n 's/^\$1 = //p')
	heap=$(tr -d '\r' <"$console" | grep -m1 -o "kdive-lab: heap [0-9a-f]*" | awk '{ print $3 }')
	k "kmem $heap" >"$tmp/out"
	cache=$(sed -n 2p "$tmp/out" | awk '{ print $NF }')
	check "$series: kmem of the module's heap object: [allocated] in $cache (object of $size bytes), its slab page" eval '
		[[ $cache =~ ^kmalloc-(rnd-[0-9]+-)?([0-9]+)$ ]] && [ "${BASH_REMATCH[2]}" -ge "$size" ] &&
		grep -qx "  \[$heap\]" "$tmp/out" && grep -q " slab$" "$tmp/out"' || cat "$tmp/out"
	k "kmem $(printf %x $((0x$heap + 8)))" >"$tmp/out2"
	check "$series: kmem of an address inside it names the same object" grep -qx "  \[$heap\]" "$tmp/out2"
	bad=0
	for item in $(tr -d '\r' <"$console" | grep -o "kdive-lab: item [0-9a-f]*" | awk '{ print $3 }'); do
		k "kmem $item" | grep -qx "  \[$item\]" || bad=$((bad + 1))
	done
	check "$series: kmem of each list item: an allocated slab object at that address" test "$bad" -eq 0
	# every object of the heap object's slab: allocated or free, the free
	# ones at least the slab's own count of them
	mem=$(sed -n 4p "$tmp/out" | awk '{ print $2 }') total=$(sed -n 4p "$tmp/out" | awk '{ print $4 }')
	free_col=$(sed -n 4p "$tmp/out" | awk '{ print $6 }') stride=${BASH_REMATCH[2]:-0}
	cmds=""
	for ((i = 0; i < total; i++)); do cmds+="kmem $(printf %x $((0x$mem + i * stride)));"; done
	k "$cmds" >"$tmp/all"
	nalloc=$(grep -c '^  \[' "$tmp/all") nfree=$(grep -c '^   [0-9a-f]\{16\}$' "$tmp/all")
	check "$series: the $total objects of that slab: $nalloc allocated + $nfree free, free >= the slab's FREE ($free_col)" \
		eval '[ $((nalloc + nfree)) -eq "$total" ] && [ "$nfree" -ge "$free_col" ]'
	# a vmapped task stack: its vmalloc area starts at task->stack and is the
	# stack (x86-64's THREAD_SIZE, 16 KiB without KASAN) and a guard page
	stack=$(k "task -R stack 1" | sed -n 's/.*stack = 0x\([0-9a-f]*\),/\1/p')
	tsize=16384
	k "kmem $(printf %x $((0x$stack + 100)))" >"$tmp/out"
	check "$series: kmem of an address in init's stack: the vmalloc area from task->stack, THREAD_SIZE + a guard page" eval '
		[ -n "$stack" ] && grep -qE "^[0-9a-f]{16}  [0-9a-f]{16}  $stack - [0-9a-f]{16} +$((tsize + 4096))$" "$tmp/out"' ||
		cat "$tmp/out"
	k "kmem jiffies; kmem counter" >"$tmp/out"
	check "$series: kmem of a vmlinux and a module variable: their symbols with nm's letters" eval '
		grep -q "^[0-9a-f]* (D) jiffies$" "$tmp/out" && grep -q "^[0-9a-f]* (d) counter$" "$tmp/out"'
done

load_lab 6.1
check "kmem without an option: one line naming -i" eval \
	'timeout 60 "$KDIVE" "$VMLINUX" "$LAB/sysrq/vmcore.zlib" -c "kmem; p 1" 2>&1 >/dev/null | grep -q "kmem: -i, -s or an address is needed"'
check "kmem of an unmapped address: one line" eval \
	'timeout 60 "$KDIVE" "$VMLINUX" "$LAB/sysrq/vmcore.zlib" -c "kmem 0x10; p 1" 2>&1 >/dev/null | grep -v relocated | grep -qx "kdive: kmem: 0x10 is not mapped: no page, no slab object"'
check "kmem -s of no such cache: one line" eval \
	'timeout 60 "$KDIVE" "$VMLINUX" "$LAB/sysrq/vmcore.zlib" -c "kmem -s nosuch; p 1" 2>&1 >/dev/null | grep -q "no slab cache nosuch"'
finish
