#include <stdio.h>
#include <time.h>
#include "kdive/kdive.h"
static size_t n;
static void cb(const char *w, void *a) { (void)w; (void)a; n++; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv)
{
	struct kd_session_opts o = { .diag = NULL };
	kd_err err;
	kd_session *s = kd_session_open(argv[1], argv[2], &o, &err);
	const char *lines[] = { "sym a", "sym __x64_sys_", "struct task_", "struct task_struct.", "p init_task.real_parent.", "bt 1", "bt " };
	if (!s) { fprintf(stderr, "%s\n", err.msg); return 1; }
	(void)argc;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		for (int rep = 0; rep < 2; rep++) {
			double t0 = now();
			size_t got;
			n = 0;
			got = kd_session_complete(s, lines[i], __builtin_strlen(lines[i]), cb, NULL);
			printf("%-28s %6zu words  %7.2f ms%s\n", lines[i], got, (now() - t0) * 1e3, rep ? "" : " (first)");
		}
	}
	kd_session_close(s);
	return 0;
}
