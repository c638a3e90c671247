/* Session commands, one file each (sys.c, bt.c, log.c, ps.c, mod.c), with
 * crash's names, options and output layout so habits and scripts carry
 * over. A command writes to `out`; on failure it returns -1 with err set
 * (one line: what failed and why), and the session goes on. */
#ifndef KD_COMMANDS_COMMAND_H
#define KD_COMMANDS_COMMAND_H

#include <stdio.h>

#include "kdive/kdive.h"
#include "kernel/kernel.h"

struct kd_session {
	struct kd_kernel *k;
	char **module_dirs;       /* --modules DIR, then mod -S DIR */
	size_t n_module_dirs;
};

struct kd_command {
	const char *name;
	const char *usage;   /* "bt [-a] [-l] [PID | TASK]" */
	const char *summary; /* one line for `help` */
	const char *help;    /* the rest of `help NAME` */
	int (*run)(struct kd_session *s, int argc, char **argv, FILE *out, kd_err *err);
};

/* NULL-terminated, in `help` order. */
extern const struct kd_command *const kd_commands[];

const struct kd_command *kd_command_find(const char *name);

#endif
