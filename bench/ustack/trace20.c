/* bench/ustack.sh's program: a 20-frame stack, then the time to name it
 * with kd_backtrace_print (the first time and after) and with glibc's
 * backtrace_symbols (names only, with -rdynamic), to /dev/null. */
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kdive/kdive.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static __attribute__((noinline)) void measure(void)
{
	FILE *null = fopen("/dev/null", "w");
	void *pcs[64];
	int n = kd_backtrace(pcs, 64);
	double t0 = now();
	kd_backtrace_print(pcs, n, null);
	double t1 = now();
	for (int i = 0; i < 100; i++)
		kd_backtrace_print(pcs, n, null);
	double t2 = now();
	for (int i = 0; i < 100; i++) {
		int k = backtrace(pcs, 64);
		char **s = backtrace_symbols(pcs, k);
		for (int j = 0; j < k; j++)
			fprintf(null, "%s\n", s[j]);
		free(s);
	}
	double t3 = now();
	printf("%d %.6f %.6f %.6f\n", n, t1 - t0, (t2 - t1) / 100, (t3 - t2) / 100);
	fclose(null);
}

static __attribute__((noinline)) int deep(int d)
{
	if (d == 0)
		measure();
	else
		deep(d - 1);
	__asm__ volatile("" ::: "memory");
	return d;
}

int main(void)
{
	deep(16); /* + measure, main and libc's start: 20 frames */
	return 0;
}
