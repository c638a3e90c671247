/* ORC unwind tables of x86-64 kernels: for each code address, where the
 * caller's stack pointer, return address and frame pointer are. vmlinux
 * keeps two parallel arrays, .orc_unwind_ip (s32, each relative to its own
 * address, sorted) and .orc_unwind (6-byte entries); a module keeps the
 * same pair in memory (struct module's arch.orc_unwind_ip/orc_unwind),
 * sorted and relocated by the module loader. */
#ifndef KD_UNWIND_ORC_H
#define KD_UNWIND_ORC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kdive/kdive.h"

/* Base registers (arch/x86/include/asm/orc_types.h). */
enum {
	KD_ORC_REG_UNDEFINED = 0,
	KD_ORC_REG_PREV_SP = 1,
	KD_ORC_REG_DX = 2,
	KD_ORC_REG_DI = 3,
	KD_ORC_REG_BP = 4,
	KD_ORC_REG_SP = 5,
	KD_ORC_REG_R10 = 6,
	KD_ORC_REG_R13 = 7,
	KD_ORC_REG_BP_INDIRECT = 8,
	KD_ORC_REG_SP_INDIRECT = 9,
};

/* Entry types, in the 6.4+ numbering; older tables are translated. */
enum kd_orc_type {
	KD_ORC_TYPE_UNDEFINED = 0,    /* no unwind data here: an error */
	KD_ORC_TYPE_END_OF_STACK = 1, /* the outermost frame */
	KD_ORC_TYPE_CALL = 2,         /* return address at prev_sp - 8 */
	KD_ORC_TYPE_REGS = 3,         /* a full struct pt_regs at prev_sp */
	KD_ORC_TYPE_REGS_PARTIAL = 4, /* an IRET frame at prev_sp */
};

/* The bit layout of the flags word changed twice (drgn counts versions):
 * v1 (4.14-6.2) sp_reg:4 bp_reg:4 type:2 end:1, CALL=0 REGS=1 PARTIAL=2;
 * v2 (6.3) adds signal:1 before end; v3 (6.4+) sp_reg:4 bp_reg:4 type:3
 * signal:1 with the numbering above. */
enum kd_orc_version { KD_ORC_V1 = 1, KD_ORC_V2 = 2, KD_ORC_V3 = 3 };

struct kd_orc_entry {
	int32_t sp_offset, bp_offset; /* s16 in the table; wider for DWARF CFI rules */
	uint8_t sp_reg, bp_reg;
	enum kd_orc_type type;
	/* The next frame's ip is exact (interrupted there), not a return
	 * address: look it up as is rather than ip - 1. */
	bool signal;
};

struct kd_orc_table {
	uint64_t ip_addr;          /* runtime address of the first s32 */
	const unsigned char *ip;   /* n s32, little-endian, maybe unaligned */
	const unsigned char *orc;  /* n 6-byte entries */
	size_t n;
	enum kd_orc_version version;
};

/* Decodes entry i of t. */
void kd_orc_entry_at(const struct kd_orc_table *t, size_t i, struct kd_orc_entry *out);

/* Code address of entry i. */
uint64_t kd_orc_ip_at(const struct kd_orc_table *t, size_t i);

/* The entry covering ip (the last one at or below it), by binary search.
 * Returns 0, or -1 when ip is below the table. */
int kd_orc_find(const struct kd_orc_table *t, uint64_t ip, struct kd_orc_entry *out);

#endif
