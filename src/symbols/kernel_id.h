/* Which kernel printed a log, and which kernel a vmlinux is: release,
 * the first word of the version ("#1") and, when printed, the build-id.
 * Comparing them catches a vmlinux from another build before it produces
 * plausible but wrong source lines. */
#ifndef KD_SYMBOLS_KERNEL_ID_H
#define KD_SYMBOLS_KERNEL_ID_H

#include <stdbool.h>
#include <stddef.h>

struct kd_kernel_id {
	char release[128];
	char version[64];   /* "#1", "#38~22.04.1-Ubuntu" */
	char build_id[129]; /* hex, or "" */
};

/* From a "CPU: 0 PID: 1 Comm: x Not tainted 6.1.0-41-cloud-amd64 #1 ..."
 * line body (prefix already stripped). */
bool kd_kernel_id_from_cpu_line(const char *s, size_t len, struct kd_kernel_id *id);

/* From linux_banner: "Linux version 6.1.0-41-cloud-amd64 (...) #1 SMP ...". */
bool kd_kernel_id_from_banner(const char *banner, struct kd_kernel_id *id);

/* A one-line description of the difference, or false when they agree on
 * everything both know. */
bool kd_kernel_id_differs(const struct kd_kernel_id *log, const struct kd_kernel_id *bin,
			  char *why, size_t len);

#endif
