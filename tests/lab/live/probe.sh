# Runs inside a lab guest (lab/kdive-live): kdive probe on the running
# kernel, against what the guest itself does. t_probe.sh checks the files.
NAME=/tmp/kdive-probe-$$-$RANDOM

# tracing starts when kdive says so on stderr
wait_tracing() {
	i=0
	while ! grep -q 'kdive: tracing' "$1" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# 1. a variable with a string and a member: the name and flags the guest opens with
kdive probe trace -n 200 -t 60 'do_sys_openat2 filename:string how->flags' >open.txt 2>open.err &
T=$!
wait_tracing open.err
sh -c ": >$NAME" # O_WRONLY|O_CREAT|O_TRUNC
echo "$NAME" >open-name.txt
sleep 1
kill -TERM $T
wait $T
echo $? >open.rc
cat /sys/kernel/tracing/kprobe_events >after-term.txt
ls /sys/kernel/tracing/instances >instances-after-term.txt

# 2. %return: a failed open returns -ENOENT
kdive probe trace -t 60 'do_sys_openat2%return $retval' >ret.txt 2>ret.err &
T=$!
wait_tracing ret.err
sh -c 'exec cat /kdive-no-such-file-$$' 2>/dev/null
sleep 1
kill -INT $T
wait $T
echo $? >ret.rc

# 3. -s: each hit's kernel stack with file:line
kdive probe trace -s -n 1 -t 30 'do_sys_openat2 filename:string' >stack.txt 2>stack.err &
T=$!
wait_tracing stack.err
cat /proc/version >/dev/null
wait $T
echo $? >stack.rc

# 4. the seed's workflow: sym, dis, then FUNC+OFF with registers; -l, -d
kdive -c 'sym do_sys_openat2' >seed-sym.txt 2>seed-sym.err
grep ' do_sys_openat2$' /proc/kallsyms >seed-kallsyms.txt
kdive -c 'dis do_sys_openat2 4' >seed-dis.txt 2>seed-dis.err
OFF=$(awk 'NR == 3 { sub(/.*<do_sys_openat2\+/, ""); sub(/>.*/, ""); print }' seed-dis.txt)
echo "$OFF" >seed-off.txt
kdive probe -a "do_sys_openat2+$OFF %ax %dx" >seed-add.txt 2>seed-add.err
cat /sys/kernel/tracing/kprobe_events >seed-events.txt
kdive probe -l >seed-list.txt 2>&1
kdive probe trace -n 1 -t 30 kdive:do_sys_openat2 >seed-trace.txt 2>seed-trace.err &
T=$!
wait_tracing seed-trace.err
cat /proc/version >/dev/null
wait $T
kdive probe -d 'do_sys_openat2*' >seed-del.txt 2>&1
cat /sys/kernel/tracing/kprobe_events >seed-after-del.txt

# 5. the lab module (source on the debug disk): a pattern on the line that
# stores the local scaled = 3N+1, N chosen here (odd: the heap object)
N=$((RANDOM % 500 * 2 + 1))
echo "$N" >mod-lazy-n.txt
kdive probe -m kdive_lab -s /usr/lib/debug/src trace -n 1 -t 60 \
	'kdive_lab_poke;WRITE_ONCE(kdive_poked* scaled n o->name:string' >mod-lazy.txt 2>mod-lazy.err &
T=$!
wait_tracing mod-lazy.err
echo "$N" >/sys/module/kdive_lab/parameters/poke
wait $T
# ... and by SRC:LINE (even: the static object)
LINE=$(grep -n 'WRITE_ONCE(kdive_poked' /usr/lib/debug/src/kdive_lab.c | cut -d: -f1)
N=$((RANDOM % 500 * 2 + 2))
echo "$N" >mod-line-n.txt
kdive probe -m kdive_lab trace -n 1 -t 60 "kdive_lab.c:$LINE scaled o->name:string" >mod-line.txt 2>mod-line.err &
T=$!
wait_tracing mod-line.err
echo "$N" >/sys/module/kdive_lab/parameters/poke
wait $T
# ... its .ko not installed: fetched from debuginfod by the build-id the
# loaded module gives (a file:// server: libdebuginfod's own client; the
# guest has no network). The vmlinux stays installed in that root.
ID=$(od -An -tx1 -v /sys/module/kdive_lab/notes/.note.gnu.build-id | tr -d ' \n' | tail -c 40)
mkdir -p /tmp/dsrv/buildid/$ID /tmp/droot/usr/lib/debug/boot
ln -s /usr/lib/debug/lib/modules/$(uname -r)/kdive/kdive_lab.ko /tmp/dsrv/buildid/$ID/debuginfo
ln -s /usr/lib/debug/boot/vmlinux-$(uname -r) /tmp/droot/usr/lib/debug/boot/
DEBUGINFOD_URLS=file:///tmp/dsrv DEBUGINFOD_CACHE_PATH=/tmp/dcache \
	kdive --sysroot /tmp/droot probe -m kdive_lab -V kdive_lab_poke >mod-debuginfod.txt 2>mod-debuginfod.err
kdive --sysroot /tmp/droot probe -m kdive_lab -V kdive_lab_poke >mod-nodebuginfod.txt 2>&1
kdive probe -m kdive_lab -V kdive_lab_poke >mod-vars.txt 2>&1
# ... and before the module is loaded: the kernel arms the probe on load
rmmod kdive_lab
kdive probe -m kdive_lab -a 'kdive_lab_poke n' >mod-unloaded-add.txt 2>&1
cat /sys/kernel/tracing/kprobe_events >mod-unloaded-events.txt
N=$((RANDOM % 1000 + 1))
echo "$N" >mod-unloaded-n.txt
kdive probe trace -n 1 -t 60 kdive:kdive_lab_poke >mod-unloaded.txt 2>mod-unloaded.err &
T=$!
wait_tracing mod-unloaded.err
insmod /kdive/kdive_lab.ko
echo "$N" >/sys/module/kdive_lab/parameters/poke
wait $T
kdive probe -d 'kdive_lab_poke*' >/dev/null 2>&1

# 6. refusals, each one line, nothing left registered
kdive probe -a 'do_sys_openat2+1 %ax' >bad-offset.txt 2>bad-offset.err
kdive probe -a 'no_such_function_kdive' >bad-func.txt 2>bad-func.err
kdive probe -a 'do_sys_openat2 no_such_var' >bad-var.txt 2>bad-var.err
BL=$(awk -F'\t' 'NR == 1 { print $2 }' /sys/kernel/debug/kprobes/blacklist)
echo "$BL" >blacklisted.txt
kdive probe -a "$BL" >bad-black.txt 2>bad-black.err
# a vmlinux of another build (another lab's disk, when attached): -D
# reads it, adding is refused
if [ -d /mnt/other/boot ]; then
	OTHER=$(ls /mnt/other/boot/vmlinux-* | head -n 1)
	kdive probe -k "$OTHER" -a do_sys_openat2 >bad-build.txt 2>bad-build.err
	kdive probe -k "$OTHER" -D do_sys_openat2 >other-define.txt 2>other-define.err
fi
# kprobes switched off as a whole
echo 0 >/sys/kernel/debug/kprobes/enabled
kdive probe -a do_sys_openat2 >kprobes-off.txt 2>kprobes-off.err
echo 1 >/sys/kernel/debug/kprobes/enabled
cat /sys/kernel/tracing/kprobe_events >after-bad.txt
# debugfs mounts tracefs again below it
umount /sys/kernel/debug/tracing 2>/dev/null
umount /sys/kernel/debug
umount /sys/kernel/tracing
kdive probe -l >no-tracefs.txt 2>no-tracefs.err
true
