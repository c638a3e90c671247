#!/usr/bin/env bash
# `log` on the lab's dumps, both kernels, every dump format: the printk
# ringbuffer read from the dump must equal makedumpfile's own extraction
# (vmcore-dmesg.txt) line for line and end with what the crashed kernel
# printed on its console; options, pipes and bad input.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

TS='^\[ *[0-9]+\.[0-9]{6}\] '
# A record's timestamp, or the indentation of its continuation lines.
strip_prefix() { sed -E "s/$TS|^ {15}//"; }

# The crashed kernel's own console lines, without timestamps: up to the
# capture kernel's "Linux version" banner; guest user-space output (no
# timestamp) is not in the kernel log and is dropped.
first_kernel_console() {
	tr -d '\r' <"$1" | awk '/\] Linux version / && ++n == 2 { exit } { print }' |
		grep -aE "$TS" | strip_prefix
}

# The console's last 20 kernel lines, in order, among the log's last 40
# (messages below the console loglevel are in the log only).
ends_like_console() { # console, log
	first_kernel_console "$1" | tail -20 >"$tmp/want"
	strip_prefix <"$2" | tail -40 >"$tmp/got"
	[ "$(wc -l <"$tmp/want")" -eq 20 ] && subsequence "$tmp/want" "$tmp/got" &&
		[ "$(tail -1 "$tmp/want")" = "$(tail -1 "$tmp/got")" ]
}

# makedumpfile writes a non-printing byte as \xNN where crash prints '.'.
same_as_dmesg() { sed -E 's/\\x[0-9a-f]{2}/./g' "$1" | cmp -s - "$2"; }

run() { "$KDIVE" "$VMLINUX" "$dump" -c "$1" 2>"$tmp/err"; }

check_dump() { # label, console[, vmcore-dmesg.txt]
	local label=$1 console=$2 dmesg=${3:-} o=$tmp/out
	# One session, the way a user would: options, pipes and redirects.
	run "log > $o.log; log -m > $o.m; log -t > $o.t; log | tail -5 > $o.tail; log | grep -c Oops > $o.count"
	check "$label: log exits 0, says nothing on stderr but the relocation" \
		test "$(grep -vc 'kernel relocated' "$tmp/err")" -eq 0
	if [ -n "$dmesg" ]; then
		check "$label: log equals makedumpfile's vmcore-dmesg.txt" same_as_dmesg "$dmesg" "$o.log"
	fi
	check "$label: log ends with the crashed kernel's console lines" ends_like_console "$console" "$o.log"
	check "$label: every line is a timestamped record or a continuation" \
		test "$(grep -cvE "$TS|^ {15}" "$o.log")" -eq 0
	check "$label: log | tail -5" cmp -s "$o.tail" <(tail -5 "$o.log")
	check "$label: log | grep -c Oops" test "$(cat "$o.count")" = "$(grep -c Oops "$o.log")"
	# -m: a level before each record's text (continuation lines indented
	# 3 more), and nothing else changed.
	check "$label: log -m levels, text unchanged" cmp -s "$o.log" \
		<(sed -E "s/($TS)<[0-7]>/\\1/; t; s/^   //" "$o.m")
	check "$label: log -m: the banner is <5> (KERN_NOTICE)" grep -qE "$TS<5>Linux version " "$o.m"
	check "$label: log -m: the panic <0> (KERN_EMERG) or the oops <4> (KERN_DEFAULT)" \
		grep -qE "$TS(<0>Kernel panic - |<4>Oops: )" "$o.m"
	# -t: the text alone, continuation lines no longer indented.
	check "$label: log -t is the text without timestamps" cmp -s "$o.t" <(strip_prefix <"$o.log")
}

# Bad input: a dump cut short. Opening may fail, or log may stop at a
# missing page; either way one line says why, nothing crashes or hangs.
cut_dumps() {
	for fmt in elf kdump; do
		dump=$LAB/sysrq/vmcore.$fmt
		size=$(stat -c %s "$dump")
		for pct in 30 95; do
			head -c $((size * pct / 100)) "$dump" >"$tmp/cut"
			timeout 20 "$KDIVE" "$VMLINUX" "$tmp/cut" -c 'log' >"$tmp/out" 2>"$tmp/err"
			rc=$?
			check "cut $fmt at $pct%: log ends within 20 s, no crash (rc $rc)" test "$rc" -lt 124
			check "cut $fmt at $pct%: at most one error line" \
				test "$(grep -vc 'kernel relocated' "$tmp/err")" -le 1
			if [ -s "$tmp/out" ]; then
				check "cut $fmt at $pct%: what log prints is the dump's log" \
					same_as_dmesg "$LAB/sysrq/vmcore-dmesg.txt" "$tmp/out"
			else
				check "cut $fmt at $pct%: the error names the cut" grep -q 'cut short' "$tmp/err"
			fi
		done
	done
}

for series in $LAB_SERIES; do
	load_lab "$series"
	for scenario in $KDUMP_SCENARIOS; do
		dir=$LAB/$scenario
		for dump in "$dir"/vmcore.*; do
			check_dump "$series $scenario $(basename "$dump")" "$dir/console.log" \
				"$dir/vmcore-dmesg.txt"
		done
	done
	for dump in "$LAB"/qemu-dump/vmcore.*; do
		check_dump "$series qemu-dump $(basename "$dump")" "$LAB/qemu-dump/console.log"
	done

	# -c: the oops was printed by the crashing insmod, whose pid the
	# console's "CPU: N PID: P Comm: insmod" line gives.
	dump=$LAB/oops-module/vmcore.zlib
	pid=$(grep -aoE 'CPU: [0-9]+ (UID: [0-9]+ )?PID: [0-9]+ Comm: insmod' "$LAB/oops-module/console.log" |
		head -1 | sed -E 's/.*PID: ([0-9]+).*/\1/')
	check "$series: log -c: the Oops line's caller is [T$pid]" \
		grep -qE "$TS\[ *T$pid\] Oops: " <(run 'log -c')
	# -d: dev_printk() records carry their device under the text.
	check "$series: log -d: virtio_blk's records name their device" \
		grep -qxE ' {15}DEVICE=\+virtio:virtio[0-9]+' <(run 'log -d')
	# -T: the last record's wall time is the crash time sys shows, give or
	# take the printk clock's drift from the timekeeper.
	last=$(run 'log -T' | grep -E '^\[' | tail -1 | sed -E 's/^\[([^]]*)\].*/\1/')
	date=$(run 'sys' | sed -n 's/^ *DATE: //p')
	check "$series: log -T's last record ($last) is within 3 s of sys's DATE ($date)" \
		test $(($(date -d "$last" +%s) - $(date -d "$date" +%s))) -le 3 -a \
		$(($(date -d "$date" +%s) - $(date -d "$last" +%s))) -le 3
	# -s: the log through kdive decode's decoder, with the session's own
	# vmlinux and the module debug files it found (--modules)
	runm() { "$KDIVE" --modules "$MODULES_DIR" "$VMLINUX" "$dump" -c "$1" 2>"$tmp/err"; }
	runm 'log' >"$tmp/log"
	runm 'log -s' >"$tmp/logs"
	"$KDIVE" decode "$VMLINUX" auto "$MODULES_DIR" <"$tmp/log" >"$tmp/decoded" 2>/dev/null
	check "$series: log -s = kdive decode of log's text with the same vmlinux and modules" \
		eval 'cmp -s "$tmp/decoded" "$tmp/logs" && ! cmp -s "$tmp/log" "$tmp/logs"'
	awk '/Call Trace:/ { on = 1; next } on && /<\/TASK>/ { exit } on && /\+0x[0-9a-f]+\/0x/' "$tmp/logs" >"$tmp/frames"
	check "$series: log -s: each of the Call Trace's $(grep -c . "$tmp/frames") frames has its file:line" \
		eval '[ -s "$tmp/frames" ] && ! grep -vqE " \([^ )]+:[0-9]+[ )]" "$tmp/frames"'
	check "$series: log -s: the module's RIP has its .ko's source line" \
		grep -qE "RIP: 0010:init_module\+0x[0-9a-f]+/0x[0-9a-f]+ \(.*\.c:[0-9]+\) \[" "$tmp/logs"
	runm 'log -s --json' >"$tmp/out"
	check "$series: log -s --json: refused, pointing at kdive decode --json" grep -q "kdive decode --json" "$tmp/out"
	run 'log -x' >"$tmp/out"
	check "$series: log -x is refused in one line with the usage" \
		test ! -s "$tmp/out" -a "$(grep -vc 'kernel relocated' "$tmp/err")" -eq 1 -a \
		"$(grep -c 'usage: log' "$tmp/err")" -eq 1
	[ "$series" = 6.1 ] && cut_dumps
done

finish
