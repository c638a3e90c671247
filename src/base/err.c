#include "base/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void vset(kd_err *err, const char *fmt, va_list ap)
{
	if (!err)
		return;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int kd_fail(kd_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, fmt, ap);
	va_end(ap);
	return -1;
}

int kd_fail_errno(kd_err *err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vset(err, fmt, ap);
	va_end(ap);
	if (err) {
		n = strlen(err->msg);
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(saved));
	}
	return -1;
}

int kd_wrap(kd_err *err, const char *fmt, ...)
{
	char outer[sizeof(err->msg)];
	size_t n, keep;
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(outer, sizeof(outer) - 2, fmt, ap);
	va_end(ap);
	n = strlen(outer);
	memcpy(outer + n, ": ", 3);
	n += 2;
	/* Shift the inner message right to make room; it loses its tail if
	 * the whole would not fit. */
	keep = strnlen(err->msg, sizeof(err->msg) - 1);
	if (n + keep >= sizeof(err->msg))
		keep = sizeof(err->msg) - 1 - n;
	memmove(err->msg + n, err->msg, keep);
	memcpy(err->msg, outer, n);
	err->msg[n + keep] = '\0';
	return -1;
}
