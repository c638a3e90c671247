#include "kernel/clock.h"

#include <stdio.h>
#include <time.h>

#include "base/err.h"
#include "dump/dump.h"
#include "kernel/vmcoreinfo.h"

/* The timekeeper the kernel last updated: the shadow copy is written
 * first and then copied to tk_core, so it is never older. 6.13+ keeps both
 * in tk_core, a struct tk_data, where crash reads the live one. */
static int timekeeper(struct kd_kernel *k, uint64_t *addr, kd_err *err)
{
	int64_t off = kd_kernel_offsetof(k, "tk_data", "timekeeper", NULL);

	if (off >= 0 && kd_kernel_symbol(k, "tk_core", addr, NULL) == 0) {
		*addr += (uint64_t)off;
		return 0;
	}
	if (kd_kernel_symbol(k, "shadow_timekeeper", addr, err) != 0)
		return kd_wrap(err, "timekeeper");
	return 0;
}

int kd_clock_crash_time(struct kd_kernel *k, int64_t *t, kd_err *err)
{
	const struct kd_dump_info *di = kd_dump_info(k->dump);
	uint64_t tk, sec;

	if (kd_vmcoreinfo_dec(k->vmci, "CRASHTIME", t) && *t > 0)
		return 0;
	if (di && di->timestamp > 0) {
		*t = di->timestamp;
		return 0;
	}
	if (timekeeper(k, &tk, err) != 0 ||
	    kd_kernel_member(k, tk, "timekeeper", "xtime_sec", &sec, err) != 0)
		return kd_wrap(err, "crash time");
	*t = (int64_t)sec;
	return 0;
}

int kd_clock_uptime(struct kd_kernel *k, uint64_t *sec, kd_err *err)
{
	uint64_t tk, mono_sec, offs_boot;

	/* CLOCK_MONOTONIC whole seconds plus the time spent suspended. */
	if (timekeeper(k, &tk, err) != 0 ||
	    kd_kernel_member(k, tk, "timekeeper", "ktime_sec", &mono_sec, err) != 0 ||
	    kd_kernel_member(k, tk, "timekeeper", "offs_boot", &offs_boot, err) != 0)
		return kd_wrap(err, "uptime");
	*sec = mono_sec + offs_boot / 1000000000ULL;
	return 0;
}

void kd_clock_format(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) || strftime(buf, len, "%a %b %e %T %Z %Y", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}
