/* kdive triage [-k VMLINUX] [--group] DUMP|DIR...: which of many dumps are
 * the same crash. Each dump is opened (without a vmlinux unless -k gives
 * one: kallsyms, BTF and ORC from the dump) and answers the session's
 * `triage` line; --group folds them by signature: count, first and last
 * date, an example dump. A dump that cannot be read is one line on stderr
 * and the others go on. */
#include <dirent.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/commands.h"
#include "kdive/kdive.h"

#define MAX_DEPTH 4

struct dumps {
	char **v;
	size_t n, cap;
};

static int add(struct dumps *d, const char *path)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		char **v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return -1;
		d->v = v;
		d->cap = cap;
	}
	return (d->v[d->n] = strdup(path)) ? (d->n++, 0) : -1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The dumps below dir, a few levels deep (/var/crash/DATE/dump.DATE). */
static int walk(struct dumps *d, const char *dir, int depth)
{
	DIR *dp = opendir(dir);
	struct dirent *e;

	if (!dp)
		return 0;
	while ((e = readdir(dp))) {
		char path[4096];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH)
			walk(d, path, depth + 1);
		else if (S_ISREG(st.st_mode) && kd_is_dump_file(path) && add(d, path) != 0) {
			closedir(dp);
			return -1;
		}
	}
	closedir(dp);
	return 0;
}

struct group {
	char sig[32], kind[32], where[128], example[4096];
	long long first, last;
	int count;
};

/* "SIG  KIND  FUNCTION [MOD]  PID COMM  RELEASE  EPOCH  DUMP" from
 * `triage -e`; the kind and function are padded columns. */
static void fold(struct group **gs, size_t *n, const char *line)
{
	char sig[32] = "", kind[32] = "", where[128] = "", *copy = strdup(line), *p, *dump;
	long long when = 0;
	size_t i;

	if (!copy)
		return;
	copy[strcspn(copy, "\n")] = '\0';
	/* fixed columns: 16 + 2, kind 11 + 2, where 32 + 2 */
	if (strlen(copy) < 65) {
		free(copy);
		return;
	}
	snprintf(sig, sizeof(sig), "%.16s", copy);
	snprintf(kind, sizeof(kind), "%.11s", copy + 18);
	snprintf(where, sizeof(where), "%.32s", copy + 31);
	for (p = kind + strlen(kind); p > kind && p[-1] == ' ';)
		*--p = '\0';
	for (p = where + strlen(where); p > where && p[-1] == ' ';)
		*--p = '\0';
	dump = strrchr(copy, ' ');
	*dump++ = '\0';
	for (p = dump - 1; p > copy && p[-1] == ' ';)
		*--p = '\0';
	p = strrchr(copy, ' ');
	when = p ? atoll(p + 1) : 0;
	for (i = 0; i < *n && strcmp((*gs)[i].sig, sig) != 0; i++)
		;
	if (i == *n) {
		struct group *v = realloc(*gs, (*n + 1) * sizeof(*v));
		if (!v) {
			free(copy);
			return;
		}
		*gs = v;
		memset(&v[i], 0, sizeof(v[i]));
		snprintf(v[i].sig, sizeof(v[i].sig), "%s", sig);
		snprintf(v[i].kind, sizeof(v[i].kind), "%s", kind);
		snprintf(v[i].where, sizeof(v[i].where), "%s", where);
		snprintf(v[i].example, sizeof(v[i].example), "%s", dump);
		v[i].first = v[i].last = when;
		(*n)++;
	}
	(*gs)[i].count++;
	if (when < (*gs)[i].first)
		(*gs)[i].first = when;
	if (when > (*gs)[i].last)
		(*gs)[i].last = when;
	free(copy);
}

static void json_string(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	putchar('"');
}

static void date(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "-");
}

/* {"error": {"dump": ..., "message": ...}} for a dump that would not open. */
static void json_error(const char *dump, const char *msg)
{
	fputs("{\"error\":{\"dump\":", stdout);
	json_string(dump);
	fputs(",\"message\":", stdout);
	json_string(msg);
	fputs("}}\n", stdout);
}

int cmd_triage(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "group", no_argument, NULL, 'g' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kd_session_opts opts = { .diag = NULL, .sysroot = cli_sysroot, .no_debuginfod = 1 };
	const char *vmlinux = NULL;
	struct dumps d = { 0 };
	struct group *gs = NULL;
	size_t ngs = 0;
	bool group = false, json = false;
	int c, failed = 0;

	while ((c = getopt_long(argc, argv, "k:gh", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': vmlinux = optarg; break;
		case 'g': group = true; break;
		case 'j': json = true; break;
		case 'h':
		default:
			fputs("usage: kdive triage [-k VMLINUX] [--group | --json] DUMP|DIR...\n"
			      "  one line per dump: SIGNATURE KIND FUNCTION [MODULE] PID COMM RELEASE DATE DUMP\n"
			      "  (the same signature: the same crash); -g, --group: SIGNATURE COUNT KIND\n"
			      "  FUNCTION FIRST LAST EXAMPLE; --json: one JSON object per dump per line.\n"
			      "  Dumps are read without a vmlinux (Linux 6.0+)\n"
			      "  unless -k gives one; directories are searched for dump files.\n",
			      c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? walk(&d, argv[i], 0) != 0
								    : add(&d, argv[i]) != 0) {
			fprintf(stderr, "kdive: triage: out of memory\n");
			return 1;
		}
	}
	if (d.n == 0) {
		fprintf(stderr, "kdive: triage: no dump given or found (usage: kdive triage DUMP|DIR...)\n");
		return 2;
	}
	qsort(d.v, d.n, sizeof(*d.v), by_name);
	for (size_t i = 0; i < d.n; i++) {
		kd_err err = { "" };
		kd_session *s = vmlinux ? kd_session_open(vmlinux, d.v[i], &opts, &err)
					: kd_session_open(d.v[i], NULL, &opts, &err);
		char *text = NULL;
		size_t len = 0;
		FILE *out;

		if (s && (out = group ? open_memstream(&text, &len) : stdout)) {
			if (kd_session_exec(s, group ? "triage -e" : json ? "triage --json" : "triage", out,
					    &err) != 0) {
				fprintf(stderr, "kdive: %s: %s\n", d.v[i], err.msg);
				failed++;
			}
			if (group) {
				fclose(out);
				if (text && *text)
					fold(&gs, &ngs, text);
				free(text);
			}
		} else {
			fprintf(stderr, "kdive: %s\n", s ? "out of memory" : err.msg);
			if (json && !s) /* the JSON lines say it too: one per dump */
				json_error(d.v[i], err.msg);
			failed++;
		}
		kd_session_close(s);
		fflush(stdout);
		free(d.v[i]);
	}
	free(d.v);
	if (group) {
		printf("SIGNATURE          COUNT  KIND         FUNCTION                          FIRST                "
		       "LAST                 EXAMPLE\n");
		for (size_t i = 0; i < ngs; i++) {
			char first[32], last[32];
			date(gs[i].first, first, sizeof(first));
			date(gs[i].last, last, sizeof(last));
			printf("%-16s  %5d  %-11s  %-32s  %-19s  %-19s  %s\n", gs[i].sig, gs[i].count,
			       gs[i].kind, gs[i].where, first, last, gs[i].example);
		}
		free(gs);
	}
	return failed ? 1 : 0;
}
