/* The kernel's own symbol table, decoded from its memory: what kallsyms
 * keeps for /proc/kallsyms (every symbol's name, type letter and address,
 * names compressed through a 256-entry token table, addresses as offsets
 * from a base). With it a dump opens without the debug vmlinux: VMCOREINFO
 * names the tables on 6.0+ kernels. */
#ifndef KD_SYMBOLS_KALLSYMS_H
#define KD_SYMBOLS_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Where the tables are (runtime addresses, from VMCOREINFO). */
struct kd_kallsyms_loc {
	uint64_t num_syms, names, token_table, token_index, offsets, relative_base;
};

/* Reads len bytes of kernel virtual memory at addr. */
typedef int (*kd_kallsyms_read_fn)(void *ctx, uint64_t addr, void *buf, size_t len, kd_err *err);

struct kd_kallsyms;

struct kd_kallsyms *kd_kallsyms_load(const struct kd_kallsyms_loc *loc, kd_kallsyms_read_fn rd,
				     void *ctx, kd_err *err);
void kd_kallsyms_free(struct kd_kallsyms *ks);

/* Kernels before 6.0 do not name the tables in VMCOREINFO: found by their
 * layout in the image after _stext (symbols/kallsyms_scan.c). */
int kd_kallsyms_find(kd_kallsyms_read_fn rd, void *ctx, uint64_t stext, struct kd_kallsyms_loc *loc,
		     kd_err *err);

/* cb for each symbol whose name starts with prefix (Tab completion). */
void kd_kallsyms_names(const struct kd_kallsyms *ks, const char *prefix,
		       void (*cb)(const char *name, void *arg), void *arg);

size_t kd_kallsyms_count(const struct kd_kallsyms *ks);

/* The address of the symbol called name (the first, in kallsyms order). */
int kd_kallsyms_lookup(const struct kd_kallsyms *ks, const char *name, uint64_t *addr,
		       char *letter);

/* The symbol at or below addr among those whose letter is in kinds
 * ("tTwW" for code, NULL for any), its offset and size (to the next
 * symbol's address). NULL below the first. */
const char *kd_kallsyms_at(const struct kd_kallsyms *ks, uint64_t addr, const char *kinds,
			   uint64_t *off, uint64_t *size, char *letter);

#endif
