/* kdive decode: decode_stacktrace.sh's arguments, plus -f for a log file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "kdive/kdive.h"

static void usage(FILE *out)
{
	fputs("usage: kdive decode [--json] [-f LOG] VMLINUX [BASE_PATH|auto] [MODULES_DIR...]\n"
	      "       kdive decode [--json] [-f LOG] -r RELEASE [MODULES_DIR...]\n"
	      "       kdive decode [--json] [-f LOG] [-m MODULES_DIR]...   (release read from the log)\n"
	      "Reads a kernel log (stdin or -f LOG) and prints it with source lines added to\n"
	      "each stack frame and RIP line, and each Code: line disassembled. Without debug\n"
	      "info the frames stay as logged and the Code: lines are still disassembled.\n"
	      "Debug files not installed are fetched from DEBUGINFOD_URLS by build-id: a\n"
	      "module's from the log (\"[mod BUILD-ID]\"), and when the log is the running\n"
	      "kernel's, those it gives.\n"
	      "  --json           the frames, their source lines and the Code: listings as\n"
	      "                   one document (docs/json.md)\n"
	      "  --no-debuginfod  do not fetch debug files\n",
	      out);
}

int cmd_decode(int argc, char **argv)
{
	struct kd_decode_opts opts = { .sysroot = cli_sysroot };
	const char **dirs = calloc((size_t)argc + 1, sizeof(*dirs));
	const char *logfile = NULL;
	FILE *in = stdin;
	kd_decoder *dec;
	kd_err err = { "" };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "no-debuginfod", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	if (!dirs)
		return 1;
	while ((c = getopt_long(argc, argv, "+r:f:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': opts.json = 1; break;
		case 'N': opts.no_debuginfod = 1; break;
		case 'r': opts.release = optarg; break;
		case 'f': logfile = optarg; break;
		case 'm': dirs[opts.n_module_dirs++] = optarg; break;
		case 'h': usage(stdout); free(dirs); return 0;
		default: usage(stderr); free(dirs); return 2;
		}
	}
	if (!opts.release && optind < argc)
		opts.vmlinux = argv[optind++];
	if (opts.vmlinux && optind < argc)
		opts.basepath = argv[optind++];
	while (optind < argc)
		dirs[opts.n_module_dirs++] = argv[optind++];
	opts.module_dirs = dirs;

	if (logfile && !(in = fopen(logfile, "r"))) {
		perror(logfile);
		free(dirs);
		return 1;
	}
	dec = kd_decoder_new(&opts, &err);
	if (!dec) {
		fprintf(stderr, "kdive: %s\n", err.msg);
		rc = 1;
	} else {
		rc = kd_decoder_run(dec, in, stdout, stderr, &err) == 0 ? 0 : 1;
		if (rc)
			fprintf(stderr, "kdive: %s\n", err.msg);
		kd_decoder_free(dec);
	}
	if (in != stdin)
		fclose(in);
	free(dirs);
	return rc;
}
