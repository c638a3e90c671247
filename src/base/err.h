/* Error convention for the whole library: functions return 0 / non-NULL on
 * success and -1 / NULL on failure, filling a caller-owned kd_err with one
 * line that names the object (file, address) and what was expected. */
#ifndef KD_BASE_ERR_H
#define KD_BASE_ERR_H

#include "kdive/kdive.h"

#if defined(__GNUC__)
#define KD_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define KD_PRINTF(a, b)
#endif

/* Sets the message; always returns -1 so callers can `return kd_fail(...)`. */
int kd_fail(kd_err *err, const char *fmt, ...) KD_PRINTF(2, 3);

/* Like kd_fail, with ": strerror(errno)" appended. */
int kd_fail_errno(kd_err *err, const char *fmt, ...) KD_PRINTF(2, 3);

/* Prepends "context: " to the message already in err (adds the outer why). */
int kd_wrap(kd_err *err, const char *fmt, ...) KD_PRINTF(2, 3);

#endif
