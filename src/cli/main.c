#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "kdive/kdive.h"

#define KDIVE_VERSION "0.1.0"

static void usage(FILE *out)
{
	fputs("usage: kdive [--sysroot DIR] [--modules DIR]... [-c 'CMD; CMD'] [-i FILE] [VMLINUX] [VMCORE]\n"
	      "       kdive [--sysroot DIR] decode [-r RELEASE] [-f LOG] [VMLINUX [BASE_PATH|auto] [MODULES_DIR...]]\n"
	      "       kdive help [--json] --commands | COMMAND...\n"
	      "       kdive --version\n"
	      "\n"
	      "  [VMLINUX] VMCORE  open a kdump vmcore with crash's commands (sys, bt, log, ps, mod...)\n"
	      "  [VMLINUX]       the same commands on the running kernel (/proc/kcore; root)\n"
	      "  decode          add source lines to a kernel oops/Call Trace and disassemble Code: lines\n"
	      "  triage DUMP|DIR...  one line per dump with a signature: which dumps are the same crash\n"
	      "  probe ...       Kprobes with perf probe's syntax; probe trace streams the hits\n"
	      "  kdump           can this machine capture a dump: a verdict, each check, the fix\n"
	      "  kdump list [DIR]  the dumps kept in /var/crash: what crashed, how to open each\n"
	      "  ustack PID      a running process's stacks with file:line (as eu-stack, gdb bt)\n"
	      "  help --commands  the session's commands (`help` at the prompt), no dump needed\n"
	      "  help COMMAND...  how to use each (--json: as `help --json`, docs/json.md)\n"
	      "  --sysroot DIR   look for debug info in DIR/usr/lib/debug, DIR/lib/modules, DIR/boot\n"
	      "                  (another machine's files) instead of this system's\n",
	      out);
}

/* The usage, then the session's options (its own --help): the session is
 * what kdive does without a subcommand. */
static int help_all(char *argv0)
{
	usage(stdout);
	putchar('\n');
	fflush(stdout);
	return cmd_session(2, (char *[]){ argv0, "--help", NULL });
}

/* kdive help --commands | [--json] COMMAND...: the session's `help`
 * without a dump; bare `kdive help` is the usage. */
static int help(char *argv0, int argc, char **argv)
{
	int json = 0, commands = 0;
	kd_err err = { "" };

	for (; argc > 0 && argv[0][0] == '-'; argc--, argv++) {
		if (strcmp(argv[0], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[0], "--commands") == 0) {
			commands = 1;
		} else if (strcmp(argv[0], "--help") == 0) {
			return help_all(argv0);
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!json && !commands && argc == 0)
		return help_all(argv0);
	if (kd_session_help((const char *const *)argv, (size_t)argc, json, stdout, &err) != 0) {
		fprintf(stderr, "kdive: help: %s\n", err.msg);
		return 1;
	}
	return 0;
}

/* Options before the subcommand that every subcommand takes. */
const char *cli_sysroot;

int main(int argc, char **argv)
{
	while (argc >= 3 && strcmp(argv[1], "--sysroot") == 0) {
		cli_sysroot = argv[2];
		argv[2] = argv[0];
		argv += 2;
		argc -= 2;
	}
	if (argc < 2) /* the running kernel */
		return cmd_session(argc, argv);
	if (strcmp(argv[1], "decode") == 0)
		return cmd_decode(argc - 1, argv + 1);
	if (strcmp(argv[1], "probe") == 0)
		return cmd_probe(argc - 1, argv + 1);
	if (strcmp(argv[1], "triage") == 0)
		return cmd_triage(argc - 1, argv + 1);
	if (strcmp(argv[1], "kdump") == 0)
		return cmd_kdump(argc - 1, argv + 1);
	if (strcmp(argv[1], "ustack") == 0)
		return cmd_ustack(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0) {
		printf("kdive %s\n", KDIVE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0)
		return help(argv[0], argc - 2, argv + 2);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return help_all(argv[0]);
	return cmd_session(argc, argv);
}
