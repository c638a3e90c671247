/* Thin wrapper over libopcodes: one instruction at a time into a string. */
#ifndef KD_DISASM_OPCODES_H
#define KD_DISASM_OPCODES_H

#include <stddef.h>
#include <stdint.h>

#include "disasm/code_line.h"

struct kd_insn {
	int len;          /* bytes consumed; <= 0 when undecodable */
	char text[160];
};

/* Decodes the instruction at buf[off] as if buf were loaded at vma. */
void kd_insn_decode(const unsigned char *buf, size_t n, size_t off, uint64_t vma,
		    enum kd_code_mode mode, struct kd_insn *insn);

/* Names an address for a listing: " <schedule+5>" into buf, or "". */
typedef void (*kd_insn_namer)(void *ctx, uint64_t addr, char *buf, size_t len);

/* The same, with branch targets and RIP-relative operands named as gdb
 * and crash name them ("call   0xffffffff81a0 <__schedule>"). */
void kd_insn_decode_named(const unsigned char *buf, size_t n, size_t off, uint64_t vma,
			  enum kd_code_mode mode, kd_insn_namer namer, void *ctx,
			  struct kd_insn *insn);

#endif
