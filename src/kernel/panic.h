/* What kind of crash a dump holds and which of its frames say where it
 * happened, for `triage`'s signatures: the same bug gives the same
 * signature across builds, dump formats and KASLR. */
#ifndef KD_KERNEL_PANIC_H
#define KD_KERNEL_PANIC_H

#include <stdbool.h>
#include <stddef.h>

/* "oops", "BUG", "WARN", "soft lockup", "hard lockup", "hung task",
 * "sysrq", "panic", from the panic message (kd_kernel_panic_message). */
const char *kd_panic_kind(const char *msg);

/* The crash path's own functions (machine_kexec up to the exception
 * entry, panic, the oops printers): not where the bug is. */
bool kd_panic_machinery(const char *fn);

/* The scheduler's functions a sleeping task's stack starts with. */
bool kd_sched_frame(const char *fn);

/* A function's name as builds vary it: without the compiler's .cold,
 * .isra.N, .constprop.N, .part.N suffixes. */
void kd_fn_base_name(const char *fn, char *buf, size_t len);

#endif
