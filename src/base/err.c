#include "base/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/interrupt.h"

static void vset(kd_err *err, enum kd_err_code code, const char *fmt, va_list ap)
{
	if (!err)
		return;
	err->code = code;
	memset(&err->fault, 0, sizeof(err->fault));
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int kd_fail(kd_err *err, enum kd_err_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int kd_fail_errno(kd_err *err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vset(err, saved == ENOMEM ? KD_ERR_NOMEM : KD_ERR_IO, fmt, ap);
	va_end(ap);
	if (err) {
		n = strlen(err->msg);
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(saved));
	}
	return -1;
}

int kd_oom(kd_err *err)
{
	return kd_fail(err, KD_ERR_NOMEM, "out of memory");
}

int kd_fault(kd_err *err, enum kd_fault_kind kind, uint64_t phys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, KD_ERR_FAULT, fmt, ap);
	va_end(ap);
	if (err) {
		err->fault.kind = kind;
		err->fault.phys = phys;
	}
	return -1;
}

void kd_fault_set_virt(kd_err *err, uint64_t virt)
{
	if (err && err->code == KD_ERR_FAULT && !err->fault.has_virt) {
		err->fault.virt = virt;
		err->fault.has_virt = 1;
	}
}

void kd_vwarn(FILE *diag, const char *who, const char *fmt, va_list ap)
{
	/* after Ctrl-C, the reads that fail are the ones we stopped */
	if (!diag || kd_interrupted())
		return;
	fputs("kdive: ", diag);
	if (who)
		fprintf(diag, "%s: ", who);
	vfprintf(diag, fmt, ap);
	fputc('\n', diag);
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
