# Shell helpers shared by the guest's /init and /kdive/watch.sh (busybox ash).
# Everything here uses shell builtins only: watch.sh runs them while the
# other CPU sits in an oops with interrupts off, and a fork there could wait
# forever on an IPI to that CPU.

# One line per process: "PID PPID STATE COMM", read straight from /proc.
ps_list() {
	echo "PID PPID STATE COMM"
	for d in /proc/[0-9]*; do
		read -r stat 2>/dev/null <"$d/stat" || continue
		read -r comm 2>/dev/null <"$d/comm" || continue
		# comm may contain ") ", so cut after the last one
		set -- ${stat##*") "}
		echo "${d#/proc/} $2 $1 $comm"
	done
}

cat_file() {
	while IFS= read -r line; do echo "$line"; done <"$1"
}

# "PID pid comm voluntary nonvoluntary" (context switches: a task whose
# counts are the same in the dump has not run since), then its kernel
# stack as /proc/PID/stack prints it, for every process.
stacks_list() {
	for d in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$d/comm" || continue
		vol=? invol=?
		while read -r key val; do
			case $key in
			voluntary_ctxt_switches:) vol=$val ;;
			nonvoluntary_ctxt_switches:) invol=$val ;;
			esac
		done <"$d/status"
		echo "PID ${d#/proc/} $comm $vol $invol"
		cat_file "$d/stack" 2>/dev/null
	done
}

# "PID pid", then `ls -l /proc/PID/fd`.
fd_list() {
	echo "PID $1"
	ls -l "/proc/$1/fd"
}

# A block the host cuts out of the console or the truth disk into NAME.txt.
truth_block() {
	name=$1
	shift
	echo "==== kdive-truth $name ===="
	"$@"
	echo "==== end ===="
}
