#!/usr/bin/env bash
# kmem -i on every lab kernel against the /proc/meminfo the guest printed
# just before the crash (meminfo.txt), in crash's table layout. Counters
# that do not move between that snapshot and the crash must be equal; the
# ones that do (free pages, slab, committed) within a small margin.
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
		for pair in "TOTAL MEM:MemTotal:0" "SHARED:Shmem:0" "BUFFERS:Buffers:0" "CACHED:Cached:0" \
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

load_lab 6.1
check "kmem without an option: one line naming -i" eval \
	'timeout 60 "$KDIVE" "$VMLINUX" "$LAB/sysrq/vmcore.zlib" -c "kmem; p 1" 2>&1 >/dev/null | grep -q "kmem: -i is needed"'
finish
