#!/usr/bin/env bash
# A kernel kdive has never seen: the lab's dump and vmlinux with every
# copy of the release string rewritten to a release that does not exist
# (9.99.0-...), as a newer kernel would print it. Nothing in kdive may
# depend on the version: the answers are the same, but for the release.
set -u
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

rewrite() { # file out old new: a copy with every occurrence replaced (same length)
	cp --sparse=always "$1" "$2" && python3 - "$2" "$3" "$4" <<'PY'
import mmap, sys
path, old, new = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
assert len(old) == len(new)
n = 0
with open(path, 'r+b') as f, mmap.mmap(f.fileno(), 0) as m:
    at = m.find(old)
    while at >= 0:
        m[at:at + len(old)] = new
        n += 1
        at = m.find(old, at + len(old))
print(n)
PY
}

for series in $LAB_SERIES; do
	load_lab "$series"
	# the same length, so that nothing moves: 6.12.117 -> 9.99.117
	fake=$(echo "$ABI" | sed -E 's/^[0-9]+\.[0-9]+/&X/; s/^[0-9]\.[0-9]X/9.9/; s/^[0-9]\.[0-9][0-9]X/9.99/; s/^[0-9]\.[0-9][0-9][0-9]X/9.999/')
	for dump in sysrq/vmcore.elf qemu-noinfo/vmcore.qemu-elf; do
		n1=$(rewrite "$VMLINUX" "$tmp/vmlinux" "$ABI" "$fake")
		n2=$(rewrite "$LAB/$dump" "$tmp/dump" "$ABI" "$fake")
		echo "# $series $dump: $n1 copies in the vmlinux, $n2 in the dump, now $fake"
		cmds='sys; bt; bt -a; bt 1; ps; mod; log; sym schedule'
		"$KDIVE" "$VMLINUX" "$LAB/$dump" -c "$cmds" 2>&1 | sed "s|$VMLINUX|V|; s|$LAB/$dump|D|" >"$tmp/want"
		"$KDIVE" "$tmp/vmlinux" "$tmp/dump" -c "$cmds" 2>&1 | sed "s|$tmp/vmlinux|V|; s|$tmp/dump|D|; s|$fake|$ABI|g" >"$tmp/got"
		check "$series $dump as release $fake: the same answers" cmp -s "$tmp/want" "$tmp/got" ||
			diff "$tmp/want" "$tmp/got" | head -5 | sed 's/^/# /'
		rm -f "$tmp/vmlinux" "$tmp/dump"
	done
done
finish
