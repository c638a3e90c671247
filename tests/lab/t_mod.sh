#!/usr/bin/env bash
# mod and sym on every dump of both labs, against what the guest itself
# recorded: /proc/modules (modules.txt: name, size, text address) and the
# oops (console.log: RIP init_module+off in the module). Debug info: found
# in --modules, loaded by -s and -S, refused when it is another module or
# another build.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# The table lists exactly modules.txt's modules, each with its size and
# address as /proc/modules shows them.
same_modules() { # modules.txt, mod output
	awk 'NR == FNR { want[$1] = $2 " " $6; n++; next }
	FNR > 1 && NF >= 5 {
		got = $4 " 0x" $3
		if (!($2 in want)) { print "# " $2 " is not in modules.txt"; bad++ }
		else if (want[$2] != got) { print "# " $2 ": kdive " got ", /proc/modules " want[$2]; bad++ }
		seen++
	}
	END { print "# " seen " of " n " modules"; exit n == 0 || seen != n || bad > 0 }' "$1" "$2"
}

# OBJECT FILE is DIR/NAME.ko for the modules whose .ko DIR has, else
# "(not loaded)" with the in-memory symbols noted as crash notes them (the
# host has no /usr/lib/debug/lib/modules or /lib/modules for the lab's
# kernels, so the default places give nothing).
objects() { # mod output, DIR or "" for none[, the NAME.ko files DIR has]
	awk -v dir="$2" -v have=" ${3:-$DEBUG_MODULES} " 'FNR > 1 && NF >= 5 {
		want = dir != "" && index(have, " " $2 ".ko ") ? dir "/" $2 ".ko" : "(not loaded)  [CONFIG_KALLSYMS]"
		got = substr($0, index($0, $5))
		if (got != want) { print "# " $2 ": " got ", wanted " want; bad++ }
		n++
	}
	END { exit n == 0 || bad > 0 }' "$1"
}

# The module oops: RIP is where the console's "Unable to access opcode
# bytes at X" line starts its window, 42 bytes before (x86
# show_opcodes' PROLOGUE_SIZE); the RIP: line names it func+off [module].
rip_of() { # console.log
	local at
	at=$(grep -m1 -oE 'Unable to access opcode bytes at (RIP )?0x[0-9a-f]+' "$1" | awk '{ print $NF }')
	[ -n "$at" ] && printf '%x\n' $((at + 42))
}
rip_sym() { # console.log -> "init_module+0x13 [kernel_call_trace]"
	grep -m1 -oE 'RIP: 0010:[A-Za-z0-9_.]+\+0x[0-9a-f]+/0x[0-9a-f]+ \[[A-Za-z0-9_]+\]' "$1" |
		sed -E 's/RIP: 0010:([^/]+)\/0x[0-9a-f]+ (.*)/\1 \2/'
}

for series in $LAB_SERIES; do
	load_lab "$series"
	for dump in $(lab_dumps); do
		dir=$LAB/$(dirname "$dump") name="$series $dump"
		k() { timeout 60 "$KDIVE" "$@" "$VMLINUX" "$LAB/$dump" 2>>"$tmp/err"; }
		: >"$tmp/err"
		k -c mod >"$tmp/plain"
		check "$name: mod lists modules.txt's names, sizes and addresses" same_modules "$dir/modules.txt" "$tmp/plain"
		check "$name: without debug info, (not loaded)  [CONFIG_KALLSYMS]" objects "$tmp/plain" ""
		k --modules "$MODULES_DIR" -c mod >"$tmp/found"
		check "$name: --modules DIR: OBJECT FILE is DIR/NAME.ko where DIR has it" objects "$tmp/found" "$MODULES_DIR"
		k -c "mod -S $MODULES_DIR" >"$tmp/all"
		check "$name: mod -S DIR loads every module DIR has" \
			eval 'grep -c "^[0-9a-f]\{16\}  .* $MODULES_DIR/.*\.ko$" "$tmp/all" |
				grep -qx "$(awk -v have=" $DEBUG_MODULES " "index(have, \" \" \$1 \".ko \")" "$dir/modules.txt" | wc -l)"'
		grep -v 'kernel relocated' "$tmp/err" >"$tmp/errors"
		check "$name: no error lines" test ! -s "$tmp/errors"
		grep -q "^$MODULE_NAME " "$dir/modules.txt" || continue
		rip=$(rip_of "$dir/console.log") want=$(rip_sym "$dir/console.log")
		off=$(echo "$want" | sed -E 's/.*\+(0x[0-9a-f]+) .*/\1/')
		check "$name: sym RIP gives the oops' $want from the module's own symbols" \
			eval '[ -n "$rip" ] && k -c "sym $rip" | grep -qxF "$rip (t) $want"'
		check "$name: sym init_module lists the module's, at RIP minus the offset" \
			eval 'k -c "sym init_module" | grep -qxF "$(printf "%x" $((0x$rip - off))) (t) init_module [$MODULE_NAME]"'
	done
	DUMP=$LAB/oops-module/vmcore.zlib
	m() { timeout 60 "$KDIVE" "$VMLINUX" "$DUMP" -c "$1" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc"; }
	one_error() { # exit 1 and one line matching $1
		[ "$(cat "$tmp/rc")" -eq 1 ] && [ "$(grep -vc 'kernel relocated' "$tmp/err")" -eq 1 ] &&
			grep -qE "^kdive: mod: $1" "$tmp/err"
	}
	m "mod -s $MODULE_NAME $MODULE_KO"
	check "$series: mod -s NAME FILE loads it" \
		eval 'awk -v n="$MODULE_NAME" -v ko="$MODULE_KO" "\$2 == n && \$5 == ko { f = 1 } END { exit !f }" "$tmp/out"'
	m "mod -s $MODULE_NAME"
	check "$series: mod -s NAME without a file finds nothing in the default places: one line" \
		one_error "cannot find an object file for module $MODULE_NAME"
	m "mod -s $MODULE_NAME $MODULES_DIR/pvpanic.ko"
	check "$series: another module's .ko is refused in one line" \
		one_error ".*/pvpanic.ko is module pvpanic, not $MODULE_NAME$"
	m "mod -s nosuch $MODULE_KO"
	check "$series: a module that is not loaded: one line" one_error "no module nosuch is loaded"
	other=$(if [ "$series" = 6.1 ]; then "$REPO/lab/kdive-lab" dir 6.12; else "$REPO/lab/kdive-lab" dir 6.1; fi)
	for ko in $MODULE_NAME pvpanic qemu_fw_cfg virtio_blk; do
		m "mod -s $ko $other/modules/$ko.ko"
		check "$series: $ko.ko of the other kernel is refused by build-id" \
			one_error ".*/$ko.ko has build-id [0-9a-f]+, module $ko in the dump has [0-9a-f]+: not the same build"
	done
done

# The standard places, against roots built here from the lab's own
# packages: first the guest's modules as the image package installs them
# (stripped, under /lib/modules), as on any machine that runs the crashed
# kernel; then with the debug .ko files under /usr/lib/debug as well.
in_tree() { # the guest's modules that come from the image package
	local m
	for m in $DEBUG_MODULES; do
		m=${m%.ko}
		[ "$m" = "$MODULE_NAME" ] || [ "$m" = "$LAB_MODULE" ] || echo "$m"
	done
}
for series in $LAB_SERIES; do
	load_lab "$series"
	DUMP=$LAB/oops-module/vmcore.zlib root=$tmp/root-$series in_tree=$(in_tree)
	deb=$(dirname "$(dirname "$LAB")")/debs/${KERNEL_PACKAGE}_${KERNEL_VERSION}_amd64.deb
	mkdir -p "$root"
	# shellcheck disable=SC2046
	dpkg-deb --fsys-tarfile "$deb" 2>/dev/null | tar -x -C "$root" --wildcards \
		$(for m in $in_tree; do echo "*/${m//_/[-_]}.ko*"; done) 2>/dev/null
	got=$(find "$root/lib/modules/$ABI" -name '*.ko*' | wc -l)
	check "$series: the image package's stripped modules unpacked ($got of $(echo $in_tree | wc -w))" \
		test "$got" -eq "$(echo $in_tree | wc -w)"
	"$KDIVE" "$VMLINUX" "$DUMP" -c 'mod; bt' >"$tmp/none.out" 2>/dev/null
	"$KDIVE" --sysroot "$root" "$VMLINUX" "$DUMP" -c 'mod; bt' >"$tmp/stripped.out" 2>"$tmp/stripped.err"
	grep -v 'kernel relocated' "$tmp/stripped.err" >"$tmp/errors"
	echo "# $(cat "$tmp/errors")"
	check "$series: stripped modules installed: mod and bt print what they print without them" \
		cmp -s "$tmp/none.out" "$tmp/stripped.out"
	check "$series: stripped modules installed: one warning line naming the -dbg package" \
		eval '[ "$(wc -l <"$tmp/errors")" -eq 1 ] &&
			grep -qE "^kdive: [0-9]+ modules found only without debug info \(stripped\): " "$tmp/errors" &&
			grep -qF "install linux-image-$ABI-dbg" "$tmp/errors"'
	dbg=$root/usr/lib/debug/lib/modules/$ABI/kernel
	mkdir -p "$dbg"
	for m in $in_tree; do cp "$MODULES_DIR/$m.ko" "$dbg/"; done
	"$KDIVE" --sysroot "$root" "$VMLINUX" "$DUMP" -c mod >"$tmp/debug.out" 2>"$tmp/debug.err"
	check "$series: debug modules installed too: OBJECT FILE is each one under /usr/lib/debug" \
		objects "$tmp/debug.out" "$dbg" "$(for m in $in_tree; do printf '%s.ko ' "$m"; done)"
	check "$series: debug modules installed too: the lab module, not installed, is (not loaded)" \
		grep -qE " $MODULE_NAME .*\(not loaded\)" "$tmp/debug.out"
	check "$series: debug modules installed too: no warning" \
		eval '! grep -v "kernel relocated" "$tmp/debug.err" | grep -q .'
done

# Dumps cut short: mod lists or says in one line what is missing.
load_lab 6.1
DUMP=$LAB/oops-module/vmcore.zlib
check_cut_dumps "$DUMP" "mod; sym init_module" 2

finish
