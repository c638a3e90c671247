/* Struct layouts of the crashed kernel, from the vmlinux's BTF: compact
 * (a few MB), already deduplicated, and parsed in milliseconds, where
 * finding the same in 500 MB of DWARF would cost seconds. */
#ifndef KD_KERNEL_TYPES_H
#define KD_KERNEL_TYPES_H

#include <stdint.h>

#include "kdive/kdive.h"

struct kd_types;

/* BTF bytes (the vmlinux's .BTF section); copied. */
struct kd_types *kd_types_new(const void *btf, size_t len, kd_err *err);
void kd_types_free(struct kd_types *t);

struct kd_member {
	uint64_t offset;     /* bytes from the start of the struct */
	uint64_t size;       /* bytes; 0 for bit-fields */
	uint32_t bit_offset; /* within the byte at offset, for bit-fields */
	uint32_t bit_size;   /* 0 unless a bit-field */
};

/* Layout of "a.b.c" inside struct/union `type` (anonymous members are
 * looked through). Returns 0, or -1 naming what is missing. */
int kd_types_member(struct kd_types *t, const char *type, const char *path,
		    struct kd_member *out, kd_err *err);

/* sizeof(struct/union/typedef `type`), or -1 with err. */
int64_t kd_types_size(struct kd_types *t, const char *type, kd_err *err);

#endif
