/* kdive ustack: another process's stacks (eu-stack, pstack), and the
 * crash handler's helper (--pcs). */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "kdive/kdive.h"

static void usage(FILE *out)
{
	fputs("usage: kdive ustack [--no-debuginfod] PID [-t TID]\n"
	      "       kdive ustack --pcs PID PC...\n"
	      "Every thread's stack of a running process (-t: one thread), each frame as\n"
	      "gdb's bt shows it: function, file:line, calls inlined there as frames of their\n"
	      "own, the library without debug info. The threads are stopped with ptrace while\n"
	      "read (root, or the same user with kernel.yama.ptrace_scope 0). Debug info from\n"
	      "the binaries, .gnu_debuglink, /usr/lib/debug/.build-id, else DEBUGINFOD_URLS by\n"
	      "build-id (--no-debuginfod: not).\n"
	      "--pcs: names addresses of process PID, the first where it faulted (what\n"
	      "kd_crash_handler_install runs).\n",
	      out);
}

static int number(const char *s, int base, uint64_t *v)
{
	char *end;

	*v = strtoull(s, &end, base);
	return *s && !*end ? 0 : -1;
}

int cmd_ustack(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pcs", no_argument, NULL, 'P' },
		{ "no-debuginfod", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t pid, tid = 0, *pcs;
	int c, pcs_mode = 0, rc;
	kd_err err = { "" };

	while ((c = getopt_long(argc, argv, "t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (number(optarg, 10, &tid) != 0 || tid == 0 || tid > 0x7fffffff) {
				fprintf(stderr, "kdive: ustack: -t %s is not a thread id\n", optarg);
				return 2;
			}
			break;
		case 'P': pcs_mode = 1; break;
		case 'N': unsetenv("DEBUGINFOD_URLS"); break; /* libdwfl asks the servers it names */
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc || number(argv[optind], 10, &pid) != 0 || pid == 0 || pid > 0x7fffffff) {
		usage(stderr);
		return 2;
	}
	if (!pcs_mode) {
		if (optind + 1 != argc) {
			usage(stderr);
			return 2;
		}
		rc = kd_ustack((int)pid, (int)tid, stdout, stderr, &err);
	} else {
		size_t n = (size_t)(argc - optind - 1);
		if (tid || n == 0) { /* the addresses are the process's, no thread's */
			usage(stderr);
			return 2;
		}
		if (!(pcs = calloc(n + 1, sizeof(*pcs))))
			return 1;
		for (size_t i = 0; i < n; i++)
			if (number(argv[optind + 1 + i], 16, &pcs[i]) != 0) {
				fprintf(stderr, "kdive: ustack: %s is not a hex address\n", argv[optind + 1 + i]);
				free(pcs);
				return 2;
			}
		rc = kd_ustack_addresses((int)pid, pcs, n, 1, stdout, &err);
		free(pcs);
	}
	if (rc != 0) {
		fprintf(stderr, "kdive: ustack: %s\n", err.msg);
		return 1;
	}
	return 0;
}
