/* Disassembles the bytes of an oops "Code:" line, decodecode's job, with
 * the faulting instruction marked. libopcodes does the decoding so the text
 * is the one objdump, gdb and crash print. */
#ifndef KD_DISASM_CODE_LINE_H
#define KD_DISASM_CODE_LINE_H

#include <stddef.h>
#include <stdio.h>

#include "kdive/kdive.h"

enum kd_code_mode { KD_CODE_X86_64, KD_CODE_I386 };

#define KD_CODE_MAX 256

struct kd_code_bytes {
	unsigned char b[KD_CODE_MAX];
	size_t n;
	long fault;   /* index of the byte in <..> or (..), -1 if unmarked */
};

/* Parses "5b 41 <48> 3d ..." (a span of a Code: line). Fails on anything
 * that is not x86 byte syntax (arm64 words, "Bad RIP value."). */
int kd_code_parse(const char *text, size_t len, struct kd_code_bytes *out, kd_err *err);

/* Writes decodecode-style listings: "All code" with the faulting line
 * marked "<-- trapping instruction", then "Code starting with the faulting
 * instruction". */
void kd_code_print(const struct kd_code_bytes *code, enum kd_code_mode mode, FILE *out);

/* The "All code" listing into j's open array: {"offset": from the
 * faulting byte (from the first byte when unmarked), "bytes": "48 8b ..",
 * "text": null for bytes before the first whole instruction, "trapping"}. */
struct kd_json;
void kd_code_json(const struct kd_code_bytes *code, enum kd_code_mode mode, struct kd_json *j);

#endif
