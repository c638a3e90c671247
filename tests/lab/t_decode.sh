#!/usr/bin/env bash
# kdive decode on the lab's real oopses: every frame and RIP line gets the
# same file:line chain as `eu-addr2line -i` on func+off, and each Code:
# line's faulting instruction is the one objdump decodes at that byte.
set -u
. "$(dirname "$0")/lib.sh"
load_lab 6.1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# What "auto" strips: decode_stacktrace.sh's build directory (kernel_init's
# directory) and the source root that assembler files are named under.
prefix_of() { eu-addr2line -e "$VMLINUX" "$1" | sed 's/:[0-9:]*$//' | sed -n "s#/$2\$##p"; }
base=$(prefix_of kernel_init init/main.c)
srctree=$(prefix_of startup_64 arch/x86/kernel/head_64.S)

norm() { # eu-addr2line lines -> "file:line" list, like kdive prints them
	sed -E 's/:([0-9]+):[0-9]+$/:\1/' |
		while IFS= read -r l; do
			[ -n "$base" ] && l=${l#"$base/"}
			[ -n "$srctree" ] && l=${l#"$srctree/"}
			echo "${l#./}"
		done | paste -sd' '
}

# vmlinux's functions as "name size address": several share a name (the
# function watchdog and a variable watchdog; static functions of two
# files), and eu-addr2line takes the first, so a frame is looked up by
# the address of the function whose size fits the printed one (kallsyms'
# size runs to the next symbol: it may be larger).
nm -S "$VMLINUX" | awk '$3 ~ /^[tT]$/ { print $4, $2, $1 }' >"$tmp/syms"
where() { # name size(hex) -> the address of that function, or name
	local best="" best_size=0 n sz a
	while read -r n sz a; do
		if [ $((0x$sz)) -le $((0x$2)) ] && [ $((0x$sz)) -ge "$best_size" ]; then
			best=$a best_size=$((0x$sz))
		fi
	done < <(awk -v n="$1" '$1 == n' "$tmp/syms")
	if [ -n "$best" ]; then echo "0x$best"; else echo "$1"; fi
}

frames_match() { # decoded output file; checks each annotated symbol
	local out=$1 bad=0 seen=0 line sym off size mod chain bin want at
	while IFS= read -r line; do
		# func+0xOFF/0xSIZE (chain) [mod]
		[[ $line =~ ([A-Za-z0-9_.$]+)\+0x([0-9a-f]+)/0x([0-9a-f]+)\ \(([^\)]*)\)(\ \[([A-Za-z0-9_]+)[^]]*\])? ]] || continue
		sym=${BASH_REMATCH[1]} off=${BASH_REMATCH[2]} size=${BASH_REMATCH[3]} chain=${BASH_REMATCH[4]} mod=${BASH_REMATCH[6]}
		bin=$VMLINUX at=$sym
		if [ -n "$mod" ]; then bin=$MODULE_KO; else at=$(where "$sym" "$size"); fi
		if [[ $at == 0x* ]]; then
			want=$(eu-addr2line -i -e "$bin" "$(printf '0x%x' $((at + 0x$off)))" 2>/dev/null | norm)
		else
			want=$(eu-addr2line -i -e "$bin" "$sym+0x$off" 2>/dev/null | norm)
		fi
		seen=$((seen + 1))
		if [ "$want" != "$chain" ]; then
			echo "# $sym+0x$off [$mod]: kdive '$chain' eu-addr2line '$want'"
			bad=$((bad + 1))
		fi
	done <"$out"
	echo "# $seen annotated symbols checked"
	[ "$seen" -gt 0 ] && [ "$bad" -eq 0 ]
}

all_frames_annotated() { # console, decoded: every frame line gained a chain
	local frames annotated
	frames=$(grep -cE '[A-Za-z0-9_.]+\+0x[0-9a-f]+/0x[0-9a-f]+' "$1")
	annotated=$(grep -cE '[A-Za-z0-9_.]+\+0x[0-9a-f]+/0x[0-9a-f]+ \([^)]*:[0-9]+' "$2")
	echo "# $annotated of $frames symbolic lines annotated"
	[ "$frames" -gt 0 ] && [ "$frames" -eq "$annotated" ]
}

code_matches_objdump() { # console, decoded: the nth marked Code: line
	local console=$1 out=$2 n=0 bad=0 bytes fault want got
	while IFS= read -r bytes; do
		n=$((n + 1))
		fault=$(echo "$bytes" | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^</) {print i - 1; exit}}')
		echo "$bytes" | tr -d '<> ' | xxd -r -p >"$tmp/code.bin"
		want=$(objdump -D -b binary -m i386:x86-64 --start-address="$fault" "$tmp/code.bin" |
			awk -F'\t' '/^ +[0-9a-f]+:\t/ {print $3; exit}')
		got=$(awk -F'\t' -v n="$n" '/^Code starting with the faulting instruction/ {k++; f = k == n; next}
			f && /^ +[0-9a-f]+:\t/ {print $3; exit}' "$out")
		echo "# Code line $n, faulting instruction: kdive '$got' objdump '$want'"
		[ -n "$want" ] && [ "$want" = "$got" ] || bad=$((bad + 1))
	done < <(grep -oE 'Code: ([0-9a-f]{2} )*<[0-9a-f]{2}>( [0-9a-f]{2})*' "$console" | sed 's/^Code: //')
	[ "$n" -gt 0 ] && [ "$bad" -eq 0 ] && [ "$(grep -c '<-- trapping instruction' "$out")" -ge "$n" ]
}

for scenario in oops-module sysrq; do
	console=$LAB/$scenario/console.log
	out=$tmp/$scenario.out
	"$KDIVE" decode "$VMLINUX" auto "$(dirname "$MODULE_KO")" <"$console" >"$out" 2>"$tmp/$scenario.err"
	check "$scenario: decode exits 0" test $? -eq 0
	check "$scenario: no diagnostics with matching debug info" test ! -s "$tmp/$scenario.err"
	check "$scenario: every frame's chain equals eu-addr2line -i" frames_match "$out"
	check "$scenario: every symbolic line annotated" all_frames_annotated "$console" "$out"
	# sysrq-c panics directly: no kernel RIP: line to annotate there.
	if grep -q 'RIP: 0010:' "$console"; then
		check "$scenario: RIP line annotated" grep -qE 'RIP: 0010:[^ ]+\+0x[0-9a-f]+/0x[0-9a-f]+ \(' "$out"
	fi
	check "$scenario: every Code: line's faulting instruction equals objdump's" code_matches_objdump "$console" "$out"
	"$KDIVE" decode --json "$VMLINUX" auto "$(dirname "$MODULE_KO")" <"$console" >"$tmp/$scenario.json" 2>/dev/null
	check "$scenario: decode --json: the chains the text shows, frame by frame; the trapping instructions" python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1])); text = open(sys.argv[2]).read()
want = re.findall(r"\+0x[0-9a-f]+/0x[0-9a-f]+ \(([^)]+)\)", text)
got = [" ".join("%s:%d" % (s["file"], s["line"]) for s in r["source"]) for r in d["records"]
       if r["kind"] in ("frame", "ip") and r["source"]]
assert got == want, (len(got), len(want))
assert d["release"] and d["vmlinux"]
trap = [i["text"] for r in d["records"] if r["kind"] == "code" for i in r.get("instructions", []) if i["trapping"]]
assert trap == re.findall(r"^ *[0-9a-f]+:\*\t[0-9a-f ]*\t(.*)\t\t<-- trapping instruction$", text, re.M), trap
' "$tmp/$scenario.json" "$out"
done

# The seed's module frame: init_module in the module's own source file.
check "module frame resolves into the module's source" \
	grep -qE 'init_module\+0x[0-9a-f]+/0x[0-9a-f]+ \([^)]*kernel_call_trace\.c:[0-9]+\) \[kernel_call_trace\]' "$tmp/oops-module.out"

# Distributions ship modules compressed: .ko.xz (libdw reads it) and
# .ko.zst (kdive decompresses it; Debian 12's libdw cannot).
for z in xz zstd; do
	mkdir -p "$tmp/$z"
	$z -q -c "$MODULE_KO" >"$tmp/$z/$MODULE_NAME.ko.${z/zstd/zst}"
	"$KDIVE" decode "$VMLINUX" auto "$tmp/$z" <"$LAB/oops-module/console.log" >"$tmp/$z.out" 2>"$tmp/$z.err"
	check "module .ko.${z/zstd/zst}: same output as the plain .ko, no diagnostics" \
		eval 'cmp -s "$tmp/oops-module.out" "$tmp/$z.out" && test ! -s "$tmp/$z.err"'
done
head -c 3000 "$tmp/zstd/$MODULE_NAME.ko.zst" >"$tmp/zstd/cut" && mv "$tmp/zstd/cut" "$tmp/zstd/$MODULE_NAME.ko.zst"
"$KDIVE" decode "$VMLINUX" auto "$tmp/zstd" <"$LAB/oops-module/console.log" >/dev/null 2>"$tmp/zcut.err"
check "truncated .ko.zst: one line saying so" eval '[ "$(grep -c "" "$tmp/zcut.err")" -eq 1 ] && grep -q "truncated zstd" "$tmp/zcut.err"'

# -r RELEASE finds nothing on this machine's standard paths unless installed:
# the message names the package, and the log still passes through.
"$KDIVE" decode -r 0.0.0-kdive-none <"$LAB/oops-module/console.log" >"$tmp/r.out" 2>"$tmp/r.err"
check "-r with no debug info: says which package" grep -q 'linux-image-0.0.0-kdive-none-dbg' "$tmp/r.err"
check "-r with no debug info: every log line passes through" subsequence "$LAB/oops-module/console.log" "$tmp/r.out"
"$KDIVE" decode --json -r 0.0.0-kdive-none <"$LAB/oops-module/console.log" >"$tmp/r.json" 2>/dev/null
check "decode --json without debug info: the frames as logged, no source; Code: still listed" python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); fr = [r for r in d["records"] if r["kind"] == "frame"]
assert d["vmlinux"] is None and fr and all(r["source"] == [] for r in fr)
assert any(r["function"] == "init_module" and r["module"] == "kernel_call_trace" for r in d["records"])
assert any(i["trapping"] for r in d["records"] if r["kind"] == "code" for i in r["instructions"])' "$tmp/r.json"

finish
