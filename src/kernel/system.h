/* System-wide facts of the crashed kernel, the ones crash's `sys` banner
 * shows and other commands reuse: utsname, CPUs, memory, load, taint, the
 * panic message, and the state of the dump they come from. */
#ifndef KD_KERNEL_SYSTEM_H
#define KD_KERNEL_SYSTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"

#define KD_UTS_LEN 65 /* __NEW_UTS_LEN + 1 */

struct kd_uts {
	char sysname[KD_UTS_LEN], nodename[KD_UTS_LEN], release[KD_UTS_LEN],
		version[KD_UTS_LEN], machine[KD_UTS_LEN];
};

/* init_uts_ns's utsname (VMCOREINFO's address and offset when given). */
int kd_kernel_uts(struct kd_kernel *k, struct kd_uts *u, kd_err *err);

/* Bits set in a cpumask variable ("__cpu_present_mask", ...). */
int kd_kernel_cpumask_weight(struct kd_kernel *k, const char *mask, int *n, kd_err *err);

/* cpu_khz / 1000, or 0 when unknown. */
unsigned kd_kernel_cpu_mhz(struct kd_kernel *k);

/* Pages of RAM the kernel saw: node_present_pages over all nodes. */
int kd_kernel_memory_pages(struct kd_kernel *k, uint64_t *pages, kd_err *err);

/* Pages below high_memory: crash's base for %MEM. */
int kd_kernel_lowmem_pages(struct kd_kernel *k, uint64_t *pages, kd_err *err);

/* The dump's page size (VMCOREINFO PAGESIZE, else the format's). */
uint32_t kd_kernel_page_size(struct kd_kernel *k);

/* The 1, 5 and 15 minute load averages in hundredths, rounded as
 * /proc/loadavg rounds them. */
int kd_kernel_loadavg(struct kd_kernel *k, unsigned long hundredths[3], kd_err *err);

/* pid_max, 0 when unknown. */
uint32_t kd_kernel_pid_max(struct kd_kernel *k);

/* tainted_mask, 0 when unknown. */
uint64_t kd_kernel_tainted(struct kd_kernel *k);

/* Where the dump came from and what it lacks. */
struct kd_dump_state {
	const char *format;  /* "kdump-compressed (zlib)", "ELF vmcore", ... */
	bool partial;        /* pages left out on purpose (makedumpfile's dump level) */
	bool incomplete;     /* pages missing that should be there (cut short, out of space) */
	int dump_level;      /* -1 when the format does not say */
};
void kd_kernel_dump_state(struct kd_kernel *k, struct kd_dump_state *s);

/* The panic message as crash finds it (its panic_msg[] search): the first
 * log line of the most telling kind ("SysRq : Crash", "Kernel panic - ",
 * "BUG: unable to handle kernel ", "Oops: ", ...), non-printing bytes as
 * '.'; "" when the log has none. */
int kd_kernel_panic_message(struct kd_kernel *k, char *buf, size_t len, kd_err *err);

#endif
