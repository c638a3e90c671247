#!/usr/bin/env bash
# The layering written in docs/design.md ("may include" column of the
# Layers table) holds for every #include "folder/..." line under src/:
# a folder includes itself, the public header, and the folders its row
# names, nothing else.
set -u
. "$(dirname "$0")/../lab/lib.sh"
cd "$REPO"

# "| `kernel/` | ... | `base`, `dump` |" -> "kernel base dump"
rules=$(awk -F'|' '/^## Layers/ { on = 1; next } on && /^## / { exit }
	on && $2 ~ /`[a-z]+\/`/ {
		f = $2; gsub(/[ `\/]/, "", f); deps = $4; gsub(/[`,]/, " ", deps); print f, deps
	}' docs/design.md)
check "docs/design.md has a Layers table with a may-include column" test -n "$rules"

declare -A allowed
while read -r folder deps; do
	allowed[$folder]=" $folder $(echo $deps) "
done <<<"$rules"

for dir in src/*/; do
	folder=$(basename "$dir")
	if [ -z "${allowed[$folder]+x}" ]; then
		not_ok "src/$folder/ has a row in design.md's Layers table"
		continue
	fi
	bad=$(grep -HnE '^#include "[a-z]+/' "$dir"*.[ch] | while IFS= read -r line; do
		inc=$(echo "$line" | sed -E 's/.*#include "([a-z]+)\/.*/\1/')
		[ "$inc" = kdive ] && continue
		case "${allowed[$folder]}" in *" $inc "*) ;; *) echo "$line" ;; esac
	done)
	[ -n "$bad" ] && echo "$bad" | sed 's/^/# /'
	deps=$(echo ${allowed[$folder]# $folder })
	check "src/$folder/ includes only itself, ${deps:+$deps, }kdive.h" test -z "$bad"
done

# The rules the design names, whatever the table says.
check "cli/ includes only the public header" \
	eval '! grep -hE "^#include \"[a-z]+/" src/cli/*.[ch] | grep -vE "\"(kdive|cli)/"'
check "commands/ never includes dump/ or symbols/" \
	eval '! grep -hE "^#include \"(dump|symbols|memory|decode)/" src/commands/*.[ch]'
check "kernel/ never includes decode/ or commands/" \
	eval '! grep -hE "^#include \"(decode|commands|unwind|cli)/" src/kernel/*.[ch]'
finish
