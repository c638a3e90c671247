/* The running kernel read like a dump: /proc/kcore is an ELF core of the
 * kernel's address space with a VMCOREINFO note (KASLR, page-table root,
 * build-id, where kallsyms is), so the dump readers serve it unchanged.
 * What differs: memory changes between reads (caches are dropped before
 * each command), no CPU panicked (commands default to this program's own
 * task), and running tasks have no stack to unwind. */
#ifndef KD_KERNEL_LIVE_H
#define KD_KERNEL_LIVE_H

#include <stdbool.h>

#include "kernel/kernel.h"
#include "kernel/tasks.h"

#define KD_LIVE_KCORE "/proc/kcore"

/* Why path (/proc/kcore) cannot be read here, in one line naming the fix:
 * missing (CONFIG_PROC_KCORE, /proc not mounted), masked by a container,
 * not root or without CAP_SYS_RAWIO, kernel lockdown. 0 when it opens. */
int kd_live_preflight(const char *path, kd_err *err);

/* The task a session starts on: on a dump the one that panicked
 * (kd_panic_task), on the running kernel this program's own. */
int kd_start_task(struct kd_kernel *k, struct kd_task *t, int *cpu, kd_err *err);

#endif
