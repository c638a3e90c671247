/* Error convention for the whole library: functions return 0 / non-NULL on
 * success and -1 / NULL on failure, filling a caller-owned kd_err with one
 * line that names the object (file, address) and what was expected, and a
 * code (kdive.h) saying what kind of failure it is.
 *
 * err may be NULL: the caller only wants to know whether the call worked
 * (probing an optional symbol or member, scanning memory that may not be
 * there). Every function taking a kd_err accepts NULL and then stays
 * silent; a caller that reports the failure must pass an err. */
#ifndef KD_BASE_ERR_H
#define KD_BASE_ERR_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "kdive/kdive.h"

#if defined(__GNUC__)
#define KD_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define KD_PRINTF(a, b)
#endif

/* Sets the code and message; always returns -1 so callers can
 * `return kd_fail(...)`. */
int kd_fail(kd_err *err, enum kd_err_code code, const char *fmt, ...) KD_PRINTF(3, 4);

/* KD_ERR_IO (KD_ERR_NOMEM for ENOMEM) with ": strerror(errno)" appended. */
int kd_fail_errno(kd_err *err, const char *fmt, ...) KD_PRINTF(2, 3);

/* The one out-of-memory error: "out of memory", KD_ERR_NOMEM. */
int kd_oom(kd_err *err);

/* Memory the dump does not hold (KD_ERR_FAULT) at physical address phys. */
int kd_fault(kd_err *err, enum kd_fault_kind kind, uint64_t phys, const char *fmt, ...)
	KD_PRINTF(4, 5);

/* Prepends "context: " to the message already in err (adds the outer
 * why); the code and fault stay. */
int kd_wrap(kd_err *err, const char *fmt, ...) KD_PRINTF(2, 3);

/* Records the virtual address whose read faulted (memory/ calls it). */
void kd_fault_set_virt(kd_err *err, uint64_t virt);

/* One warning line on a diagnostics stream: "kdive: [who: ]text". Nothing
 * when diag is NULL. */
void kd_vwarn(FILE *diag, const char *who, const char *fmt, va_list ap);

/* True when err reports memory the dump does not hold. */
static inline int kd_err_is_fault(const kd_err *err)
{
	return err && err->code == KD_ERR_FAULT;
}

#endif
