/* perf probe's probe syntax, parsed (no debug info needed):
 *   [[GROUP:]EVENT=]FUNC[@SRC][:RLN|+OFF|%return|;PTN] [ARG ...]
 *   [[GROUP:]EVENT=]SRC:ALN|SRC;PTN [ARG ...]
 *   ARG: [NAME=]VAR[->M|.M|[N]]...|$retval|$comm|$params|$vars|%REG|@SYM[+OFF] [:TYPE]
 * The text comes from the command line; it is checked as untrusted input
 * (fuzz/fuzz_probe_spec.c). */
#ifndef KD_PROBE_SPEC_H
#define KD_PROBE_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kdive/kdive.h"

#define KD_PROBE_MAX_ARGS 128 /* the kernel's MAX_TRACE_ARGS */

struct kd_probe_arg {
	char *name;   /* NAME= given, else NULL */
	char *expr;   /* VAR chain, $retval, $comm, $params, $vars, %REG, @SYM */
	char *type;   /* :TYPE, else NULL */
};

struct kd_probe_spec {
	char *group, *event;  /* NULL when not given */
	char *func;           /* FUNC, or NULL for SRC:LINE */
	char *file;           /* @SRC or the SRC of SRC:LINE, else NULL */
	long line;            /* RLN (relative to FUNC's line) or ALN; 0: none */
	bool has_offset;
	uint64_t offset;      /* +OFF */
	bool ret;             /* %return */
	char *pattern;        /* ;PTN (a lazy line pattern), else NULL */
	struct kd_probe_arg args[KD_PROBE_MAX_ARGS];
	size_t nargs;
};

/* Parses text (the words of -a joined by blanks). -1 with err naming the
 * bad part. */
int kd_probe_spec_parse(const char *text, struct kd_probe_spec *s, kd_err *err);
void kd_probe_spec_free(struct kd_probe_spec *s);

#endif
