#!/usr/bin/env bash
# bash completion (completion/kdive) run through bash-completion's own
# framework as Tab would: the subcommands main.c dispatches, options read
# from the program's --help, a release below a --sysroot, the pid of a
# process, the forms of probe and kdump, files and directories.
set -u
. "$(dirname "$0")/../lab/lib.sh"
FRAMEWORK=/usr/share/bash-completion/bash_completion
if [ ! -r "$FRAMEWORK" ]; then
	not_ok "bash-completion is installed ($FRAMEWORK; scripts/install-deps)"
	finish
	exit 1
fi
tmp=$(mktemp -d)
sleep 300 &
pid=$!
trap 'kill "$pid"; rm -rf "$tmp"' EXIT

# What Tab offers at the end of "kdive ARGS" (KDIVE_REAL as the command),
# sorted, one per line; run in $tmp/cwd, which holds a file and a
# directory (readline adds the directory's "/" itself).
mkdir -p "$tmp/cwd/adir"
: >"$tmp/cwd/afile"
tab() { # args as typed, ending in a blank to complete a new word
	(cd "$tmp/cwd" && bash --norc --noprofile -c '
		. "$1" && . "$2" || exit 1
		line="$3 $4"
		read -ra COMP_WORDS <<<"$line"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
		_kdive "$3" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' \
		_ "$FRAMEWORK" "$REPO/completion/kdive" "$KDIVE_REAL" "$1")
}
# tab ARGS offers exactly the words given (sorted).
offers() { # args, words...
	local got want
	got=$(tab "$1")
	shift
	want=$(printf '%s\n' "$@" | sort)
	[ "$got" = "$want" ] || { echo "# offered: $(echo $got)"; echo "# wanted:  $(echo $want)"; return 1; }
}
# tab ARGS offers these words, among others.
includes() { # args, words...
	local got w
	got=$(tab "$1")
	shift
	for w in "$@"; do
		grep -qxF -- "$w" <<<"$got" || { echo "# $w not offered: $(echo $got)"; return 1; }
	done
}

subs=$(grep -oE 'strcmp\(argv\[1\], "[a-z]+"\) == 0\)' "$REPO/src/cli/main.c" | sed -E 's/.*"([a-z]+)".*/\1/')
# shellcheck disable=SC2086
check "kdive <Tab>: the subcommands main.c dispatches ($(echo $subs)), and files" offers "" $subs adir afile
check "kdive d<Tab>: decode" offers "d" decode
check "kdive decode --no<Tab>: --no-debuginfod" offers "decode --no" --no-debuginfod
check "kdive decode -<Tab>: decode's options" offers "decode -" -f -m -r --json --no-debuginfod
check "kdive -<Tab>: the session's options and kdive's own" \
	includes "-" --sysroot --modules --source --json --no-debuginfod -c -i -m -r -s --version

root=$tmp/root
mkdir -p "$root/usr/lib/debug/lib/modules/6.1.0-test-amd64" "$root/lib/modules/6.12.9-other" "$root/lib/modules/6.1.0-test-amd64"
check "kdive --sysroot ROOT decode -r <Tab>: the releases below ROOT" \
	offers "--sysroot $root decode -r " 6.1.0-test-amd64 6.12.9-other
check "kdive --sysroot ROOT decode -r 6.1.<Tab>" offers "--sysroot $root decode -r 6.1." 6.1.0-test-amd64
check "kdive decode -r <Tab>: this system's releases, not ROOT's" \
	eval '! tab "decode -r " | grep -qx 6.12.9-other'
check "kdive -r <Tab>: the session's -r is the sysroot: a directory" offers "-r " adir
check "kdive ustack <Tab>: pids, the one of a process started here among them" includes "ustack " "$pid"
check "kdive ustack PID -t <Tab>: its threads" offers "ustack $pid -t " "$pid"
check "kdive probe <Tab>: its form trace" offers "probe " trace
check "kdive probe -k <Tab>: a file" offers "probe -k " adir afile
check "kdive probe trace -<Tab>: trace's options" offers "probe trace -" -n -s -t --count --stack --time
check "kdive kdump <Tab>: its form list" offers "kdump " list
check "kdive kdump -<Tab>" offers "kdump -" --dir --json
check "kdive kdump list -<Tab>" offers "kdump list -" --json
check "kdive kdump --dir <Tab>, --dir=<Tab>: directories" \
	eval 'offers "kdump --dir " adir && offers "kdump --dir=" adir'
check "kdive decode -f <Tab>: a file" offers "decode -f " adir afile
check "kdive decode VMLINUX <Tab>: a directory or auto" offers "decode afile " adir auto
check "kdive help b<Tab>: the session's commands" offers "help b" bt
finish
