# Shell helpers shared by lab/kdive-lab and lab/kdive-live (bash).

# A dynamic binary into a guest root: the binary at DEST (default: its own
# path), every library ldd lists, and the loader, at their host paths.
copy_with_libs() { # binary root [dest]
	local bin=$1 root=$2 dest=${3:-$1} lib
	install -D -m 755 "$bin" "$root$dest"
	for lib in $(ldd "$bin" | grep -oE '/[^ ]+'); do
		[[ -e $root$lib ]] || install -D -m 755 "$(readlink -f "$lib")" "$root$lib"
	done
}
