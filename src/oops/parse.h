/* Internal to src/oops: the pieces scan.c assembles into line kinds. */
#ifndef KD_OOPS_PARSE_H
#define KD_OOPS_PARSE_H

#include "oops/lex.h"
#include "oops/oops.h"

/* "func+0xOFF/0xSIZE" then, if present, " [mod]" or " [mod build-id]".
 * With need_off false a bare "func" (an ARM32 callee) is accepted too.
 * Fills the span, name, numbers and module of sym; leaves reliable,
 * has_addr and addr to the caller. */
bool kd_oops_parse_sym(struct kd_cur *c, struct kd_oops_sym *sym, bool need_off);

/* "[<hex>]", or with bare_ok also ppc64's "[hex]", then any spaces. */
bool kd_oops_parse_addr(struct kd_cur *c, bool bare_ok, uint64_t *addr);

/* The rest of the line as an instruction dump: "48 8b <0f> 0b",
 * "e3a00000 (e5823000)", "7c0802a6 <0fe00000> XXXXXXXX". Sets code_start
 * and code_end when every token up to trailing blanks is one. */
bool kd_oops_parse_code(struct kd_cur *c, struct kd_oops_line *out);

#endif
