# Runs inside a lab guest booted with crashkernel= (lab/kdive-live with
# KDIVE_LIVE_APPEND): kdive kdump at each step of making the machine
# ready, with the truths beside. t_kdump.sh checks the files.
mkdir -p /mnt/big /mnt/small /etc/default
mount -t tmpfs -o size=512m none /mnt/big
mount -t tmpfs -o size=1m none /mnt/small
cat /proc/cmdline >cmdline.txt
cat /sys/kernel/kexec_crash_size >crash-size.txt
makedumpfile -v >makedumpfile-v.txt 2>&1
# 1. memory reserved, no capture kernel loaded
kdive kdump --dir /mnt/big >notloaded.txt 2>&1
echo $? >notloaded.rc
# 2. the capture kernel loaded, as the lab's kdump guests load it
kexec -p /kexec/vmlinuz --initrd=/kexec/initrd --append="console=ttyS0,115200 nr_cpus=1 irqpoll reset_devices"
cat /sys/kernel/kexec_crash_loaded >loaded.txt
kdive kdump --dir /mnt/big >ready.txt 2>&1
echo $? >ready.rc
kdive kdump --dir /mnt/big --json >ready.json 2>ready.err
# 3. a dump directory without room
kdive kdump --dir /mnt/small >full.txt 2>&1
echo $? >full.rc
df -k /mnt/big /mnt/small >df.txt
# 4. the services' configuration: Debian's kdump-tools, then RHEL's kdump
printf 'USE_KDUMP=1\nKDUMP_COREDIR="/mnt/small"\nMAKEDUMP_ARGS="-c -d 1"\n' >/etc/default/kdump-tools
kdive kdump >debian.txt 2>&1
echo $? >debian.rc
printf 'USE_KDUMP=0\n' >/etc/default/kdump-tools
kdive kdump --dir /mnt/big >disabled.txt 2>&1
echo $? >disabled.rc
rm /etc/default/kdump-tools
printf '# kdump.conf\npath /mnt/big\ncore_collector makedumpfile -l --message-level 7 -d 31\n' >/etc/kdump.conf
kdive kdump >rhel.txt 2>&1
echo $? >rhel.rc
rm /etc/kdump.conf
# 5. no makedumpfile in PATH
PATH=/usr/local/bin:/bin kdive kdump --dir /mnt/big >nomakedumpfile.txt 2>&1
true
