#!/usr/bin/env bash
# The data commands on every lab kernel, against what the lab module
# printed about its own objects ("kdive-lab: ..." on the console), pahole's
# layout of its structs, objdump's disassembly of the same bytes, and the
# kernel's own page tables: p, struct, whatis, ptype, rd, dis, vtop, ptov.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# The value of KEY= on the console's "kdive-lab: WHAT ADDR ..." line.
truth() { # console what key
	local line
	line=$(tr -d '\r' <"$1" | grep -m1 -o "kdive-lab: $2 .*")
	# name= holds spaces: it runs up to " self="
	if [ "$3" = name ]; then
		echo "$line" | sed -E 's/.* name=(.*) self=.*/\1/'
	else
		echo "$line" | tr ' ' '\n' | sed -n "s/^$3=//p"
	fi
}
truth_addr() { tr -d '\r' <"$1" | grep -m1 -o "kdive-lab: $2 [0-9a-f]*" | awk '{ print $NF }'; }

# objdump's text for bytes kdive read at ADDR: "ADDR: insn" lines, with the
# symbol names kdive adds dropped, so the two can be compared.
objdump_bytes() { # addr hexbytes-file
	xxd -r -p "$2" >"$tmp/bytes.bin"
	objdump -D -b binary -m i386:x86-64 --adjust-vma="0x$1" "$tmp/bytes.bin" |
		awk -F'\t' '/^ *[0-9a-f]+:\t/ && $3 != "" { a = $1; sub(/^ */, "", a); sub(/:$/, "", a); t = $3; sub(/ +$/, "", t); print a ": " t }' |
		sed -E 's/ +# /   # /'
}
kdive_dis() { # dis output -> "addr: insn"
	sed -nE 's/^0x([0-9a-f]+) <[^>]*>:\t(.*)$/\1: \2/p' "$1" |
		sed -E 's/ <[^>]*>//g; s/ \[FTRACE NOP\]$//; s/ +# /   # /'
}

check_dis() { # label, function, [kdive options]
	local label=$1 fn=$2 opts=${3:-} start size last
	# shellcheck disable=SC2086
	"$KDIVE" $opts "$VMLINUX" "$DUMP" -c "dis $fn" >"$tmp/dis" 2>"$tmp/err"
	start=$(sed -nE '1s/^0x([0-9a-f]+) .*/\1/p' "$tmp/dis")
	last=$(sed -nE '$s/^0x([0-9a-f]+) .*/\1/p' "$tmp/dis")
	[ -n "$start" ] || { not_ok "$label: dis $fn ($(head -c 200 "$tmp/err"))"; return; }
	size=$(( 0x$last - 0x$start + 16 ))
	# shellcheck disable=SC2086
	"$KDIVE" $opts "$VMLINUX" "$DUMP" -c "rd -8 $start $size" 2>/dev/null |
		sed -E 's/^[0-9a-f]+:  //; s/   .{1,16}$//' | tr -d ' \n' >"$tmp/hex"
	objdump_bytes "$start" "$tmp/hex" | awk -v last="$last" '{ print } $1 == last ":" { exit }' >"$tmp/want"
	kdive_dis "$tmp/dis" >"$tmp/got"
	if cmp -s "$tmp/got" "$tmp/want"; then
		ok "$label: dis $fn equals objdump on the same bytes ($(wc -l <"$tmp/got") instructions)"
	else
		not_ok "$label: dis $fn equals objdump on the same bytes"
		diff "$tmp/got" "$tmp/want" | head -5 | sed 's/^/# /'
	fi
}

# pahole's "name; /* offset size */" -> "offset name" per member
pahole_offsets() { # ko struct
	pahole -C "$2" "$1" | sed -nE 's/^\t[^/]*[ *]([a-z_]+)(\[[0-9]+\])?(:[0-9]+)?; +\/\* +([0-9]+)(: *[0-9]+)? .*/\4 \1/p'
}
kdive_offsets() { # struct -o output -> "offset name"
	sed -nE 's/^ +\[([0-9]+)\] .*[ *]([a-z_]+)(\[[0-9]+\])?( : [0-9]+)?;$/\1 \2/p' "$1"
}

for series in $LAB_SERIES; do
	load_lab "$series"
	for DUMP in "$LAB/sysrq/vmcore.zlib" "$LAB/oops-module/vmcore.elf" "$LAB/qemu-noinfo/vmcore.qemu-elf"; do
		label="$series $(basename "$(dirname "$DUMP")")/$(basename "$DUMP")"
		console=$LAB/$(basename "$(dirname "$DUMP")")/console.log
		k() { timeout 60 "$KDIVE" --modules "$MODULES_DIR" "$VMLINUX" "$DUMP" -c "$1" 2>"$tmp/err"; }

		# globals of vmlinux
		k 'p init_task.comm; p init_task.pid; whatis init_task; p &init_task' >"$tmp/out"
		check "$label: p init_task.comm, .pid, whatis, &init_task" eval 'diff -u - "$tmp/out" <<EOF
\$1 = "swapper/0\\000\\000\\000\\000\\000\\000"
\$2 = 0
struct task_struct init_task;
\$3 = (struct task_struct *) 0x$(k "sym init_task" | awk "{ print \$1 }") <init_task>
EOF'
		k 'p jiffies; p -x jiffies; rd jiffies' >"$tmp/out"
		check "$label: p jiffies, p -x jiffies and rd jiffies agree" eval '
			d=$(sed -n "1s/^jiffies = \$1 = //p" "$tmp/out"); x=$(sed -n "2s/^jiffies = \$2 = //p" "$tmp/out")
			r=$(sed -n "3s/^[0-9a-f]*:  \([0-9a-f]*\) .*/\1/p" "$tmp/out")
			[ -n "$d" ] && [ "$(printf "0x%x" "$d")" = "$x" ] && [ $((0x$r)) -eq "$d" ]'
		nthr=$(k ps | awk 'NR > 1 && $1 != ">" && $1 > 0 || $1 == ">" && $2 > 0' | wc -l)
		check "$label: p nr_threads equals ps's tasks but the idle ones ($nthr)" \
			eval 'k "p nr_threads" | grep -qx "nr_threads = \$1 = $nthr"'
		cpus=$(k sys | sed -n 's/^ *CPUS: \([0-9]*\).*/\1/p')
		k 'p runqueues' >"$tmp/out"
		check "$label: p runqueues (per-CPU, no CPU): its type and $cpus addresses" \
			eval 'grep -qx "  struct rq runqueues;" "$tmp/out" && [ "$(grep -c "^  \[[0-9]*\]: ffff" "$tmp/out")" -eq "$cpus"  ]'
		k 'p runqueues:a' >"$tmp/out"
		check "$label: p runqueues:a: one rq per CPU, each its own cpu field" \
			eval '[ "$(grep -c "^per_cpu(runqueues, [0-9]*) = \$[0-9]* = {" "$tmp/out")" -eq "$cpus" ] &&
				[ "$(grep -cx "  cpu = [0-9]*," "$tmp/out")" -eq "$cpus" ]'
		k 'p -c 1 runqueues.cpu' >"$tmp/out"
		check "$label: p -c 1 runqueues.cpu is 1" grep -qx 'per_cpu(runqueues, 1) = \$1 = 1\|\$1 = 1' "$tmp/out"

		# the lab module's objects (its debug info from --modules)
		caddr=$(truth_addr "$console" counter)
		cval=$(tr -d '\r' <"$console" | grep -m1 -o "kdive-lab: counter .*" | awk '{ print $4 }')
		check "$label: p counter (a module's static) is what the module printed" \
			eval 'k "p counter" | grep -qx "counter = \$1 = $cval"'
		check "$label: p &counter is where the module said it is" \
			eval 'k "p &counter" | grep -qx "\$1 = (unsigned long \*) 0x$caddr <counter>"'
		saddr=$(truth_addr "$console" static) haddr=$(truth_addr "$console" heap)
		for what in static heap; do
			addr=$(truth_addr "$console" "$what")
			expr=kdive_obj_static; [ "$what" = heap ] && expr='*kdive_obj_heap'
			k "p $expr" >"$tmp/out"
			for f in a b name color arr flag mode first.id first.name first.magic; do
				want=$(truth "$console" "$what" "$f")
				case $f in
				name) got=$(grep -m1 "^  name = \"" "$tmp/out" | sed -E 's/^ *[a-z.]+ = "([^\\"]*).*/\1/') ;;
				first.name) got=$(grep -m1 "^    name = \"" "$tmp/out" | sed -E 's/^ *[a-z.]+ = "([^\\"]*).*/\1/') ;;
				arr) got=$(grep "^ *arr = " "$tmp/out" | sed -E 's/.*\{(.*)\}.*/\1/; s/ //g') ;;
				color) got=$(grep "^ *color = " "$tmp/out" | sed -E 's/.*= KDIVE_([A-Z]+).*/\1/')
					want=$(case $want in 1) echo RED ;; 2) echo GREEN ;; 4) echo BLUE ;; esac) ;;
				first.magic) got=$(printf '%x' "$(grep "^ *magic = " "$tmp/out" | sed -E 's/.*= ([0-9]+).*/\1/')") ;;
				first.id) got=$(grep "^    id = " "$tmp/out" | sed -E 's/.*= ([0-9-]+).*/\1/') ;;
				*) got=$(grep "^  $f = " "$tmp/out" | sed -E 's/.*= ([0-9-]+).*/\1/') ;;
				esac
				[ "$got" = "$want" ] || echo "# $what.$f: kdive '$got', the module '$want'"
				[ "$got" = "$want" ] || break
			done
			check "$label: p $expr: every field as the module printed it" test "$got" = "$want"
			k "struct kdive_obj $addr" | sed 's/^struct kdive_obj //' >"$tmp/s"
			tail -n +2 "$tmp/out" >"$tmp/p"; { echo "{"; cat "$tmp/p"; } | head -c 0
			check "$label: struct kdive_obj ADDR prints what p prints" \
				eval 'diff <(sed "1s/^.*= {/{/" "$tmp/out") "$tmp/s" >/dev/null'
		done
		check "$label: p kdive_obj_heap is the heap object's address" \
			eval 'k "p kdive_obj_heap" | grep -qx "kdive_obj_heap = \$1 = (struct kdive_obj \*) 0x$haddr"'
		check "$label: self points at itself, <kdive_obj_static>" \
			eval 'k "p kdive_obj_static.self" | grep -qx "\$1 = (struct kdive_obj \*) 0x$saddr <kdive_obj_static>"'
		tr -d '\r' <"$console" | grep -o 'kdive-lab: item .*' >"$tmp/items"
		bad=0
		while read -r _ _ addr id name magic; do
			k "struct kdive_item.id,name,magic $addr" >"$tmp/out"
			printf '  id = %s,\n  name = "%s' "${id#id=}" "${name#name=}" >"$tmp/want"
			head -c "$(wc -c <"$tmp/want")" "$tmp/out" | cmp -s - "$tmp/want" || bad=$((bad + 1))
			[ "$(printf '%x' "$(sed -n 's/^  magic = \([0-9]*\),$/\1/p' "$tmp/out")")" = "${magic#magic=}" ] || bad=$((bad + 1))
		done <"$tmp/items"
		check "$label: struct kdive_item.id,name,magic ADDR for the 5 items" \
			test "$bad" -eq 0 -a "$(wc -l <"$tmp/items")" -eq 5
		k "rd -64 $saddr 2" >"$tmp/out"
		check "$label: rd -64: a = 0xdeadbeef, b = 1234567890123 in memory" \
			grep -q "^$saddr:  00000000deadbeef 0000011f71fb04cb " "$tmp/out"

		# types: kdive's layout is pahole's
		k "struct kdive_obj -o; p sizeof(struct kdive_obj)" >"$tmp/out"
		pahole_offsets "$LAB_MODULE_KO" kdive_obj >"$tmp/want"
		kdive_offsets "$tmp/out" >"$tmp/got"
		check "$label: struct kdive_obj -o: each member at pahole's offset" \
			eval '[ -s "$tmp/want" ] && cmp -s "$tmp/got" "$tmp/want"'
		check "$label: sizeof(struct kdive_obj) is pahole's size" \
			grep -qx "\$1 = $(pahole -C kdive_obj "$LAB_MODULE_KO" | sed -n 's/.*size: \([0-9]*\),.*/\1/p')" "$tmp/out"
		k 'ptype struct kdive_obj' >"$tmp/out"
		check "$label: ptype struct kdive_obj declares each member as the source does" eval 'diff -u - "$tmp/out" <<EOF
type = struct kdive_obj {
    u32 a;
    u64 b;
    char name[24];
    struct kdive_obj *self;
    enum kdive_color color;
    int arr[4];
    unsigned int flag : 3;
    unsigned int mode : 5;
    struct kdive_item first;
}
EOF'
		check "$label: whatis jiffies" eval 'k "whatis jiffies" | grep -qx "volatile unsigned long jiffies;"'
		for s in jiffies panic init_task runqueues schedule; do
			want=$(nm "$VMLINUX" | awk -v s="$s" '$3 == s { print $2; exit }')
			got=$(k "sym $s" | sed -nE 's/^[0-9a-f]+ \((.)\) .*/\1/p')
			[ "$got" = "$want" ] || break
		done
		check "$label: sym NAME gives nm's type letter (jiffies panic init_task runqueues schedule)" test "$got" = "$want"
		check "$label: dis -x names offsets in hex, SYMBOL+OFF is an address" eval '
			k "dis -x schedule+4 1" | grep -q "^0x[0-9a-f]* <schedule+0x4>:" && k "dis schedule+4 1" | grep -q "<schedule+4>:"'

		# code: kdive's disassembly is objdump's, on the bytes in memory
		for fn in schedule panic do_exit; do check_dis "$label" "$fn"; done
		check_dis "$label" hanger "--modules $MODULES_DIR"

		# memory: the page tables, against the direct map and the bytes
		k "vtop $haddr" >"$tmp/out"
		phys=$(sed -n '2s/^[0-9a-f]*  *\([0-9a-f]*\).*/\1/p' "$tmp/out")
		check "$label: vtop of a heap address walks to its physical page" \
			eval '[ -n "$phys" ] && grep -q "^ *PTE: \|^ *PMD: .* => " "$tmp/out"'
		check "$label: ptov of that physical address is the heap address" \
			eval 'k "ptov $phys" | grep -q "^$haddr "'
		check "$label: rd -p of it reads what rd of the virtual one reads" \
			eval '[ "$(k "rd -p $phys 2" | cut -d" " -f2-)" = "$(k "rd $haddr 2" | cut -d" " -f2-)" ]'
		k "vtop $caddr" >"$tmp/out"
		mphys=$(sed -n '2s/^[0-9a-f]*  *\([0-9a-f]*\).*/\1/p' "$tmp/out")
		check "$label: vtop of a module static, then rd -p, finds the counter" \
			eval '[ "$(k "rd -p -d $mphys 1" | awk "{ print \$2 }")" = "$cval" ]'

		# lists: the module's linked items, in the order it printed them
		tr -d '\r' <"$console" | sed -nE 's/.*kdive-lab: item ([0-9a-f]+) id=([0-9]+) name=([^ ]+) .*/\1 \2 \3/p' >"$tmp/want"
		k "list -H -o kdive_item.list -s kdive_item.id,name kdive_items" |
			awk '/^[0-9a-f]+$/ { a = $1 } /^  id = / { id = $3; sub(/,/, "", id) }
			     /^  name = / { nm = $3; sub(/^"/, "", nm); sub(/(\\000)*",$/, "", nm); print a, id, nm }' >"$tmp/got"
		check "$label: list -H -o kdive_item.list -s kdive_item.id,name: the module's items ($(wc -l <"$tmp/want"))" \
			eval '[ -s "$tmp/want" ] && diff -u "$tmp/want" "$tmp/got" >&2'
		first=$(awk 'NR == 1 { print $1 }' "$tmp/want")
		loff=$(k "p offsetof(struct kdive_item, list)" | sed -n 's/^\$1 = //p')
		check "$label: list -H kdive_items: each item's list_head (item + $loff)" \
			eval '[ "$(k "list -H kdive_items" | tr "\n" " ")" = "$(while read -r a _; do printf "%x " $((0x$a + loff)); done <"$tmp/want")" ]'
		k "list -h -o kdive_item.list $first" >"$tmp/out"
		check "$label: list -h from the first item: the items, then the head's container" \
			eval '[ "$(head -5 "$tmp/out" | tr "\n" " ")" = "$(awk "{ printf \"%s \", \$1 }" "$tmp/want")" ] &&
				[ "$(sed -n 6p "$tmp/out")" = "$(printf %x $((0x$(k "sym kdive_items" | awk "{ print \$1 }") - loff)))" ] &&
				[ "$(wc -l <"$tmp/out")" -eq 6 ]'
		# a corrupt chain: the heap object's self pointer points to itself,
		# so a list through it loops without coming back to its start
		hptr=$(truth_addr "$console" heap-pointer)
		soff=$(k "p offsetof(struct kdive_obj, self)" | sed -n 's/^\$1 = //p')
		k "list -o kdive_obj.self $(printf %x $((0x$hptr - soff)))" >"$tmp/out"
		check "$label: a list that loops: stopped with a line saying where" \
			eval 'grep -q "loops back to 0x$haddr after 2 entries: stopped" "$tmp/err" && [ "$(wc -l <"$tmp/out")" -eq 2 ]' ||
			cat "$tmp/err"
		# tree: the kernel keeps each vmalloc area in a red-black tree and in a
		# list (one pair before 6.9, one per vmap node after): the tree in
		# order is the list, by address
		root=vmap_area_root head=vmap_area_list
		if ! k "sym vmap_area_root" >/dev/null; then
			root='&vmap_nodes[0].busy.root' head='&vmap_nodes[0].busy.head'
		fi
		k "tree -t rbtree -o vmap_area.rb_node -s vmap_area.va_start $root" >"$tmp/tree"
		k "list -H -o vmap_area.list -s vmap_area.va_start $head" >"$tmp/list"
		check "$label: tree -t rbtree of the vmap areas: the same areas as their list, in address order ($(grep -c "^[0-9a-f]" "$tmp/tree"))" eval '
			[ "$(grep -c "^[0-9a-f]" "$tmp/tree")" -gt 1 ] &&
			diff <(paste - - <"$tmp/list" | sort -t= -k2 -n) <(paste - - <"$tmp/tree") >&2 &&
			grep "va_start" "$tmp/tree" | sed "s/.*= //; s/,//" | sort -c -n'
		nt=$(k "list -H -o task_struct.tasks init_task.tasks" | wc -l)
		check "$label: list -H -o task_struct.tasks init_task.tasks: every process ($nt)" \
			eval '[ "$nt" -eq "$(k "foreach gleader ps" | awk "NR > 1 && \$(NF - 8) + 0 > 0 || NR > 1 && \$1 == \">\" && \$2 > 0" | wc -l)" ]'
	done
done

# Bad input: one line each, the session goes on.
load_lab 6.1
DUMP=$LAB/sysrq/vmcore.zlib
bad_one() { # description, command, expected message (regex)
	local want=$3
	timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "$2; p 1" >"$tmp/out" 2>"$tmp/err"
	check "$1: one line, the session goes on" eval '[ "$(grep -vc "kernel relocated" "$tmp/err")" -eq 1 ] &&
		grep -qE "$want" "$tmp/err" && grep -q "= 1$" "$tmp/out"' ||
		sed 's/^/# /' "$tmp/err"
}
bad_one "unknown symbol" "p nosuch_symbol" 'No symbol "nosuch_symbol"'
bad_one "unknown member" "p init_task.nosuch" 'no member named nosuch'
bad_one "unknown type" "struct nosuch_type" 'no type'
bad_one "a module's static without its debug info" "p counter" 'counter is module kdive_lab.*mod -s kdive_lab'
bad_one "an address the dump does not hold" "rd 0xffffffffffff0000" 'not mapped|not in the dump|beyond'
bad_one "reading through NULL" "p *(struct task_struct *)0" 'not mapped'
bad_one "a count of 10^9" "rd jiffies 1000000000" 'count'
bad_one "syntax" "p (1 +" 'expected|ends early'
bad_one "division by zero" "p 1/0" 'Division by zero'
bad_one "a per-CPU variable without a CPU" "p runqueues.cpu" 'per-CPU'
bad_one "a list through a bad pointer" "list 0xdeadbeef" 'broke at entry 1'
bad_one "dis of no function" "dis 0" 'no function|not mapped|0x0'
finish
