# Sourced by a shell pinned to CPU 1 (taskset 2 sh /kdive/watch.sh).
#
# The seed module oopses inside its init function, so /proc/modules lists it
# (state "Loading") only while the oops is being handled on CPU 0; insmod
# never returns. This watcher spins until the module shows up, then writes
# the modules and process lists of that moment to the truth disk (/dev/vdb).
# printk_delay, set by /init, stretches the oops printing so that the write
# lands before panic() stops this CPU. Builtins only (see lib.sh).
. /kdive/lib.sh

while :; do
	while read -r mod rest; do
		[ "$mod" = kernel_call_trace ] && break 2
	done </proc/modules
done

{
	truth_block modules cat_file /proc/modules
	truth_block ps ps_list
	echo "==== kdive-truth-done ===="
} >/dev/vdb

# Keep spinning: exiting would make CPU 1 run other things (exit needs
# cleanup that may IPI the oopsing CPU).
while :; do :; done
