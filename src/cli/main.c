#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

#define KDIVE_VERSION "0.1.0"

static void usage(FILE *out)
{
	fputs("usage: kdive [--modules DIR]... [-c 'CMD; CMD'] [-i FILE] VMLINUX VMCORE\n"
	      "       kdive decode [-r RELEASE] [-f LOG] [VMLINUX [BASE_PATH|auto] [MODULES_DIR...]]\n"
	      "       kdive --version\n"
	      "\n"
	      "  VMLINUX VMCORE  open a kdump vmcore with crash's commands (sys, bt, log, ps, mod...)\n"
	      "  decode          add source lines to a kernel oops/Call Trace and disassemble Code: lines\n",
	      out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "decode") == 0)
		return cmd_decode(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0) {
		printf("kdive %s\n", KDIVE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	return cmd_session(argc, argv);
}
