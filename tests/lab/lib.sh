# Shared helpers for the lab tests: TAP output and the lab's location.
# shellcheck shell=bash
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # description, command...
	local d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
finish() { echo "1..$n"; [ "$failed" -eq 0 ]; }

# Every line of $1 appears in $2, in order (kdive only adds to the log).
subsequence() {
	awk 'BEGIN { i = n = 0 } NR == FNR { want[n++] = $0; next } i < n && $0 == want[i] { i++ } END { exit i < n }' "$1" "$2"
}

# --- bt against the console's Call Trace (t_bt.sh, t_noinfo.sh)

# The crashed kernel's console (up to the capture kernel's banner).
first_kernel() { tr -d '\r' <"$1" | awk '/\] Linux version / && ++n == 2 { exit } { print }'; }

# The first Call Trace's reliable frames, one name per line.
console_frames() {
	awk '/Call Trace:/ { on = 1; next } on && (/<\/TASK>/ || /RIP: 0033/ || /---\[ end/) { exit } on' "$1" |
		sed -E 's/^\[ *[0-9]+\.[0-9]+\] *//; s/^ +//' | grep -vE '^(\?|<)' |
		sed -E 's/\+0x[0-9a-f]+\/0x[0-9a-f]+.*//'
}

# The kernel-mode RIP the console printed before that trace, as bt names it
# ("EXC init_module+19"), or nothing (sysrq panics without an exception).
console_rip() {
	awk '/Call Trace:/ { exit } { print }' "$1" | grep -oE 'RIP: 0010:[A-Za-z0-9_.]+\+0x[0-9a-f]+' | head -1 |
		sed -E 's/RIP: 0010://' | while IFS=+ read -r f o; do echo "EXC $f+$((o))"; done
}

# bt output -> the first task's frames: "name" per frame, "EXC func+off"
# per kernel exception frame.
bt_frames() {
	awk '/^PID:/ && ++n == 2 { exit }
	     /^ ?#[0-9]+ \[[0-9a-f]+\] / { print $3; next }
	     /^    \[exception RIP: / { s = $0; sub(/.*RIP: /, "", s); sub(/\]$/, "", s); print "EXC " s }' "$1"
}

# $2 (expected, a file of lines) is a suffix of the frames in $1, starting
# at the first line of $2 that $1 has; lines of $2 before it may only be
# dump_stack* (the console's own printing, returned before the panic).
# Scratch files go to the caller's $tmp.
suffix_matches() {
	local got=$1 want=$2 first
	first=$(grep -nxFf "$got" "$want" | head -1 | cut -d: -f1)
	[ -n "$first" ] || { echo "# no expected frame in bt's"; return 1; }
	if [ "$first" -gt 1 ] && sed -n "1,$((first - 1))p" "$want" | grep -vq '^dump_stack'; then
		echo "# console frames missing from bt: $(sed -n "1,$((first - 1))p" "$want" | paste -sd' ')"
		return 1
	fi
	sed -n "$first,\$p" "$want" >"$tmp/want.tail"
	local start
	start=$(grep -nxF "$(head -1 "$tmp/want.tail")" "$got" | tail -1 | cut -d: -f1)
	sed -n "$start,\$p" "$got" >"$tmp/got.tail"
	if ! cmp -s "$tmp/got.tail" "$tmp/want.tail"; then
		echo "# bt:      $(paste -sd' ' "$tmp/got.tail")"
		echo "# console: $(paste -sd' ' "$tmp/want.tail")"
		return 1
	fi
}

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KDIVE_REAL=${KDIVE_BIN:-$REPO/build/kdive}
# What a test sees must not depend on what the host installed in the
# standard debug-info places (/usr/lib/debug, /lib/modules, /boot): $KDIVE
# looks below an empty --sysroot. Tests of that search build their own
# roots and pass --sysroot again (the last one wins).
TEST_ROOT=$(dirname "$KDIVE_REAL")/test-root
EMPTY_ROOT=$TEST_ROOT/empty
KDIVE=$TEST_ROOT/kdive
# No debuginfod server unless a test starts one: a configured one (Debian's
# profile sets DEBUGINFOD_URLS) would be asked for every dump opened alone.
export DEBUGINFOD_URLS=
mkdir -p "$EMPTY_ROOT"
printf '#!/bin/sh\nexec "%s" --sysroot "%s" "$@"\n' "$KDIVE_REAL" "$EMPTY_ROOT" >"$KDIVE.$$"
chmod +x "$KDIVE.$$" && mv -f "$KDIVE.$$" "$KDIVE"

# The kernels every lab test runs on (KDIVE_LAB_SERIES to run fewer).
LAB_SERIES=${KDIVE_LAB_SERIES:-5.10 6.1 6.12}

# Sources the lab's lab.env for SERIES (building the lab on first use).
load_lab() {
	local dir
	dir=$("$REPO/lab/kdive-lab" dir "${1:-6.1}") || { not_ok "lab ${1:-6.1} available"; finish; exit 1; }
	LAB=$dir
	# shellcheck disable=SC1091
	. "$LAB/lab.env"
}

# The loaded lab's vmlinux as a kernel built without CONFIG_DEBUG_INFO_BTF
# looks: no .BTF section (made once, kept beside it). objcopy refuses to
# remove the section (the vmlinux's relocations name __start_BTF), so it
# is renamed, which is all a reader of ".BTF" can tell.
nobtf_vmlinux() {
	local out=$LAB/vmlinux.nobtf
	if [ ! -s "$out" ]; then
		objcopy --rename-section .BTF=.BTF.removed "$VMLINUX" "$out.$$" && mv -f "$out.$$" "$out"
	fi
	echo "$out"
}

# Every dump of the loaded lab, relative to $LAB: each kdump scenario in
# each format, then the QEMU dumps.
lab_dumps() {
	local s f
	for s in $KDUMP_SCENARIOS; do
		for f in $KDUMP_FORMATS; do
			[ "$f" != dmesg ] && echo "$s/vmcore.$f"
		done
	done
	for f in $QEMU_FORMATS; do echo "qemu-dump/vmcore.$f"; done
}

# A dump cut short at half, 90% and one page before its end: COMMANDS
# must exit 0 or 1 with at most MAX error lines, and at least one cut must
# be reported as truncated. Needs $tmp and $VMLINUX.
check_cut_dumps() { # dump, commands, max error lines
	local dump=$1 cmds=$2 max=$3 size said=0 cut rc
	size=$(stat -c %s "$dump")
	for cut in $((size / 2)) $((size * 9 / 10)) $((size - 4096)); do
		head -c "$cut" "$dump" >"$tmp/cut"
		timeout 60 "$KDIVE" "$VMLINUX" "$tmp/cut" -c "$cmds" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		grep -q "^kdive: .*truncated" "$tmp/err" && said=$((said + 1))
		check "dump cut at $cut bytes: $cmds exits 0 or 1, at most $max error lines" \
			eval '[ $rc -le 1 ] && [ "$(grep -vc "kernel relocated" "$tmp/err")" -le "$max" ]'
	done
	check "a cut dump: kdive says the dump is truncated" test "$said" -gt 0
}

# Copies an ELF vmcore with the page holding virtual address $3 marked
# excluded (its PT_LOAD split, the page given no file bytes), as
# makedumpfile leaves a page it filtered out.
exclude_page() { # src dst vaddr
	python3 - "$@" <<'EOF'
import shutil, struct, sys
src, dst, vaddr = sys.argv[1], sys.argv[2], int(sys.argv[3], 16)
f = open(src, 'rb')
eh = f.read(64)
phoff, = struct.unpack_from('<Q', eh, 0x20)
phentsize, phnum = struct.unpack_from('<HH', eh, 0x36)
f.seek(phoff)
ph = [list(struct.unpack('<IIQQQQQQ', f.read(phentsize))) for _ in range(phnum)]
info = {}
for p in ph:
    if p[0] != 4:
        continue
    f.seek(p[2]); d = f.read(p[5]); o = 0
    while o + 12 <= len(d):
        nsz, dsz, typ = struct.unpack_from('<III', d, o)
        name = d[o + 12:o + 12 + nsz].rstrip(b'\0')
        do = o + 12 + ((nsz + 3) & ~3)
        if name == b'VMCOREINFO':
            for l in d[do:do + dsz].decode(errors='replace').splitlines():
                if '=' in l:
                    k, v = l.split('=', 1); info[k] = v
        o = do + ((dsz + 3) & ~3)
def phys(pa, n):
    for p in ph:
        if p[0] == 1 and p[4] <= pa and pa + n <= p[4] + p[5]:
            f.seek(p[2] + pa - p[4]); return f.read(n)
    raise SystemExit('physical 0x%x not in the dump' % pa)
pgd = int(info['SYMBOL(init_top_pgt)'], 16) - 0xffffffff80000000 + int(info['NUMBER(phys_base)'])
shifts = [48, 39, 30, 21, 12] if info.get('NUMBER(pgtable_l5_enabled)') == '1' else [39, 30, 21, 12]
table = pgd
for i, s in enumerate(shifts):
    e, = struct.unpack('<Q', phys(table + ((vaddr >> s) & 511) * 8, 8))
    if not e & 1:
        raise SystemExit('0x%x not mapped' % vaddr)
    frame = e & 0x000ffffffffff000
    if s in (30, 21) and e & 0x80:
        pa = (frame & ~((1 << s) - 1)) | (vaddr & ((1 << s) - 1)); break
    if s == 12:
        pa = frame | (vaddr & 4095)
    table = frame
page = pa & ~4095
out = []
for p in ph:
    if p[0] == 1 and p[4] <= page and page + 4096 <= p[4] + p[5]:
        typ, fl, off, va, pa0, fsz, msz, al = p
        cut = page - pa0
        if cut:
            out.append([typ, fl, off, va, pa0, cut, cut, al])
        out.append([typ, fl, off + cut, va + cut, page, 0, 4096, al])
        rest = cut + 4096
        if msz > rest:
            out.append([typ, fl, off + rest, va + rest, pa0 + rest, max(fsz - rest, 0), msz - rest, al])
    else:
        out.append(p)
shutil.copyfile(src, dst)
with open(dst, 'r+b') as g:
    g.seek(0, 2); end = (g.tell() + 7) & ~7; g.seek(end)
    for p in out:
        g.write(struct.pack('<IIQQQQQQ', *p))
    g.seek(0x20); g.write(struct.pack('<Q', end))
    g.seek(0x38); g.write(struct.pack('<H', len(out)))
print('excluded physical page 0x%x (virtual 0x%x)' % (page, vaddr))
EOF
}

# --- the live guests (t_live.sh, t_probe.sh)

# A refusal: file holds exactly one line, and it contains text.
one_line() { # description file text
	if [ "$(wc -l <"$2")" = 1 ] && grep -qF -- "$3" "$2"; then ok "$1"; else not_ok "$1: $(head -c 400 "$2")"; fi
}

# Runs tests/lab/live/SCRIPT in a guest of SERIES with $KDIVE_REAL; its
# files land in OUT. A guest that does not finish is run once more (an
# emulator hiccup is not kdive's failure; the log says so); one that fails
# twice is one not-ok line with its log.
live_run() { # series script out
	local try
	for try in 1 2; do
		if "$REPO/lab/kdive-live" run "$1" "$KDIVE_REAL" "$here/live/$2" "$3" 2>"$3.log"; then
			return 0
		fi
		echo "# $1: the live guest running $2 failed (try $try): $(tail -n 1 "$3.log")"
		grep -m 3 -E 'stall|BUG|Oops' "$3/console.log" 2>/dev/null | sed 's/^/# /'
	done
	not_ok "$1: the live guest ran $2"
	sed 's/^/# /' "$3.log"
	return 1
}
