/* Ctrl-C: kd_session_interrupt (kdive.h) raises a flag a signal handler
 * may set; the work a command does checks it where it loops and reads
 * (every read of kernel memory, every task), so a long `foreach bt` stops
 * at once and the session goes on. One flag for the process, as the
 * signal is. */
#ifndef KD_BASE_INTERRUPT_H
#define KD_BASE_INTERRUPT_H

#include <stdbool.h>

#include "base/err.h"

/* Lowers the flag: a command starts. */
void kd_interrupt_clear(void);

bool kd_interrupted(void);

/* -1 with KD_ERR_INTERRUPTED when the flag is up, else 0. */
int kd_interrupt_check(kd_err *err);

#endif
