/* kdive probe: Kprobes on the running kernel with perf probe's options,
 * and `kdive probe trace` to read the hits. The words after -a/-D/-V (and
 * bare words when no action is given) form one probe definition, as with
 * perf probe. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "kdive/kdive.h"

static void usage(FILE *out)
{
	fputs("usage: kdive probe [-k VMLINUX] [-m MODULE|KO] [--no-inlines] [-s DIR] ACTION\n"
	      "  -a, --add 'DEF'      add kprobe events (DEF below; also without -a)\n"
	      "  -D, --definition 'DEF'  print their kprobe_events lines, add nothing\n"
	      "  -V, --vars 'FUNC[:RLN|+OFF]'  the variables a probe there can fetch\n"
	      "  -L, --line FUNC      the lines of FUNC a probe can go on\n"
	      "  -l, --list           the kprobe events defined (other tools' left alone)\n"
	      "  -d, --del [GROUP:]EVENT  remove events (glob; group kdive by default)\n"
	      "  -k, --vmlinux FILE   the debug vmlinux (default: the running kernel's)\n"
	      "  -m, --module NAME|KO  probe a module (loaded or not)\n"
	      "  -s, --source DIR     source tree for -L and ;PTN (else DWARF's paths and\n"
	      "                       Debian's linux-source tarball)\n"
	      "      --no-inlines     only out-of-line copies of a function\n"
	      "      --no-debuginfod  do not fetch a debug vmlinux or .ko that is not installed\n"
	      "                       (else asked of DEBUGINFOD_URLS by the running build-id)\n"
	      "usage: kdive probe trace [-s] [-n COUNT] [-t SECONDS] EVENT|'DEF'...\n"
	      "  streams hits as \"comm-PID [CPU] TIMESTAMP: EVENT: arg=value...\" until\n"
	      "  Ctrl-C, -n hits or -t seconds. DEFs are added for the run only and\n"
	      "  removed on exit.\n"
	      "  -s, --stack          each hit's kernel stack with file:line\n"
	      "  -n, --count COUNT    stop after COUNT hits\n"
	      "  -t, --time SECONDS   stop after SECONDS\n"
	      "DEF: [[GROUP:]EVENT=]FUNC[@SRC][:RLN|+OFF|%return|;PTN] [ARG...] |\n"
	      "     SRC:LINE|SRC;PTN [ARG...]   PTN: a glob over source lines, blanks ignored\n"
	      "ARG: [NAME=]VAR[->MEMBER|.MEMBER|[N]]...[:TYPE] | $params | $vars | $retval |\n"
	      "     $comm | %REG | @SYMBOL[+OFF]   TYPE: u8..u64 s8..s64 x8..x64 string symbol\n",
	      out);
}

/* optarg and the operands after it, blank-separated. */
static char *join(const char *first, int argc, char **argv)
{
	size_t len = first ? strlen(first) + 1 : 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (!(s = malloc(len)))
		return NULL;
	s[0] = '\0';
	if (first)
		strcat(s, first);
	for (int i = 0; i < argc; i++) {
		if (s[0])
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int cmd_trace(kd_prober *p, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "stack", no_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "time", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct kd_trace_opts o = { 0 };
	kd_err err = { "" };
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "sn:t:", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o.stacks = 1; break;
		case 'n':
			o.count = strtol(optarg, &end, 10);
			if (*end || o.count <= 0) {
				fprintf(stderr, "kdive: probe trace: -n %s: expected a positive count\n", optarg);
				return 2;
			}
			break;
		case 't':
			o.seconds = strtod(optarg, &end);
			if (*end || o.seconds <= 0) {
				fprintf(stderr, "kdive: probe trace: -t %s: expected seconds\n", optarg);
				return 2;
			}
			break;
		default: usage(stderr); return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (kd_probe_trace(p, (const char *const *)argv + optind, (size_t)(argc - optind), &o, stdout, &err) != 0) {
		fprintf(stderr, "kdive: probe trace: %s\n", err.msg);
		return 1;
	}
	return 0;
}

int cmd_probe(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "add", required_argument, NULL, 'a' },
		{ "definition", required_argument, NULL, 'D' },
		{ "vars", required_argument, NULL, 'V' },
		{ "line", required_argument, NULL, 'L' },
		{ "list", no_argument, NULL, 'l' },
		{ "del", required_argument, NULL, 'd' },
		{ "vmlinux", required_argument, NULL, 'k' },
		{ "module", required_argument, NULL, 'm' },
		{ "source", required_argument, NULL, 's' },
		{ "no-inlines", no_argument, NULL, 'I' },
		{ "no-debuginfod", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kd_probe_opts opts = { .diag = stderr, .sysroot = cli_sysroot };
	const char *srcs[16];
	int action = 0, c, rc;
	const char *arg = NULL;
	char *spec = NULL;
	kd_err err = { "" };
	kd_prober *p;

	opts.source_dirs = srcs;
	/* "+": options stop at the first operand, so DEF words such as
	 * "%return" or "-1" are not read as options */
	while ((c = getopt_long(argc, argv, "+a:D:V:L:ld:k:m:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': case 'D': case 'V': case 'L': case 'd': case 'l':
			if (action && action != c) {
				fprintf(stderr, "kdive: probe: one action at a time (-%c and -%c given)\n", action, c);
				return 2;
			}
			action = c;
			arg = optarg;
			break;
		case 'k': opts.vmlinux = optarg; opts.offline = 1; break;
		case 'm': opts.module = optarg; break;
		case 's':
			if (opts.n_source_dirs < 16)
				srcs[opts.n_source_dirs++] = optarg;
			break;
		case 'I': opts.no_inlines = 1; break;
		case 'N': opts.no_debuginfod = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!(p = kd_prober_open(&opts, &err))) {
		fprintf(stderr, "kdive: probe: %s\n", err.msg);
		return 1;
	}
	if (!action && optind < argc && (strcmp(argv[optind], "trace") == 0 || strcmp(argv[optind], "record") == 0)) {
		rc = cmd_trace(p, argc - optind, argv + optind);
		kd_prober_close(p);
		return rc;
	}
	if (!action && optind < argc)
		action = 'a';
	if (!action) {
		usage(stderr);
		kd_prober_close(p);
		return 2;
	}
	if ((action == 'l' || action == 'd') && optind < argc) {
		fprintf(stderr, "kdive: probe: -%c takes no definition\n", action);
		kd_prober_close(p);
		return 2;
	}
	if (!(spec = join(arg, argc - optind, argv + optind))) {
		kd_prober_close(p);
		return 1;
	}
	switch (action) {
	case 'a': rc = kd_probe_add(p, spec, stdout, &err); break;
	case 'D': rc = kd_probe_define(p, spec, stdout, &err); break;
	case 'V': rc = kd_probe_show_vars(p, spec, stdout, &err); break;
	case 'L': rc = kd_probe_show_lines(p, spec, stdout, &err); break;
	case 'l': rc = kd_probe_list(stdout, &err); break;
	default: rc = kd_probe_delete(spec, stdout, &err); break;
	}
	if (rc != 0)
		fprintf(stderr, "kdive: probe: %s\n", err.msg);
	free(spec);
	kd_prober_close(p);
	return rc != 0;
}
