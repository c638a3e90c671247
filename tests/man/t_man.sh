#!/usr/bin/env bash
# The man pages (scripts/gen-man, make man): kdive(1) and kdive-commands(7)
# render without a warning, the build's are what the generator makes of
# this kdive now, every session command of the registry has its section
# with its usage, summary and help, and every option the CLI's parsers
# accept is in the section of its subcommand.
set -u
. "$(dirname "$0")/../lab/lib.sh"
cd "$REPO"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
MAN=$(dirname "$KDIVE_REAL")/man

for page in kdive.1 kdive-commands.7; do
	scripts/gen-man "$KDIVE_REAL" "$page" >"$tmp/$page"
	check "$page: $MAN/$page is what scripts/gen-man makes of $(basename "$KDIVE_REAL") now (make man)" \
		cmp -s "$MAN/$page" "$tmp/$page"
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$tmp/$page" 2>"$tmp/warn" >"$tmp/$page.txt"
	check "$page: man --warnings renders it without a warning$(sed 's/^/; /' "$tmp/warn" | head -3)" \
		eval '[ ! -s "$tmp/warn" ] && [ -s "$tmp/$page.txt" ]'
	groff -man -ww -z "$tmp/$page" 2>"$tmp/warn"
	check "$page: groff -man -ww finds nothing to warn of$(sed 's/^/; /' "$tmp/warn" | head -3)" test ! -s "$tmp/warn"
done

# The pages' text with roff's escapes undone, for comparing with the
# program's own words.
plain() {
	sed -e 's/\\-/-/g; s/\\(aq/'"'"'/g; s/\\(ga/`/g; s/\\f[BIR]//g; s/^\\&//; s/\\e/\\/g' "$1"
}
plain "$tmp/kdive.1" >"$tmp/kdive.1.plain"
plain "$tmp/kdive-commands.7" >"$tmp/commands.plain"

"$KDIVE_REAL" help --json >"$tmp/help.json"
check "kdive help --json: the registry without a dump" test -s "$tmp/help.json"
python3 - "$tmp/help.json" "$tmp/commands.plain" >"$tmp/missing" <<'EOF'
import json, sys
commands = json.load(open(sys.argv[1]))["commands"]
sections, name = {}, None
for line in open(sys.argv[2]).read().splitlines():
    if line.startswith(".SS "):
        name = line[4:]
        sections[name] = []
    elif line.startswith(".SH "):
        name = None
    elif name:
        sections[name].append(line)
for c in commands:
    text = sections.get(c["name"])
    if text is None:
        print(c["name"], "has no section")
        continue
    for want in [c["usage"], c["summary"]] + c["help"].splitlines():
        if want not in text:
            print(c["name"] + ":", repr(want), "is not in its section")
EOF
count=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["commands"]))' "$tmp/help.json")
check "kdive-commands(7): each of the registry's $count commands has a section with its usage, summary and help$(sed 's/^/; /' "$tmp/missing" | head -5)" \
	eval '[ "$count" -gt 25 ] && [ ! -s "$tmp/missing" ]'

# The section a subcommand's options belong in: the session's, or
# "kdive NAME"'s.
section() { # title (a .SH or .SS line's words)
	awk -v t="$1" '/^\.S[HS] / { s = $0; sub(/^\.S[HS] "?/, "", s); sub(/"$/, "", s); on = s == t; next } on' "$tmp/kdive.1.plain"
}
# The options a parser in FILE accepts: getopt_long's letters and its
# long options (but --help, which every one takes).
accepted() { # file
	grep -oE 'getopt_long\([^"]*"[^"]*"' "$1" | sed -E 's/.*"\+?([^"]*)"/\1/' | tr -d ':h' | grep -o . | sed 's/^/-/'
	grep -oE '\{ "[a-z-]+", (no|required|optional)_argument' "$1" | sed -E 's/\{ "([^"]+)".*/--\1/' | grep -vx -- --help
}
subs=$(grep -oE 'strcmp\(argv\[1\], "[a-z]+"\) == 0\)' src/cli/main.c | sed -E 's/.*"([a-z]+)".*/\1/')
check "main.c dispatches subcommands" test -n "$subs"
for file in src/cli/cmd_*.c; do
	sub=$(basename "$file" .c)
	sub=${sub#cmd_}
	if [ "$sub" = session ]; then title=SESSION; else title="kdive $sub"; fi
	section "$title" >"$tmp/section"
	missing=$(accepted "$file" | sort -u | while read -r opt; do
		grep -qE -- "(^|[^-[:alnum:]])$opt([^-[:alnum:]]|\$)" "$tmp/section" || printf ' %s' "$opt"
	done)
	check "kdive(1): $title's section has every option $file accepts${missing:+ (missing:$missing)}" \
		eval '[ -s "$tmp/section" ] && [ -z "$missing" ]'
done
for sub in $subs; do
	[ "$sub" = help ] && continue # its usage is kdive's own
	check "kdive(1): subcommand $sub has a section" eval '[ -n "$(section "kdive $sub")" ]'
done
for opt in $(grep -oE 'strcmp\(argv\[1\], "-[a-z-]+"\)' src/cli/main.c | sed -E 's/.*"(-[a-z-]+)".*/\1/' | grep -v -- -h); do
	check "kdive(1): kdive's own option $opt is in the SYNOPSIS or DESCRIPTION" \
		eval '{ section SYNOPSIS; section DESCRIPTION; } | grep -qF -- "$opt"'
done
check "kdive help (no operand) prints the usage, kdive help COMMAND the session's command" \
	eval '"$KDIVE_REAL" help | grep -q "^usage: kdive" && "$KDIVE_REAL" help bt | grep -q "^usage: bt "'
check "kdive help NOSUCH: one line, exit 1" \
	eval '! "$KDIVE_REAL" help nosuch 2>"$tmp/err" >/dev/null && [ "$(wc -l <"$tmp/err")" -eq 1 ]'
finish
