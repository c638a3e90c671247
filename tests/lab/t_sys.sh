#!/usr/bin/env bash
# `sys` on the lab's dumps, both kernels, every dump format and the QEMU
# dumps: crash's banner layout, and each value against what the guest and
# its console said (release.txt, the "Linux version" banner, the panic or
# oops line, the "CPU: N PID: P Comm: C" line, ps.txt, the tsc line) or
# against makedumpfile's kdump header (crash time, utsname).
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export TZ=UTC

LABELS='KERNEL DUMPFILE CPUS DATE UPTIME LOAD_AVERAGE TASKS NODENAME RELEASE VERSION MACHINE MEMORY PANIC PID COMMAND TASK CPU STATE'
TS='^\[ *[0-9]+\.[0-9]{6}\] '

field() { sed -n "s/^ *$1: //p" "$tmp/out"; }

# crash's layout: the labels in this order, right-aligned so that every
# colon is in column 13.
layout_ok() {
	[ "$(awk -F': ' '{ l = $1; sub(/^ +/, "", l); gsub(/ /, "_", l); printf "%s ", l }' "$tmp/out")" = "$LABELS " ] &&
		[ "$(awk 'index($0, ": ") != 13' "$tmp/out" | wc -l)" -eq 0 ]
}

# The crashed kernel's console lines (up to the capture kernel's banner).
first_kernel() { tr -d '\r' <"$1" | awk '/\] Linux version / && ++n == 2 { exit } { print }'; }

# One NUL-padded field of the kdump header's utsname (offset 12, 65 bytes each).
kdump_uts() { dd if="$1" bs=1 skip=$((12 + 65 * $2)) count=65 status=none | tr -d '\0'; }

seconds() { # hh:mm:ss or "N days, hh:mm:ss"
	echo "$1" | awk -F'[:, ]+' '{ d = 0; if (NF == 5) { d = $1; $1 = $3; $2 = $4; $3 = $5 } print d * 86400 + $1 * 3600 + $2 * 60 + $3 }'
}
near() { [ $(($1 - $2)) -le "$3" ] && [ $(($2 - $1)) -le "$3" ]; }

check_sys() { # scenario dir, dump
	local dir=$1 dump=$2 label console kernel cpu_line tainted=
	label="$series $(basename "$dir") $(basename "$dump")"
	console=$tmp/console
	first_kernel "$dir/console.log" >"$console"
	"$KDIVE" "$VMLINUX" "$dump" -c sys >"$tmp/out" 2>"$tmp/err"
	grep -v 'kernel relocated' "$tmp/err" >"$tmp/errors"
	check "$label: crash's layout" layout_ok

	cpu_line=$(grep -aoE 'CPU: [0-9]+ (UID: [0-9]+ )?PID: [0-9]+ Comm: [^ ]+ .*' "$console" | head -1)
	[[ $cpu_line == *" Tainted: "* ]] && tainted='  [TAINTED]'
	check "$label: KERNEL is the vmlinux${tainted:+, tainted as the console says}" \
		test "$(field KERNEL)" = "$VMLINUX$tainted"
	case $dump in
	*/qemu-dump/*)
		check "$label: DUMPFILE, QEMU dumps all of memory" test "$(field DUMPFILE)" = "$dump"
		# panic() without kdump takes the other CPU offline.
		check "$label: CPUS" grep -qxE '        CPUS: 2( \[OFFLINE: 1\])?' "$tmp/out"
		check "$label: DATE, from the timekeeper, within 2 min of when QEMU wrote the dump" \
			near "$(date -d "$(field DATE)" +%s)" "$(stat -c %Y "$dump")" 120
		;;
	*)
		check "$label: DUMPFILE [PARTIAL DUMP] (makedumpfile -d $DUMP_LEVEL)" \
			test "$(field DUMPFILE)" = "$dump  [PARTIAL DUMP]"
		check "$label: CPUS" test "$(field CPUS)" = 2
		kernel=$dir/vmcore.kdump
		check "$label: DATE is the crash time in the kdump header" test "$(field DATE)" = \
			"$(date -d "@$(od -An -t d8 -j 408 -N 8 "$kernel" | tr -d ' ')" '+%a %b %e %T %Z %Y')"
		check "$label: NODENAME RELEASE VERSION MACHINE as in the kdump header's utsname" test \
			"$(field NODENAME)|$(field RELEASE)|$(field VERSION)|$(field MACHINE | sed 's/  (.*//')" = \
			"$(kdump_uts "$kernel" 1)|$(kdump_uts "$kernel" 2)|$(kdump_uts "$kernel" 3)|$(kdump_uts "$kernel" 4)"
		;;
	esac
	check "$label: UPTIME within 2 s of the console's last timestamp" near \
		"$(seconds "$(field UPTIME)")" \
		"$(grep -aE "$TS" "$console" | tail -1 | sed -E 's/^\[ *([0-9]+)\..*/\1/')" 2
	check "$label: LOAD AVERAGE" grep -qxE 'LOAD AVERAGE: [0-9]+\.[0-9]{2}, [0-9]+\.[0-9]{2}, [0-9]+\.[0-9]{2}' "$tmp/out"

	# ps.txt lists the guest's processes (no idle tasks); sys counts every
	# thread.
	local want=$(($(wc -l <"$dir/ps.txt") - 1)) tasks
	tasks=$(field TASKS)
	check "$label: TASKS $tasks >= $want processes in ps.txt" test "$tasks" -ge "$want"
	check "$label: no error" test ! -s "$tmp/errors"

	check "$label: RELEASE is release.txt" test "$(field RELEASE)" = "$(cat "$dir/release.txt")"
	check "$label: VERSION ends the console's Linux version banner" \
		grep -qF " $(field RELEASE) (" <(grep -a '\] Linux version ' "$console" | grep -F ") $(field VERSION)")
	check "$label: MACHINE x86_64 at the tsc's MHz" grep -qxE "     MACHINE: x86_64  \(($(
		grep -aoE 'tsc: (Detected|Refined TSC clocksource calibration:) [0-9]+' "$console" |
			awk '{ print $NF }' | paste -sd'|'
	)) Mhz\)" "$tmp/out"
	check "$label: MEMORY is the guest's $GUEST_MEM_MB MB" test "$(field MEMORY)" = "$((GUEST_MEM_MB / 1024)) GB"

	# crash's choice: a "Kernel panic - " line first, else the oops line.
	local panic want
	panic=$(grep -aE "$TS" "$console" | sed -E "s/$TS//" | grep -m1 -F 'Kernel panic - ')
	if [ -n "$panic" ]; then
		want="\"$panic\""
	else
		want="\"$(grep -aE "$TS" "$console" | sed -E "s/$TS//" | grep -m1 -F 'Oops: ')\" (check log for details)"
	fi
	check "$label: PANIC $want" test "$(field PANIC)" = "$want"

	check "$label: PID COMMAND CPU from the console's '$cpu_line'" test \
		"CPU: $(field CPU) PID: $(field PID) Comm: $(field COMMAND | tr -d '"')" = \
		"$(echo "$cpu_line" | sed -E 's/ UID: [0-9]+//; s/(Comm: [^ ]+) .*/\1/')"
	check "$label: TASK is its task_struct, which is its thread_info" \
		grep -qxE '        TASK: ([0-9a-f]{16})  \[THREAD_INFO: \1\]' "$tmp/out"
	check "$label: STATE" test "$(field STATE)" = "TASK_RUNNING (PANIC)"
}

# Bad input: options, and dumps cut short. Either the dump does not open
# (one line), or sys prints its banner with "(unknown)" where the dump
# lacks data and one line saying why; nothing crashes or hangs.
bad_input() {
	dump=$LAB/sysrq/vmcore.kdump
	"$KDIVE" "$VMLINUX" "$dump" -c 'sys -x' >"$tmp/out" 2>"$tmp/err"
	check "sys -x: refused in one line with the usage" \
		test ! -s "$tmp/out" -a "$(grep -vc 'kernel relocated' "$tmp/err")" -eq 1 -a "$(grep -c 'usage: sys' "$tmp/err")" -eq 1
	size=$(stat -c %s "$dump")
	for pct in 40 75; do
		head -c $((size * pct / 100)) "$dump" >"$tmp/cut"
		timeout 20 "$KDIVE" "$VMLINUX" "$tmp/cut" -c sys >"$tmp/out" 2>"$tmp/err"
		rc=$?
		errors=$(grep -vc 'kernel relocated' "$tmp/err")
		check "cut at $pct%: sys ends within 20 s, no crash (rc $rc)" test "$rc" -lt 124
		check "cut at $pct%: one error line, naming the cut" \
			test "$errors" -eq 1 -a "$(grep -c 'cut short' "$tmp/err")" -eq 1
		if [ -s "$tmp/out" ]; then
			check "cut at $pct%: the banner, [INCOMPLETE], (unknown) where data is missing" \
				sh -c 'grep -q "DUMPFILE: .*\[INCOMPLETE\]" "$1" && grep -q "(unknown)" "$1" && grep -q "^     RELEASE: " "$1"' _ "$tmp/out"
		fi
	done
}

for series in $LAB_SERIES; do
	load_lab "$series"
	for scenario in $KDUMP_SCENARIOS qemu-dump; do
		for dump in "$LAB/$scenario"/vmcore.*; do
			check_sys "$LAB/$scenario" "$dump"
		done
	done
	[ "$series" = 6.1 ] && bad_input
done

finish
