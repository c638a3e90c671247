/* The crash handler's test program: installs it (kdive's path as argv[1]),
 * prints its own "who called me?" trace, then dereferences NULL. */
#include <stdio.h>
#include <stdlib.h>

#include "kdive/kdive.h"

static __attribute__((noinline)) void who_called(void)
{
	void *pcs[64];
	int n = kd_backtrace(pcs, 64); /* WHO_CAPTURE */
	kd_backtrace_print(pcs, n, stdout);
	fflush(stdout);
}

static __attribute__((noinline)) void boom(int *p)
{
	*p = 42; /* BOOM */
}

static inline __attribute__((always_inline)) void step(int *p)
{
	boom(p); /* STEP_CALL */
}

static __attribute__((noinline)) void run(int *p)
{
	who_called(); /* RUN_WHO */
	step(p); /* RUN_STEP */
}

int main(int argc, char **argv)
{
	if (kd_crash_handler_install(argc > 1 ? argv[1] : NULL) < 0)
		return 2;
	run(getenv("KD_NO_SUCH_VARIABLE") ? (int *)1 : NULL); /* MAIN_RUN */
	return 0;
}
