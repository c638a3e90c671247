/* kdive kdump list: the dumps a machine kept, in Debian's layout
 * (DIR/YYYYMMDDHHMM/dump.STAMP, dmesg.STAMP, dump-incomplete while being
 * written) and RHEL's (DIR/HOST-YYYY-MM-DD-HH:MM:SS/vmcore,
 * vmcore-dmesg.txt, vmcore-incomplete), or any dump file below DIR. Each
 * is read from its header and VMCOREINFO, and its log: the saved dmesg
 * file when there is one, else the dump's own printk ring (found without
 * a vmlinux) - never the whole dump. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/err.h"
#include "base/json.h"
#include "dump/dump.h"
#include "kernel/vmcoreinfo.h"
#include "kernel/kernel.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "oops/oops.h"
#include "symbols/debuginfo_find.h"

#define MAX_DEPTH 3

struct crash {
	char path[4096], dmesg[4096];
	const char *layout;      /* "debian", "rhel", "" */
	bool named_incomplete;   /* dump-incomplete, vmcore-incomplete */
	char compressed[8];      /* "xz", "gz", "zst", "bz2": a compressed copy */
	long long time;
	const char *time_from;   /* "kdump header", "directory name", "file time" */
	char format[64];
	int dump_level;
	bool cut;                /* the header says pages are missing */
	unsigned long long size;
	char release[128], build_id[130];
	/* from the log */
	char panic[512], comm[64], function[128], module[64];
	int pid;
	char log_from[32];       /* "dmesg file", "dump", "" */
	char vmlinux[4200];
	bool by_build_id;
	char package[512];
	char error[1100];
};

struct list {
	struct crash *v;
	size_t n, cap;
	const char *sysroot;
	FILE *diag;
};

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return s[n] == '\0' || s[n] == '.';
}

/* The crash time a directory's name gives: Debian's YYYYMMDDHHMM, RHEL's
 * HOST-YYYY-MM-DD-HH:MM:SS (local time of the machine: taken as UTC). */
static long long stamp_time(const char *dir, const char **layout)
{
	const char *base = strrchr(dir, '/');
	struct tm tm = { 0 };
	size_t n;

	base = base ? base + 1 : dir;
	n = strlen(base);
	*layout = "";
	if (n == 12 && all_digits(base, 12) &&
	    sscanf(base, "%4d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min) == 5) {
		*layout = "debian";
	} else if (n > 20 && sscanf(base + n - 19, "%4d-%2d-%2d-%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
				    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6 && base[n - 20] == '-') {
		*layout = "rhel";
	} else {
		return 0;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm);
}

/* The log saved beside a dump in dir. */
static void find_dmesg(const char *dir, char *out, size_t len)
{
	DIR *dp = opendir(dir);
	struct dirent *e;

	out[0] = '\0';
	while (dp && (e = readdir(dp)))
		if (strncmp(e->d_name, "dmesg.", 6) == 0 || strncmp(e->d_name, "vmcore-dmesg", 12) == 0) {
			snprintf(out, len, "%s/%s", dir, e->d_name);
			if (!strstr(e->d_name, "incomplete"))
				break; /* the complete one, when both are there */
		}
	if (dp)
		closedir(dp);
}

static const char *compressed_suffix(const char *name)
{
	static const char *const sfx[] = { ".xz", ".gz", ".zst", ".bz2" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		size_t s = strlen(sfx[i]);
		if (n > s && strcmp(name + n - s, sfx[i]) == 0 &&
		    (strncmp(name, "dump", 4) == 0 || strncmp(name, "vmcore", 6) == 0) && !strstr(name, "dmesg"))
			return sfx[i] + 1;
	}
	return NULL;
}

static int add(struct list *l, const char *dir, const char *name, const char *path, const char *sfx)
{
	struct crash *c;
	struct stat st;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct crash *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	c = &l->v[l->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->time = stamp_time(dir, &c->layout);
	c->time_from = c->time ? "directory name" : "";
	c->named_incomplete = strstr(name, "incomplete") != NULL;
	c->dump_level = -1;
	c->pid = -1;
	if (sfx)
		snprintf(c->compressed, sizeof(c->compressed), "%s", sfx);
	if (stat(path, &st) == 0) {
		c->size = (unsigned long long)st.st_size;
		if (!c->time) {
			c->time = (long long)st.st_mtime;
			c->time_from = "file time";
		}
	}
	find_dmesg(dir, c->dmesg, sizeof(c->dmesg));
	return 0;
}

static int walk(struct list *l, const char *dir, int depth, kd_err *err)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), rc = 0;

	if (n < 0 && depth && l->diag) /* the others are listed */
		fprintf(l->diag, "kdive: kdump list: %s: cannot read it: %s\n", dir, strerror(errno));
	if (n < 0)
		return depth ? 0 : kd_fail_errno(err, "%s", dir);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name, *sfx;
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (rc || name[0] == '.' || stat(path, &st) != 0)
			;
		else if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH)
			rc = walk(l, path, depth + 1, err);
		else if (S_ISREG(st.st_mode) && (sfx = compressed_suffix(name)))
			rc = add(l, dir, name, path, sfx);
		else if (S_ISREG(st.st_mode) && !strstr(name, "dmesg") &&
			 (kd_is_dump_file(path) || strcmp(name, "dump-incomplete") == 0 ||
			  strcmp(name, "vmcore-incomplete") == 0))
			rc = add(l, dir, name, path, NULL);
		free(names[i]);
	}
	free(names);
	return rc ? kd_oom(err) : 0;
}

/* What the log says: the panic message (sys's), the task on the panicking
 * CPU ("CPU: N PID: P Comm: C"), and where: the RIP line's function, else
 * the first reliable frame past the crash path's own. */
struct log_scan {
	struct crash *c;
	struct kd_panic_line panic;
	struct kd_oops_scanner sc;
	bool after_panic, have_where;
};

static void scan_line(struct log_scan *s, const char *line, size_t len)
{
	size_t body = kd_oops_prefix_len(line, len);
	const char *p = line + body, *q;
	size_t plen = len - body;
	struct kd_oops_line ol;
	char comm[64];
	int pid;

	if (kd_panic_line_scan(&s->panic, p, plen)) {
		/* a more telling message: the task and place are the ones after it */
		s->after_panic = true;
		s->have_where = false;
		s->c->pid = -1;
		s->c->comm[0] = s->c->function[0] = s->c->module[0] = '\0';
	}
	if (!s->after_panic)
		return;
	if (s->c->pid < 0 && (q = memmem(p, plen, "PID: ", 5)) &&
	    sscanf(q, "PID: %d Comm: %63s", &pid, comm) == 2) {
		s->c->pid = pid;
		snprintf(s->c->comm, sizeof(s->c->comm), "%s", comm);
	}
	kd_oops_scan_line(&s->sc, line, len, &ol);
	if (s->have_where || (ol.kind != KD_OOPS_IP && ol.kind != KD_OOPS_FRAMES))
		return;
	for (size_t i = 0; i < ol.n_frames && !s->have_where; i++) {
		const struct kd_oops_sym *f = &ol.frames[i];
		if (ol.kind == KD_OOPS_FRAMES && (!f->reliable || kd_panic_machinery(f->func)))
			continue;
		if (ol.kind == KD_OOPS_IP && strncmp(p, "RIP: 0033", 9) == 0)
			continue; /* user space */
		snprintf(s->c->function, sizeof(s->c->function), "%s", f->func);
		snprintf(s->c->module, sizeof(s->c->module), "%s", f->module);
		s->have_where = true;
	}
}

static void scan_text(struct log_scan *s, const char *text, size_t len)
{
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		scan_line(s, p, n && p[n - 1] == '\r' ? n - 1 : n);
		p += n + 1;
	}
}

static int scan_record(const struct kd_printk_record *r, void *arg)
{
	scan_text(arg, r->text, r->text_len);
	return 0;
}

static void read_log(struct crash *c)
{
	struct log_scan s = { .c = c };
	char *text = NULL;
	size_t cap = 0;
	ssize_t got;
	FILE *f;

	kd_panic_line_init(&s.panic);
	kd_oops_scanner_init(&s.sc);
	if (c->dmesg[0] && (f = fopen(c->dmesg, "r"))) {
		while ((got = getline(&text, &cap, f)) >= 0)
			scan_text(&s, text, (size_t)got);
		free(text);
		fclose(f);
		snprintf(c->log_from, sizeof(c->log_from), "dmesg file");
	}
	if (!s.panic.text[0] && !c->compressed[0] && !c->error[0]) { /* none, or empty or cut */
		kd_panic_line_init(&s.panic);
		kd_oops_scanner_init(&s.sc);
		s.after_panic = s.have_where = false;
		struct kd_kernel_opts o = { NULL, NULL, true, true };
		kd_err err;
		struct kd_kernel *k = kd_kernel_open(NULL, c->path, &o, &err);
		if (!k || kd_printk_foreach(k, scan_record, &s, &err) != 0) {
			if (!c->log_from[0])
				snprintf(c->error, sizeof(c->error), "its log: %s", err.msg);
		} else {
			snprintf(c->log_from, sizeof(c->log_from), "dump");
		}
		kd_kernel_close(k);
	}
	snprintf(c->panic, sizeof(c->panic), "%s", s.panic.text);
}

static void read_header(struct crash *c)
{
	struct kd_dump *d;
	kd_err err;

	if (c->compressed[0])
		return;
	if (!(d = kd_dump_open(c->path, &err))) {
		snprintf(c->error, sizeof(c->error), "%s", err.msg);
		return;
	}
	const struct kd_dump_info *di = kd_dump_info(d);
	snprintf(c->format, sizeof(c->format), "%s", kd_dump_format(d));
	c->dump_level = di->dump_level;
	c->cut = di->incomplete;
	if (di->timestamp) {
		c->time = di->timestamp;
		c->time_from = "kdump header";
	}
	kd_vmcoreinfo_identity(d, c->release, sizeof(c->release), c->build_id, sizeof(c->build_id));
	if (!c->release[0] && di->release) /* no VMCOREINFO: the kdump header's utsname */
		snprintf(c->release, sizeof(c->release), "%s", di->release);
	kd_dump_close(d);
}

/* The debug vmlinux installed for this dump: by build-id (the .build-id
 * links the -dbg packages ship), else by release; else which package. */
static void find_debug(struct crash *c, const char *sysroot)
{
	const char *root = sysroot && strcmp(sysroot, "/") != 0 ? sysroot : "";
	char link[4200];
	struct stat st;

	if (strlen(c->build_id) > 2) {
		snprintf(link, sizeof(link), "%s/usr/lib/debug/.build-id/%.2s/%s.debug", root, c->build_id,
			 c->build_id + 2);
		if (stat(link, &st) == 0 && S_ISREG(st.st_mode)) {
			if (!realpath(link, c->vmlinux))
				snprintf(c->vmlinux, sizeof(c->vmlinux), "%s", link);
			c->by_build_id = true;
			return;
		}
	}
	if (c->release[0] && kd_find_vmlinux(c->release, sysroot, c->vmlinux, sizeof(c->vmlinux), NULL) == 0)
		return;
	c->vmlinux[0] = '\0';
	kd_debug_package_hint(c->release[0] ? c->release : "RELEASE", c->package, sizeof(c->package));
}

/* The date; a directory's stamp is the crashed machine's local time,
 * whose zone is not known here: no "UTC" after it. */
static void date(const struct crash *c, char *buf, size_t len)
{
	time_t tt = (time_t)c->time;
	struct tm tm;
	bool local = strcmp(c->time_from, "directory name") == 0;

	if (!c->time || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, len, local ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "?");
}

static bool complete(const struct crash *c)
{
	return !c->named_incomplete && !c->cut && !c->error[0];
}

/* The command that opens it. */
static void command(const struct crash *c, char *buf, size_t len)
{
	if (c->compressed[0])
		snprintf(buf, len, "%s -dk %s && kdive %s%s%.*s", strcmp(c->compressed, "gz") == 0 ? "gzip" :
			 strcmp(c->compressed, "zst") == 0 ? "zstd" : c->compressed[0] == 'b' ? "bzip2" : "xz",
			 c->path, c->vmlinux, c->vmlinux[0] ? " " : "",
			 (int)(strlen(c->path) - strlen(c->compressed) - 1), c->path);
	else
		snprintf(buf, len, "kdive %s%s%s", c->vmlinux, c->vmlinux[0] ? " " : "", c->path);
}

static void print_text(const struct crash *c, FILE *out)
{
	char when[64], cmd[10000], level[16] = "";

	date(c, when, sizeof(when));
	command(c, cmd, sizeof(cmd));
	if (c->dump_level >= 0)
		snprintf(level, sizeof(level), "%d", c->dump_level);
	fprintf(out, "%s\n", c->path);
	fprintf(out, "     DATE: %s (%s%s)\n", when, c->time_from,
		strcmp(c->time_from, "directory name") == 0 ? ", the machine's local time" : "");
	fprintf(out, "  RELEASE: %s\n", c->release[0] ? c->release : "?");
	fprintf(out, "    PANIC: %s\n", c->panic[0] ? c->panic : c->log_from[0] ? "(none in the log)" : "?");
	if (c->pid >= 0)
		fprintf(out, "     TASK: %d %s%s%s%s%s%s\n", c->pid, c->comm, c->function[0] ? " in " : "", c->function,
			c->module[0] ? " [" : "", c->module, c->module[0] ? "]" : "");
	if (c->compressed[0])
		fprintf(out, "     DUMP: a %s-compressed copy, %.1f MiB: not read\n", c->compressed, c->size / 1048576.0);
	else
		fprintf(out, "     DUMP: %s%s%s, %.1f MiB, %s\n", c->format[0] ? c->format : "?",
			c->dump_level >= 0 ? ", dump level " : "", level, c->size / 1048576.0,
			complete(c) ? "complete" : c->named_incomplete ?
			"INCOMPLETE (the capture did not finish)" : c->cut ? "INCOMPLETE (pages missing: cut short)" :
			"unreadable");
	if (c->error[0])
		fprintf(out, "    ERROR: %s\n", c->error);
	fprintf(out, "      LOG: %s\n", c->log_from[0] ? (c->dmesg[0] && strcmp(c->log_from, "dmesg file") == 0 ?
							   c->dmesg : "the dump's own") : "none");
	if (c->vmlinux[0])
		fprintf(out, "    DEBUG: %s (%s)\n", c->vmlinux, c->by_build_id ? "its build-id" : "its release");
	else
		fprintf(out, "    DEBUG: not installed: %s%s\n", c->package,
			c->build_id[0] ? "; or kdive fetches it from DEBUGINFOD_URLS" : "");
	fprintf(out, "     OPEN: %s\n\n", cmd);
}

static void print_json(const struct crash *c, struct kd_json *j)
{
	char when[64], cmd[10000];

	date(c, when, sizeof(when));
	command(c, cmd, sizeof(cmd));
	kd_json_object(j, NULL);
	kd_json_str(j, "dump", c->path);
	kd_json_str(j, "layout", c->layout[0] ? c->layout : NULL);
	kd_json_str(j, "date", c->time ? when : NULL);
	if (c->time)
		kd_json_int(j, "time", c->time);
	else
		kd_json_null(j, "time");
	kd_json_str(j, "time_from", c->time ? c->time_from : NULL);
	kd_json_str(j, "release", c->release[0] ? c->release : NULL);
	kd_json_str(j, "build_id", c->build_id[0] ? c->build_id : NULL);
	kd_json_str(j, "panic", c->panic[0] ? c->panic : NULL);
	if (c->pid >= 0)
		kd_json_int(j, "pid", c->pid);
	else
		kd_json_null(j, "pid");
	kd_json_str(j, "comm", c->comm[0] ? c->comm : NULL);
	kd_json_str(j, "function", c->function[0] ? c->function : NULL);
	kd_json_str(j, "module", c->module[0] ? c->module : NULL);
	kd_json_str(j, "format", c->compressed[0] ? NULL : c->format[0] ? c->format : NULL);
	kd_json_str(j, "compressed", c->compressed[0] ? c->compressed : NULL);
	if (c->dump_level >= 0)
		kd_json_int(j, "dump_level", c->dump_level);
	else
		kd_json_null(j, "dump_level");
	kd_json_uint(j, "size", c->size);
	kd_json_bool(j, "complete", complete(c));
	kd_json_str(j, "log", c->log_from[0] ? (strcmp(c->log_from, "dmesg file") == 0 ? c->dmesg : "dump") : NULL);
	kd_json_str(j, "vmlinux", c->vmlinux[0] ? c->vmlinux : NULL);
	kd_json_str(j, "vmlinux_by", c->vmlinux[0] ? (c->by_build_id ? "build-id" : "release") : NULL);
	kd_json_str(j, "package", c->vmlinux[0] || !c->package[0] ? NULL : c->package);
	kd_json_str(j, "command", cmd);
	kd_json_str(j, "error", c->error[0] ? c->error : NULL);
	kd_json_end(j, '}');
}

int kd_kdump_list(const char *const *dirs, size_t ndirs, const struct kd_kdump_list_opts *o, FILE *out,
		  kd_err *err)
{
	struct list l = { .sysroot = o ? o->sysroot : NULL, .diag = o ? o->diag : NULL };
	const char *def = "/var/crash";
	struct kd_json j;
	int rc = 0;

	if (!ndirs) {
		dirs = &def;
		ndirs = 1;
	}
	for (size_t i = 0; i < ndirs && rc == 0; i++)
		rc = walk(&l, dirs[i], 0, err);
	if (rc == 0 && o && o->json) {
		kd_json_init(&j, out);
		kd_json_object(&j, NULL);
		kd_json_array(&j, "dumps");
	}
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		struct crash *c = &l.v[i];
		read_header(c);
		read_log(c);
		find_debug(c, l.sysroot);
		if (o && o->json)
			print_json(c, &j);
		else
			print_text(c, out);
	}
	if (rc == 0 && o && o->json) {
		kd_json_end(&j, ']');
		kd_json_end(&j, '}');
	}
	if (rc == 0 && !l.n && !(o && o->json))
		fprintf(out, "no dumps in %s\n", dirs[0]);
	free(l.v);
	return rc == 0 ? (int)l.n : -1;
}
