#!/usr/bin/env bash
# The Debian packages (make deb) and make install: the build and lintian
# pass; each package holds its files; the shared library has its soname
# and exports exactly what kdive.h declares; examples/decode.c builds with
# pkg-config against the unpacked packages (shared and static) and against
# a make install tree, and decodes a lab oops as kdive decode does, with
# eu-addr2line's source lines. Nothing is installed on this machine.
set -u
. "$(dirname "$0")/../lab/lib.sh"
load_lab 6.1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

for tool in dpkg-buildpackage dh fakeroot lintian; do
	command -v $tool >/dev/null || { not_ok "$tool is installed (scripts/install-deps installs it)"; finish; exit 1; }
done
ver=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -SVersion)
check "debian/changelog's version is kdive's ($ver)" \
	grep -qF "#define KDIVE_VERSION \"$ver\"" "$REPO/src/cli/main.c"
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
libdir=usr/lib/$ma

# cmocka's own output format (tests/run asks for TAP) tells the results below.
env -u CMOCKA_MESSAGE_OUTPUT make -C "$REPO" deb DEB_DIR="$tmp/deb" >"$tmp/build.log" 2>&1
rc=$?
check "make deb (dpkg-buildpackage -us -uc -b) succeeds" test $rc -eq 0
[ $rc -eq 0 ] || { tail -n 30 "$tmp/build.log" | sed 's/^/# /'; finish; exit 1; }
check "the package build ran the unit tests, all passing" \
	eval 'grep -q "make check-nolab" "$tmp/build.log" && grep -q "^\[  PASSED  \]" "$tmp/build.log" &&
	      ! grep -q "^\[  FAILED  \]" "$tmp/build.log"'

# (as root lintian warns on stderr that it should not be: said, not failed)
lintian --fail-on error "$tmp/deb/kdive_${ver}_$arch.changes" >"$tmp/lintian" 2>"$tmp/lintian.err"; lrc=$?
sed 's/^/# lintian: /' "$tmp/lintian" "$tmp/lintian.err"
check "lintian: ran, no errors (exit $lrc)" eval '[ $lrc -eq 0 ] && ! grep -q "^E:" "$tmp/lintian"'

contents() { # package -> its files and links, without directories and docs
	dpkg -c "$tmp/deb/${1}_${ver}_$arch.deb" | awk '$1 !~ /^d/ { print substr($0, index($0, "./") + 1) }' |
		grep -v '^/usr/share/doc/' | sort
}
contents kdive >"$tmp/kdive.files"
check "kdive holds /usr/bin/kdive" grep -qx /usr/bin/kdive "$tmp/kdive.files"
check "libkdive0 holds the library and its soname link" test "$(contents libkdive0)" = \
	"$(printf '/%s\n' "$libdir/libkdive.so.0 -> libkdive.so.$ver" "$libdir/libkdive.so.$ver")"
check "libkdive-dev holds the header, the .so link, the archive and kdive.pc" test "$(contents libkdive-dev)" = \
	"$(printf '/%s\n' "$libdir/libkdive.a" "$libdir/libkdive.so -> libkdive.so.0" \
		"$libdir/pkgconfig/kdive.pc" usr/include/kdive/kdive.h | sort)"

root=$tmp/root
for p in kdive libkdive0 libkdive-dev; do dpkg -x "$tmp/deb/${p}_${ver}_$arch.deb" "$root"; done
so=$root/$libdir/libkdive.so.0
check "the library's soname is libkdive.so.0" \
	eval 'readelf -d "$so" | grep -q "Library soname: \[libkdive.so.0\]"'
# The header's functions, as the compiler reads them (-aux-info prints
# every prototype with the file that declares it).
echo '#include <kdive/kdive.h>' | gcc -fsyntax-only -I"$root/usr/include" -aux-info "$tmp/protos" -x c -
grep '/kdive/kdive\.h:' "$tmp/protos" | grep -oE '[A-Za-z_0-9]+ \(' | tr -d ' (' | sort >"$tmp/api"
nm -D --defined-only "$so" | awk '{ print $3 }' | sort >"$tmp/exported"
echo "# $(wc -l <"$tmp/api") functions in kdive.h, $(wc -l <"$tmp/exported") exported"
diff "$tmp/api" "$tmp/exported" | sed 's/^/# /'
check "exported dynamic symbols are exactly kdive.h's functions" cmp -s "$tmp/api" "$tmp/exported"
sed -n 's/^ \([a-z_0-9]*\)@Base .*/\1/p' "$REPO/debian/libkdive0.symbols" | sort >"$tmp/symbols"
check "debian/libkdive0.symbols lists every one of them" cmp -s "$tmp/api" "$tmp/symbols"
check "the packaged kdive says its version" eval '[ "$("$root/usr/bin/kdive" --version)" = "kdive $ver" ]'

pc() { # sysroot libdir pkg-config-options...: pkg-config on that tree's kdive.pc alone
	PKG_CONFIG_SYSROOT_DIR=$1 PKG_CONFIG_LIBDIR=$1/$2/pkgconfig pkg-config "${@:3}" kdive
}
# examples/decode.c built with the flags given and run on a lab oops with
# the tree's libraries.
log=$LAB/oops-module/vmcore-dmesg.txt
"$KDIVE" decode "$VMLINUX" <"$log" >"$tmp/want" 2>/dev/null
example() { # name sysroot libdir cc-flags...
	local name=$1 sysroot=$2 lib=$3; shift 3
	gcc -Wall -Werror -o "$tmp/$name" "$REPO/examples/decode.c" "$@" &&
		LD_LIBRARY_PATH=$sysroot/$lib "$tmp/$name" "$VMLINUX" <"$log" >"$tmp/$name.txt" 2>/dev/null
}
check "pkg-config --modversion kdive is $ver" test "$(pc "$root" "$libdir" --modversion)" = "$ver"
# shellcheck disable=SC2046 # pkg-config's flags are words
check "the example builds with pkg-config --cflags --libs kdive (packages) and runs" \
	example decode-pkg "$root" "$libdir" $(pc "$root" "$libdir" --cflags --libs)
check "it links the shared library" eval 'readelf -d "$tmp/decode-pkg" | grep -q "NEEDED.*\[libkdive.so.0\]"'
check "its output is kdive decode's" cmp -s "$tmp/want" "$tmp/decode-pkg.txt"

# vmlinux frames of a name nm has once: each file:line of the chain,
# innermost first, ends the path eu-addr2line -i gives.
nm "$VMLINUX" | awk '$2 ~ /^[tT]$/ { print $3 }' | sort | uniq -u >"$tmp/unique"
frames_like_eu_addr2line() { # decoded log
	local line sym off want i seen=0 bad=0
	local -a chain eu
	while IFS= read -r line; do
		[[ $line =~ \ ([A-Za-z0-9_.]+)\+(0x[0-9a-f]+)/0x[0-9a-f]+\ \(([^\)]*)\)$ ]] || continue
		sym=${BASH_REMATCH[1]} off=${BASH_REMATCH[2]}
		read -ra chain <<<"${BASH_REMATCH[3]}"
		grep -qxF "$sym" "$tmp/unique" || continue
		want=$(eu-addr2line -i -e "$VMLINUX" "$sym+$off" | sed -E 's/:([0-9]+):[0-9]+$/:\1/')
		read -ra eu <<<"$(echo $want)"
		seen=$((seen + 1))
		[ ${#chain[@]} -eq ${#eu[@]} ] || { bad=$((bad + 1)); echo "# $sym+$off: (${chain[*]}), eu-addr2line: ${eu[*]}"; continue; }
		for i in "${!chain[@]}"; do
			[[ ${eu[i]} == "${chain[i]}" || ${eu[i]} == */"${chain[i]}" ]] && continue
			bad=$((bad + 1)); echo "# $sym+$off: (${chain[*]}), eu-addr2line: ${eu[*]}"; break
		done
	done <"$1"
	echo "# $seen frames checked"
	[ $seen -gt 10 ] && [ $bad -eq 0 ]
}
check "its frames' file:line chains are eu-addr2line's" frames_like_eu_addr2line "$tmp/decode-pkg.txt"

# shellcheck disable=SC2046
check "the example links libkdive.a with pkg-config --static --libs kdive (Libs.private)" \
	example decode-static "$root" "$libdir" $(pc "$root" "$libdir" --cflags --static --libs | sed 's/-lkdive /-l:libkdive.a /')
check "that one needs no libkdive.so and prints the same" \
	eval '! readelf -d "$tmp/decode-static" | grep -q "libkdive" && cmp -s "$tmp/want" "$tmp/decode-static.txt"'

# make install into a staging root, from the tree the packages were built in.
inst=$tmp/inst
make -s -C "$tmp/deb/kdive-$ver" install DESTDIR="$inst" PREFIX=/usr >"$tmp/install.log" 2>&1
check "make install DESTDIR=... PREFIX=/usr succeeds" test $? -eq 0
sed 's/^/# /' "$tmp/install.log"
check "it installs kdive, the header, the archive and the library with its links" eval \
	'[ -x "$inst/usr/bin/kdive" ] && [ -f "$inst/usr/include/kdive/kdive.h" ] && [ -f "$inst/usr/lib/libkdive.a" ] &&
	 [ -f "$inst/usr/lib/libkdive.so.$ver" ] && [ "$(readlink "$inst/usr/lib/libkdive.so.0")" = "libkdive.so.$ver" ] &&
	 [ "$(readlink "$inst/usr/lib/libkdive.so")" = libkdive.so.0 ]'
check "its kdive.pc names prefix /usr and libdir /usr/lib" \
	eval 'grep -qx "prefix=/usr" "$inst/usr/lib/pkgconfig/kdive.pc" && grep -qx "libdir=/usr/lib" "$inst/usr/lib/pkgconfig/kdive.pc"'
# shellcheck disable=SC2046
check "the example builds against it with pkg-config and prints what kdive decode does" eval \
	'example decode-inst "$inst" usr/lib $(pc "$inst" usr/lib --cflags --libs) && cmp -s "$tmp/want" "$tmp/decode-inst.txt"'

finish
