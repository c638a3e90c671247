# The frames each sleeping task's /proc/PID/stack printed (stacks.txt:
# "PID p comm nvcsw nivcsw" then "[<0>] func+0x1/0x2") must be a contiguous
# run of its `bt` frames, for every task that did not run between that
# snapshot and the crash (same context-switch counts in the dump).
# Files: stacks.txt, `foreach task -R pid,nvcsw,nivcsw`, `foreach bt`.
FILENAME == ARGV[1] {
	if ($1 == "PID") { pid = $2; want[pid] = $4 " " $5; nf[pid] = 0; next }
	f = $2; sub(/\+0x.*/, "", f); fr[pid, nf[pid]++] = f; next
}
FILENAME == ARGV[2] {
	if ($1 == "PID:") { p = $2; next }
	if ($1 == "nvcsw") { v = $3; sub(/,/, "", v); nv[p] = v }
	if ($1 == "nivcsw") { v = $3; sub(/,/, "", v); ctx[p] = nv[p] " " v }
	next
}
{
	if ($1 == "PID:") { p = $2; nb[p] = 0; next }
	if ($0 ~ /^ ?#[0-9]+ \[/) bt[p, nb[p]++] = $3
}
END {
	for (pid in want) {
		if (!(pid in ctx)) { missing++; continue }
		if (ctx[pid] != want[pid]) { ran++; continue }
		if (nf[pid] == 0) { empty++; continue }
		found = 0
		for (s = 0; s + nf[pid] <= nb[pid] && !found; s++) {
			ok = 1
			for (i = 0; i < nf[pid] && ok; i++) if (bt[pid, s + i] != fr[pid, i]) ok = 0
			if (ok) found = 1
		}
		if (found) good++
		else { bad++; printf "# pid %s: /proc/PID/stack", pid; for (i = 0; i < nf[pid]; i++) printf " %s", fr[pid, i]; printf "; bt"; for (i = 0; i < nb[pid]; i++) printf " %s", bt[pid, i]; print "" }
	}
	printf "# %d tasks checked, %d ran after, %d with no stack, %d not in dump\n", good + bad, ran, empty, missing
	exit bad > 0 || good == 0
}
