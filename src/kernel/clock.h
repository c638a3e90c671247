/* The crashed kernel's clocks: when it crashed (wall time) and how long it
 * had been up, for `sys` (DATE, UPTIME) and `log -T`. */
#ifndef KD_KERNEL_CLOCK_H
#define KD_KERNEL_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"

/* Seconds since the epoch at the crash: VMCOREINFO's CRASHTIME (written
 * by the crashing kernel), else the kdump header's time, else the
 * timekeeper's wall clock (QEMU dumps of a kernel without kdump). */
int kd_clock_crash_time(struct kd_kernel *k, int64_t *t, kd_err *err);

/* Whole seconds of CLOCK_BOOTTIME at the last timekeeper update before the
 * crash: what /proc/uptime would have said, without having to know HZ. */
int kd_clock_uptime(struct kd_kernel *k, uint64_t *sec, kd_err *err);

/* "Mon Nov 23 20:29:36 UTC 2026" in the local time zone, as crash prints
 * dates (ctime with the zone); the number of seconds if t has no date. */
void kd_clock_format(int64_t t, char *buf, size_t len);

#endif
