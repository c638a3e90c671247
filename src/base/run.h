/* Runs a helper program and keeps what it prints: `makedumpfile -v` for
 * kdump's readiness. */
#ifndef KD_BASE_RUN_H
#define KD_BASE_RUN_H

#include <stddef.h>

#include "kdive/kdive.h"

/* Runs argv (argv[0] looked up in PATH, stdin /dev/null) and puts its
 * stdout and stderr, NUL-terminated and cut to len, in out; a program
 * still running after timeout_ms is killed. Returns its exit status, or
 * -1 with err when it could not be run (KD_ERR_LOOKUP: not installed). */
int kd_run(char *const argv[], char *out, size_t len, int timeout_ms, kd_err *err);

#endif
