# Runs inside a lab guest (lab/kdive-live): the live session's answers next
# to what the guest itself says, with and without the debug vmlinux, then
# the preflight failures. t_live.sh compares them on the host.
. /kdive/lib.sh

run() { # name: a kdive session, then the next words as its commands
	name=$1
	shift
	kdive -c "$*" >"$name.txt" 2>"$name.err"
	echo "$?" >"$name.rc"
}

both() { # suffix: everything that works with and without the vmlinux
	ps_list >ps-before$1.txt
	stacks_list >stacks$1.txt
	run ps$1 ps
	run bt$1 'foreach bt'
	run ctx$1 'foreach task -R pid,nvcsw,nivcsw'
	ps_list >ps-after$1.txt
	cat /proc/modules >modules$1.txt
	run mod$1 mod
	run log$1 log
	dmesg >dmesg$1.txt
	run jiffies$1 'rd -d jiffies; p (unsigned long)jiffies'
	sleep 0.2
	run jiffies2$1 'rd -d jiffies; p (unsigned long)jiffies'
	run sys$1 sys
	grep ' do_sys_openat2$' /proc/kallsyms >kallsyms$1.txt
	run sym$1 'sym do_sys_openat2'
}

both ""
umount /usr/lib/debug
both -nodebug

# What stops a live session, one line each.
mkdir -p /etc
echo 'nobody:x:65534:65534::/:/bin/sh' >/etc/passwd
su nobody -s /bin/sh -c 'kdive -c sys' >nonroot.txt 2>nonroot.err
mount --bind /dev/null /proc/kcore && kdive -c sys >masked.txt 2>masked.err
umount /proc/kcore
# kdump readiness without crashkernel= (this guest's command line)
kdive kdump --dir /tmp >kdump-nocrash.txt 2>&1
echo $? >kdump-nocrash.rc
cat /proc/cmdline >cmdline.txt
mount -t securityfs securityfs /sys/kernel/security
echo confidentiality >/sys/kernel/security/lockdown && kdive -c sys >lockdown.txt 2>lockdown.err
kdive kdump --dir /tmp >kdump-lockdown.txt 2>&1
true
