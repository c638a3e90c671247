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

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KDIVE=${KDIVE_BIN:-$REPO/build/kdive}

# Sources the lab's lab.env for SERIES (building the lab on first use).
load_lab() {
	local dir
	dir=$("$REPO/lab/kdive-lab" dir "${1:-6.1}") || { not_ok "lab ${1:-6.1} available"; finish; exit 1; }
	LAB=$dir
	# shellcheck disable=SC1091
	. "$LAB/lab.env"
}
