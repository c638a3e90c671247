/* kdive kdump: kdump readiness (the verdict and each check). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "kdive/kdive.h"

static void usage(FILE *out)
{
	fputs("usage: kdive kdump [--json] [--dir DIR]\n"
	      "       kdive kdump list [--json] [DIR...]\n"
	      "Can this machine capture a kernel dump? A verdict (\"ready\", or \"NOT READY: why;\n"
	      "fix: how\"), then one line per check: crashkernel= and the memory reserved\n"
	      "against what the capture kernel needs, the capture kernel loaded, the kdump\n"
	      "service (kdump-tools, kdump) and its configuration, the dump directory's room\n"
	      "for a dump at its dump level, makedumpfile's known problems with this kernel,\n"
	      "sysrq, panic_on_oops and the other panic knobs, lockdown.\n"
	      "  --dir DIR  check DIR as the dump directory (default: the service's, /var/crash)\n"
	      "  --json     one JSON document (docs/json.md)\n"
	      "Exit status: 0 ready, 1 not ready, 2 usage.\n"
	      "list: every dump below DIR (default /var/crash), Debian's and RHEL's layouts:\n"
	      "date, release, panic, task and function, format, dump level, size, complete\n"
	      "or not, the debug vmlinux installed or its package, the command to open it.\n",
	      out);
}

static int list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kd_kdump_list_opts o = { .sysroot = cli_sysroot, .diag = stderr };
	kd_err err = { "" };
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (kd_kdump_list((const char *const *)argv + optind, (size_t)(argc - optind), &o, stdout, &err) < 0) {
		fprintf(stderr, "kdive: kdump list: %s\n", err.msg);
		return 1;
	}
	return 0;
}

int cmd_kdump(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dir", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kd_kdump_opts o = { 0 };
	kd_err err = { "" };
	int c, rc;

	if (argc > 1 && strcmp(argv[1], "list") == 0)
		return list(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = 1; break;
		case 'D': o.dir = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if ((rc = kd_kdump_status(&o, stdout, &err)) < 0) {
		fprintf(stderr, "kdive: kdump: %s\n", err.msg);
		return 1;
	}
	return rc ? 0 : 1;
}
