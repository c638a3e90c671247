/* The kernel's tracing filesystem, for kprobe events: where it is mounted,
 * kprobe_events (add, delete, list), the kprobe blacklist, and a private
 * instance (instances/kdive-PID) whose trace_pipe streams the hits. */
#ifndef KD_PROBE_TRACEFS_H
#define KD_PROBE_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>

#include "kdive/kdive.h"

struct kd_tracefs {
	char root[256]; /* /sys/kernel/tracing or /sys/kernel/debug/tracing */
};

/* Finds tracefs with kprobe events; -1 with the fix (mount it, enable
 * kprobes, CONFIG_KPROBE_EVENTS, root) in one line. */
int kd_tracefs_open(struct kd_tracefs *t, kd_err *err);

/* kprobe_events' text (malloc'ed). */
int kd_tracefs_events(struct kd_tracefs *t, char **text, kd_err *err);

/* Appends one line to kprobe_events; a refusal names the kernel's reason
 * (its error_log). */
int kd_tracefs_add(struct kd_tracefs *t, const char *line, kd_err *err);

/* Removes GROUP/EVENT. */
int kd_tracefs_del(struct kd_tracefs *t, const char *group, const char *event, kd_err *err);

/* The kernel's kprobe blacklist (kprobes/blacklist in debugfs; malloc'ed),
 * or NULL when it cannot be read; whether it lists sym. */
char *kd_tracefs_blacklist(void);
bool kd_tracefs_listed(const char *blacklist, const char *sym);

/* Writes text to a file below the root ("instances/kdive-1/events/g/e/enable"). */
int kd_tracefs_write(struct kd_tracefs *t, const char *rel, const char *text, kd_err *err);

/* A full path below the root. */
void kd_tracefs_path(const struct kd_tracefs *t, const char *rel, char *buf, size_t len);

#endif
