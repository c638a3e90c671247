/* VMCOREINFO: the "KEY=value" lines the kernel leaves for dump readers
 * (release, KASLR offset, symbol addresses, struct offsets). */
#ifndef KD_KERNEL_VMCOREINFO_H
#define KD_KERNEL_VMCOREINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kd_vmcoreinfo;

/* Copies text; never fails on content (unknown lines are kept, bad ones
 * skipped). NULL only when out of memory. */
struct kd_vmcoreinfo *kd_vmcoreinfo_parse(const char *text, size_t len);
void kd_vmcoreinfo_free(struct kd_vmcoreinfo *vi);

/* The value of KEY ("OSRELEASE", "SYMBOL(init_uts_ns)"), or NULL. */
const char *kd_vmcoreinfo_get(const struct kd_vmcoreinfo *vi, const char *key);
/* KEY's value as a number: hex for SYMBOL(), KERNELOFFSET and BUILD-ID-like
 * keys, decimal for NUMBER()/OFFSET()/SIZE()/LENGTH(), as the kernel
 * writes them. */
bool kd_vmcoreinfo_hex(const struct kd_vmcoreinfo *vi, const char *key, uint64_t *out);
bool kd_vmcoreinfo_dec(const struct kd_vmcoreinfo *vi, const char *key, int64_t *out);

/* Which build a dump is, from its VMCOREINFO alone: OSRELEASE and
 * BUILD-ID ("" where it names none). false when it has no VMCOREINFO. */
struct kd_dump;
bool kd_vmcoreinfo_identity(const struct kd_dump *d, char *release, size_t rlen, char *build_id,
			    size_t blen);

#endif
