/* kdive probe: perf probe's commands over kprobe_events. Debug info is
 * opened on first need (-l, -d and tracing added events need none). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "kdive/kdive.h"
#include "probe/locate.h"
#include "probe/tracefs.h"
#include "source/source.h"
#include "symbols/debuginfo_find.h"
#include "symbols/kernel_id.h"
#include "symbols/symbolizer.h"

struct kd_prober {
	struct kd_probe_opts o;
	char release[128];
	struct kd_symbolizer *sz;
	struct kd_symfile *vmlinux, *module_sf;
	struct kd_probe_debug *dbg;
	struct kd_sources *src;
	char module[64];
	bool opened;
	kd_err open_err;   /* why there is no debug info */
	int open_rc;
	char *blacklist;   /* kprobes/blacklist's text, read on first need */
	bool blacklist_read;
	bool arming;       /* add or trace: the running kernel is checked even with -k */
	bool checked;      /* the vmlinux's build-id was compared with the running kernel's */
	char uname_release[128];
	char vmlinux_path[4096];
};

kd_prober *kd_prober_open(const struct kd_probe_opts *opts, kd_err *err)
{
	struct kd_prober *p = calloc(1, sizeof(*p));
	struct utsname u;

	if (!p) {
		kd_oom(err);
		return NULL;
	}
	if (opts)
		p->o = *opts;
	if (uname(&u) == 0)
		snprintf(p->release, sizeof(p->release), "%s", u.release);
	snprintf(p->uname_release, sizeof(p->uname_release), "%s", p->release);
	return p;
}

void kd_prober_close(kd_prober *p)
{
	if (!p)
		return;
	kd_probe_debug_free(p->dbg);
	kd_sources_free(p->src);
	kd_symbolizer_free(p->sz);
	free(p->blacklist);
	free(p);
}

static void module_name_of(const char *arg, char *name, size_t len)
{
	const char *base = strrchr(arg, '/');
	size_t n;

	base = base ? base + 1 : arg;
	n = strcspn(base, ".");
	snprintf(name, len, "%.*s", (int)n, base);
	for (char *c = name; *c; c++)
		if (*c == '-')
			*c = '_';
}

/* Probes from another build's vmlinux would land in the wrong places:
 * its build-id against the running kernel's (/sys/kernel/notes). */
static int check_running(struct kd_prober *p, kd_err *err)
{
	char running[130], hint[512];
	const char *id = kd_symfile_build_id(p->vmlinux);

	p->checked = true;
	kd_running_build_id(NULL, running, sizeof(running));
	if (!running[0] || !id[0] || strcmp(running, id) == 0)
		return 0;
	kd_debug_package_hint(p->uname_release, hint, sizeof(hint));
	return kd_fail(err, KD_ERR_MISMATCH, "%s is build-id %s, the running kernel %s is %s: probes would "
		       "land in the wrong places; use its debug vmlinux (%s)", p->vmlinux_path, id,
		       p->uname_release, running, hint);
}

/* The running kernel's (module NULL) or a loaded module's debug file
 * from debuginfod, by the build-id the running kernel gives; a server
 * that fails is said on diag. */
static int fetch(struct kd_prober *p, const char *module, char *path, size_t len)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	char id[128], what[200];
	kd_err why;

	if (p->o.no_debuginfod || !urls || !*urls)
		return -1;
	kd_running_build_id(module, id, sizeof(id));
	if (!id[0])
		return -1;
	snprintf(what, sizeof(what), "%s %s", module ? "module" : "vmlinux of", module ? module : p->release);
	if (kd_debuginfod_find(id, what, p->o.diag, path, len, &why) == 0)
		return 0;
	if (p->o.diag)
		fprintf(p->o.diag, "kdive: %s\n", why.msg);
	return -1;
}

static int open_debug(struct kd_prober *p, kd_err *err)
{
	char path[4096], cache[4096], hint[512];
	const char *vmlinux = p->o.vmlinux;

	if (p->opened) {
		/* opened for -D/-V/-L with -k, now adding: checked now */
		if (p->open_rc == 0 && p->arming && !p->checked && check_running(p, &p->open_err) != 0)
			p->open_rc = -1;
		if (p->open_rc != 0)
			*err = p->open_err;
		return p->open_rc;
	}
	p->opened = true;
	p->open_rc = -1;
	kd_debug_package_hint(p->release, hint, sizeof(hint));
	if (!vmlinux) {
		if (kd_find_vmlinux(p->release, p->o.sysroot, path, sizeof(path), NULL) != 0 &&
		    fetch(p, NULL, path, sizeof(path)) != 0) {
			kd_fail(&p->open_err, KD_ERR_LOOKUP, "no debug vmlinux for the running kernel %s: "
				"install %s, or give -k VMLINUX", p->release, hint);
			goto out;
		}
		vmlinux = path;
	}
	if (!(p->sz = kd_symbolizer_new(&p->open_err)) ||
	    !(p->vmlinux = kd_symbolizer_add(p->sz, "vmlinux", vmlinux, &p->open_err)) ||
	    kd_symfile_check(p->vmlinux, vmlinux, &p->open_err) != 0)
		goto out;
	snprintf(p->vmlinux_path, sizeof(p->vmlinux_path), "%s", vmlinux);
	if (p->o.vmlinux) { /* its release names its source package, not the running kernel's */
		char banner[512];
		struct kd_kernel_id id = { 0 };
		if (kd_symfile_read_string(p->vmlinux, "linux_banner", banner, sizeof(banner), NULL) == 0 &&
		    (kd_kernel_id_from_banner(banner, &id), id.release[0]))
			snprintf(p->release, sizeof(p->release), "%s", id.release);
	}
	if ((!p->o.offline || p->arming) && check_running(p, &p->open_err) != 0)
		goto out;
	if (p->o.module) {
		const char *ko = p->o.module;
		module_name_of(ko, p->module, sizeof(p->module));
		if (!strchr(ko, '/') && !strstr(ko, ".ko")) {
			struct kd_module_finder *mf = kd_module_finder_new();
			const char *found;
			if (!mf) {
				kd_oom(&p->open_err);
				goto out;
			}
			kd_module_finder_add_release(mf, p->release, p->o.sysroot);
			if ((found = kd_module_finder_find(mf, ko))) {
				snprintf(path, sizeof(path), "%s", found);
			} else if (p->o.offline || fetch(p, p->module, path, sizeof(path)) != 0) {
				char dirs[1024];
				kd_module_finder_describe(mf, dirs, sizeof(dirs));
				kd_fail(&p->open_err, KD_ERR_LOOKUP, "no %s.ko in %s: give -m PATH.ko", ko, dirs);
				kd_module_finder_free(mf);
				goto out;
			}
			kd_module_finder_free(mf);
			ko = path;
		}
		if (!(p->module_sf = kd_symbolizer_add(p->sz, p->module, ko, &p->open_err)) ||
		    kd_symfile_check(p->module_sf, ko, &p->open_err) != 0)
			goto out;
	}
	kd_cache_dir(cache, sizeof(cache), "index");
	if (!(p->dbg = kd_probe_debug_new(p->module_sf ? p->module_sf : p->vmlinux, p->module[0] ? p->module : NULL,
					  cache[0] ? cache : NULL, p->o.diag, &p->open_err)))
		goto out;
	p->open_rc = 0;
out:
	if (p->open_rc != 0)
		*err = p->open_err;
	return p->open_rc;
}

/* Definitions without debug info (why: its absence): FUNC[+OFF] or
 * FUNC%return with %REG, $argN, $retval, $comm, @SYM. */
static int plain_defs(struct kd_prober *p, const struct kd_probe_spec *s, const kd_err *why,
		      struct kd_probe_def **defs, size_t *n, kd_err *err)
{
	struct kd_probe_def *d;
	char module[64] = "";

	if (!s->func || s->line || s->pattern || s->file) {
		*err = *why;
		return kd_wrap(err, "lines and source files need the debug info");
	}
	if (!(d = calloc(1, sizeof(*d))))
		return kd_oom(err);
	if (p->o.module)
		module_name_of(p->o.module, module, sizeof(module));
	snprintf(d->group, sizeof(d->group), "%s", s->group ? s->group : "kdive");
	if (s->event)
		snprintf(d->event, sizeof(d->event), "%s", s->event);
	else
		snprintf(d->event, sizeof(d->event), "%.50s%s", s->func, s->ret ? "__return" : "");
	snprintf(d->func, sizeof(d->func), "%s", s->func);
	snprintf(d->point, sizeof(d->point), "%s%s%s+%" PRIu64, module, module[0] ? ":" : "", s->func,
		 s->offset);
	d->ret = s->ret;
	for (size_t i = 0; i < s->nargs; i++) {
		char one[1200];
		if (kd_probe_plain_arg(&s->args[i], s->ret, one, sizeof(one), err) != 0 ||
		    strlen(d->args) + strlen(one) + 1 >= sizeof(d->args)) {
			free(d);
			return kd_wrap(err, "%s", why->msg);
		}
		strcat(d->args, one);
	}
	*defs = d;
	*n = 1;
	return 0;
}

/* The kernel's kprobe blacklist, read once; -1 with why when sym is on
 * it. */
static int check_blacklist(struct kd_prober *p, const char *sym, kd_err *err)
{
	if (!p->blacklist_read) {
		p->blacklist = kd_tracefs_blacklist();
		p->blacklist_read = true;
	}
	if (!kd_tracefs_listed(p->blacklist, sym))
		return 0;
	return kd_fail(err, KD_ERR_UNSUPPORTED, "%s is on the kernel's kprobe blacklist (/sys/kernel/debug/"
		       "kprobes/blacklist): kprobes there would recurse or break; probe its caller or a "
		       "function it calls", sym);
}

/* The source search path (-s dirs, DWARF's paths, the kernel source
 * package), made on first need: -L and ;PTN patterns. */
static struct kd_sources *sources(struct kd_prober *p, kd_err *err)
{
	char cache[4096];

	if (p->src)
		return p->src;
	kd_cache_dir(cache, sizeof(cache), "source");
	if (!(p->src = kd_sources_new(p->release, p->o.sysroot, cache[0] ? cache : NULL, p->o.diag, err)))
		return NULL;
	for (size_t i = 0; i < p->o.n_source_dirs; i++)
		if (kd_sources_add_dir(p->src, p->o.source_dirs[i], err) != 0) {
			kd_sources_free(p->src);
			return p->src = NULL;
		}
	return p->src;
}

static int resolve(struct kd_prober *p, const char *text, struct kd_probe_def **defs, size_t *n,
		   kd_err *err)
{
	struct kd_probe_spec s;
	kd_err why;
	int rc;

	if (kd_probe_spec_parse(text, &s, err) != 0)
		return -1;
	/* asm entry code and the like have no DWARF: the blacklist says why */
	if ((!p->o.offline || p->arming) && s.func && !p->o.module && check_blacklist(p, s.func, err) != 0) {
		kd_probe_spec_free(&s);
		return -1;
	}
	bool no_debug = open_debug(p, &why) != 0;
	if (no_debug && why.code == KD_ERR_MISMATCH) {
		*err = why; /* addresses from another build: nothing goes in */
		rc = -1;
	} else if (no_debug) {
		rc = plain_defs(p, &s, &why, defs, n, err);
		if (rc == 0 && p->o.diag)
			fprintf(p->o.diag, "kdive: probe: %s; %s goes in unchecked (no instruction boundary "
				"or variable checks)\n", why.msg, text);
	} else if (s.pattern && !sources(p, err)) {
		rc = -1;
	} else {
		rc = kd_probe_resolve(p->dbg, &s, p->o.no_inlines, p->src, defs, n, err);
	}
	kd_probe_spec_free(&s);
	return rc;
}

static void def_line(const struct kd_probe_def *d, char *buf, size_t len)
{
	snprintf(buf, len, "%c:%s/%s %s%s", d->ret ? 'r' : 'p', d->group, d->event, d->point, d->args);
}

int kd_probe_define(kd_prober *p, const char *spec, FILE *out, kd_err *err)
{
	struct kd_probe_def *defs;
	size_t n;

	if (resolve(p, spec, &defs, &n, err) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char line[8192];
		def_line(&defs[i], line, sizeof(line));
		fprintf(out, "%s\n", line);
	}
	free(defs);
	return 0;
}

int kd_probe_show_vars(kd_prober *p, const char *spec, FILE *out, kd_err *err)
{
	struct kd_probe_spec s;
	int rc;

	if (kd_probe_spec_parse(spec, &s, err) != 0)
		return -1;
	rc = open_debug(p, err) == 0 && (!s.pattern || sources(p, err))
		     ? kd_probe_vars(p->dbg, &s, p->o.no_inlines, p->src, out, err)
		     : -1;
	kd_probe_spec_free(&s);
	return rc;
}

int kd_probe_show_lines(kd_prober *p, const char *spec, FILE *out, kd_err *err)
{
	struct kd_probe_spec s;
	int rc;

	if (kd_probe_spec_parse(spec, &s, err) != 0)
		return -1;
	rc = open_debug(p, err) == 0 && sources(p, err) ? kd_probe_lines(p->dbg, &s, p->src, out, err) : -1;
	kd_probe_spec_free(&s);
	return rc;
}

/* Whether GROUP/EVENT is defined in kprobe_events' text. */
static bool event_exists(const char *events, const char *group, const char *event)
{
	char want[200];
	size_t n;

	n = (size_t)snprintf(want, sizeof(want), "%s/%s ", group, event);
	for (const char *l = events; l && *l;) {
		if (l[0] && l[1] == ':' && strncmp(l + 2, want, n) == 0)
			return true;
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
	return false;
}

/* Whether defs[i]'s name is defined already, before or by this batch. */
static bool name_taken(const char *events, const struct kd_probe_def *defs, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(defs[j].group, defs[i].group) == 0 && strcmp(defs[j].event, defs[i].event) == 0)
			return true;
	return event_exists(events, defs[i].group, defs[i].event);
}

/* Adds defs to kprobe_events, renaming EVENT to EVENT_N when taken; each
 * added one is reported on out (when not NULL). On failure the ones added
 * by this call are removed again. */
static int add_defs(struct kd_prober *p, struct kd_tracefs *t, struct kd_probe_def *defs, size_t n, FILE *out,
		    kd_err *err)
{
	char *events = NULL, line[8192];

	if (kd_tracefs_events(t, &events, err) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct kd_probe_def *d = &defs[i];
		char base[64], sym[256];
		snprintf(sym, sizeof(sym), "%s", strchr(d->point, ':') ? strchr(d->point, ':') + 1 : d->point);
		sym[strcspn(sym, "+")] = '\0';
		if (check_blacklist(p, sym, err) != 0)
			goto undo;
		snprintf(base, sizeof(base), "%s", d->event);
		for (int k = 1; name_taken(events, defs, i) && k < 1000; k++)
			snprintf(d->event, sizeof(d->event), "%.50s_%u", base, (unsigned)k % 1000);
		def_line(d, line, sizeof(line));
		if (kd_tracefs_add(t, line, err) != 0)
			goto undo;
		d->added = true;
		if (out)
			fprintf(out, "Added new event:\n  %s:%-20s (on %s%s%s)\n", d->group, d->event, d->func,
				d->where[0] ? " at " : "", d->where);
	}
	free(events);
	return 0;
undo:
	free(events);
	for (size_t i = 0; i < n; i++)
		if (defs[i].added)
			kd_tracefs_del(t, defs[i].group, defs[i].event, NULL);
	return -1;
}

int kd_probe_add(kd_prober *p, const char *spec, FILE *out, kd_err *err)
{
	struct kd_tracefs t;
	struct kd_probe_def *defs;
	size_t n;
	int rc;

	p->arming = true;
	if (kd_tracefs_open(&t, err) != 0 || resolve(p, spec, &defs, &n, err) != 0)
		return -1;
	rc = add_defs(p, &t, defs, n, out, err);
	if (rc == 0 && out)
		fprintf(out, "\nYou can now trace them with:\n\n\tkdive probe trace %s:%s\n\n", defs[0].group,
			n > 1 ? "*" : defs[0].event);
	free(defs);
	return rc;
}

/* Calls fn for each event line "p:GROUP/EVENT ..." of kprobe_events. */
typedef int (*event_fn)(struct kd_tracefs *t, const char *group, const char *event, const char *line,
			void *arg, kd_err *err);

static int each_event(struct kd_tracefs *t, event_fn fn, void *arg, kd_err *err)
{
	char *events = NULL;
	int rc = 0;

	if (kd_tracefs_events(t, &events, err) != 0)
		return -1;
	for (char *l = events; l && *l && rc == 0;) {
		char *nl = strchr(l, '\n'), group[64], event[64];
		if (nl)
			*nl = '\0';
		if (sscanf(l, "%*c:%63[^/]/%63s", group, event) == 2)
			rc = fn(t, group, event, l, arg, err);
		l = nl ? nl + 1 : NULL;
	}
	free(events);
	return rc;
}

static int list_one(struct kd_tracefs *t, const char *group, const char *event, const char *line, void *arg,
		    kd_err *err)
{
	FILE *out = arg;
	const char *at = strchr(line, ' ');
	char point[256] = "";

	(void)t;
	(void)err;
	if (at)
		sscanf(at + 1, "%255s", point);
	fprintf(out, "  %s:%-24s (on %s%s)%s\n", group, event, point, line[0] == 'r' ? "%return" : "",
		strncmp(group, "kdive", 5) == 0 ? "" : "  [another tool's: left alone]");
	return 0;
}

int kd_probe_list(FILE *out, kd_err *err)
{
	struct kd_tracefs t;

	if (kd_tracefs_open(&t, err) != 0)
		return -1;
	return each_event(&t, list_one, out, err);
}

struct del_arg {
	const char *group, *event;
	FILE *out;
	int n;
};

static int del_one(struct kd_tracefs *t, const char *group, const char *event, const char *line, void *arg,
		   kd_err *err)
{
	struct del_arg *d = arg;

	(void)line;
	if (fnmatch(d->group, group, 0) != 0 || fnmatch(d->event, event, 0) != 0)
		return 0;
	if (kd_tracefs_del(t, group, event, err) != 0)
		return -1;
	d->n++;
	if (d->out)
		fprintf(d->out, "Removed event: %s:%s\n", group, event);
	return 0;
}

int kd_probe_delete(const char *pattern, FILE *out, kd_err *err)
{
	struct kd_tracefs t;
	char group[64] = "kdive", event[128];
	const char *colon = strchr(pattern, ':');
	struct del_arg d = { group, event, out, 0 };

	if (colon)
		snprintf(group, sizeof(group), "%.*s", (int)(colon - pattern), pattern);
	snprintf(event, sizeof(event), "%s", colon ? colon + 1 : pattern);
	if (kd_tracefs_open(&t, err) != 0 || each_event(&t, del_one, &d, err) != 0)
		return -1;
	if (d.n == 0)
		return kd_fail(err, KD_ERR_LOOKUP, "no event matches %s:%s (probe -l lists them)", group, event);
	return 0;
}

/* ---- trace -------------------------------------------------------------- */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* Instances and run-only events of trace runs that died without cleaning
 * up (SIGKILL): their pid no longer exists. */
static int stale_one(struct kd_tracefs *t, const char *group, const char *event, const char *line,
		     void *arg, kd_err *err)
{
	long pid;
	char *end;

	(void)line;
	(void)arg;
	(void)err;
	if (strncmp(group, "kdive_", 6) != 0)
		return 0;
	pid = strtol(group + 6, &end, 10);
	if (*end || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
		return 0;
	kd_tracefs_del(t, group, event, NULL);
	return 0;
}

static void clean_stale(struct kd_tracefs *t)
{
	char path[512];
	DIR *dir;
	struct dirent *e;

	kd_tracefs_path(t, "instances", path, sizeof(path));
	if ((dir = opendir(path))) {
		while ((e = readdir(dir))) {
			long pid;
			char *end, inst[1024];
			if (strncmp(e->d_name, "kdive-", 6) != 0)
				continue;
			pid = strtol(e->d_name + 6, &end, 10);
			if (*end || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
				continue;
			snprintf(inst, sizeof(inst), "%s/%s", path, e->d_name);
			rmdir(inst);
		}
		closedir(dir);
	}
	each_event(t, stale_one, NULL, NULL);
}

/* "[GROUP:]EVENT" (group kdive when not given) -> g, e; false when it
 * cannot be an event name (a probe definition). */
static bool split_event(const char *it, char g[64], char e[64])
{
	const char *colon = strchr(it, ':');
	size_t gl = colon ? (size_t)(colon - it) : 5;

	if (strpbrk(it, " \t%+@=") || gl >= 64 || strlen(colon ? colon + 1 : it) >= 64 ||
	    (colon && strchr(colon + 1, ':')))
		return false;
	snprintf(g, 64, "%.*s", (int)gl, colon ? it : "kdive");
	snprintf(e, 64, "%s", colon ? colon + 1 : it);
	return g[0] && e[0];
}

struct traced {
	char group[64], event[64];
	bool ours; /* added for this run */
};

/* A source path as the tree knows it: the assembler records absolute
 * paths ("/build/.../linux-6.1/arch/x86/entry/entry_64.S") where the
 * compiler wrote "fs/open.c"; the directory it shares with the build's
 * comp_dir (beyond "/") is the tree's root. */
static const char *tree_path(const char *file, const char *comp_dir)
{
	size_t cut = 0, i;

	if (file[0] != '/' || !comp_dir)
		return file;
	for (i = 0; file[i] && file[i] == comp_dir[i]; i++)
		if (file[i] == '/')
			cut = i + 1;
	if (!comp_dir[i] && file[i] == '/') /* under comp_dir itself */
		cut = i + 1;
	return cut > 1 ? file + cut : file;
}

/* " => func+0x1f/0x130" -> the same with " (file:line)" when the debug
 * vmlinux knows it. */
static void print_stack_line(struct kd_prober *p, const char *line, FILE *out)
{
	char func[256];
	unsigned long long off;
	uint64_t addr, pc;
	struct kd_srcloc loc[8];
	size_t n = 0;

	if (p->vmlinux && sscanf(line, " => %255[^+]+0x%llx", func, &off) == 2 && !strchr(line, '[') &&
	    kd_symfile_lookup(p->vmlinux, func, 0, &addr, NULL) == 0) {
		pc = addr + off - (off ? 1 : 0);
		n = kd_symfile_srclines(p->vmlinux, pc, loc, 8);
	}
	if (n)
		fprintf(out, "%s (%s:%d)\n", line, tree_path(loc[n - 1].file, kd_symfile_comp_dir_at(p->vmlinux, pc)),
			loc[n - 1].line);
	else
		fprintf(out, "%s\n", line);
}

/* One trace_pipe line: "  comm-pid  [cpu] flags  ts: event: args" ->
 * "comm-pid [cpu] ts: event: args"; returns whether it was a hit. */
static bool print_line(struct kd_prober *p, const char *line, FILE *out)
{
	const char *lb, *rb, *ts;

	if (strncmp(line, " => ", 4) == 0) {
		print_stack_line(p, line, out);
		return false;
	}
	if (!line[0])
		return false;
	while (*line == ' ')
		line++;
	lb = strstr(line, " [");
	rb = lb ? strchr(lb, ']') : NULL;
	if (!rb) {
		fprintf(out, "%s\n", line);
		return false;
	}
	ts = rb + 1;
	while (*ts == ' ')
		ts++;
	/* the irq/preempt flags column ("d..3.") when present */
	if (*ts && !(*ts >= '0' && *ts <= '9')) {
		ts = strchr(ts, ' ');
		while (ts && *ts == ' ')
			ts++;
	}
	const char *name_end = lb;
	while (name_end > line && name_end[-1] == ' ')
		name_end--;
	fprintf(out, "%.*s %.*s %s\n", (int)(name_end - line), line, (int)(rb - lb), lb + 1, ts ? ts : "");
	return !ts || !strstr(ts, ": <stack trace>"); /* -s: the stack's own header line */
}

/* Reads trace_pipe into out until o's count or time, or a signal; what
 * the pipe already holds then is still shown, and with -s the last hit's
 * stack lines. Returns the hits. */
static long stream(struct kd_prober *p, int fd, const struct kd_trace_opts *o, FILE *out)
{
	static const struct kd_trace_opts none;
	char buf[65536], pending[8192];
	size_t have = 0;
	long hits = 0;
	bool draining = false;
	struct timespec start, now;

	if (!o)
		o = &none;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		bool full = o->count > 0 && hits >= o->count;
		ssize_t r;
		if (full && !o->stacks)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (stop_signal || (o->seconds > 0 && (double)(now.tv_sec - start.tv_sec) +
							 (double)(now.tv_nsec - start.tv_nsec) / 1e9 >= o->seconds))
			draining = true;
		if (poll(&pfd, 1, draining ? 0 : full ? 500 : 200) <= 0) {
			if (draining || full)
				break;
			continue;
		}
		if ((r = read(fd, buf, sizeof(buf))) <= 0) {
			if (draining)
				break;
			continue;
		}
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] != '\n') {
				if (have + 1 < sizeof(pending))
					pending[have++] = buf[i];
				continue;
			}
			pending[have] = '\0';
			have = 0;
			/* past the count only the last hit's stack lines */
			if (o->count > 0 && hits >= o->count && strncmp(pending, " => ", 4) != 0 &&
			    !strstr(pending, ": <stack trace>"))
				return hits;
			if (print_line(p, pending, out))
				hits++;
		}
		fflush(out);
	}
	return hits;
}

int kd_probe_trace(kd_prober *p, const char *const *items, size_t nitems, const struct kd_trace_opts *o,
		   FILE *out, kd_err *err)
{
	struct kd_tracefs t;
	struct traced *ev = NULL;
	size_t nev = 0;
	char inst[64], rel[512], group[64], *events = NULL;
	int pipe_fd = -1, rc = -1;
	long hits = 0;
	struct sigaction sa = { 0 }, old[3];
	const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	bool made_inst = false;

	p->arming = true;
	if (kd_tracefs_open(&t, err) != 0)
		return -1;
	if (nitems == 0)
		return kd_fail(err, KD_ERR_INVALID, "name the events (GROUP:EVENT, from probe -a) or probe "
			       "definitions to trace");
	clean_stale(&t);
	snprintf(inst, sizeof(inst), "kdive-%d", (int)getpid());
	snprintf(group, sizeof(group), "kdive_%d", (int)getpid());
	stop_signal = 0;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	if (!(ev = calloc(nitems * 128 + 1, sizeof(*ev)))) {
		kd_oom(err);
		goto out;
	}
	/* existing events by name; anything else is a definition for this run */
	if (kd_tracefs_events(&t, &events, err) != 0)
		goto out;
	for (size_t i = 0; i < nitems; i++) {
		const char *it = items[i];
		char g[64], e[64];
		struct kd_probe_def *defs;
		size_t n;
		if (split_event(it, g, e) && event_exists(events, g, e)) {
			snprintf(ev[nev].group, sizeof(ev[nev].group), "%s", g);
			snprintf(ev[nev].event, sizeof(ev[nev].event), "%s", e);
			nev++;
			continue;
		}
		if (resolve(p, it, &defs, &n, err) != 0)
			goto out;
		for (size_t k = 0; k < n; k++)
			snprintf(defs[k].group, sizeof(defs[k].group), "%s", group);
		if (n > 128 || add_defs(p, &t, defs, n, NULL, err) != 0) {
			free(defs);
			goto out;
		}
		for (size_t k = 0; k < n; k++, nev++) {
			snprintf(ev[nev].group, sizeof(ev[nev].group), "%s", group);
			snprintf(ev[nev].event, sizeof(ev[nev].event), "%s", defs[k].event);
			ev[nev].ours = true;
		}
		free(defs);
	}
	/* the private instance: its own buffer, so other tracers are not disturbed */
	snprintf(rel, sizeof(rel), "instances/%s", inst);
	{
		char path[600];
		kd_tracefs_path(&t, rel, path, sizeof(path));
		if (mkdir(path, 0700) != 0) {
			kd_fail_errno(err, "%s: cannot make the trace instance", path);
			goto out;
		}
		made_inst = true;
	}
	if (o && o->stacks) {
		snprintf(rel, sizeof(rel), "instances/%s/options/stacktrace", inst);
		if (kd_tracefs_write(&t, rel, "1", err) != 0)
			goto out;
		snprintf(rel, sizeof(rel), "instances/%s/options/sym-offset", inst);
		kd_tracefs_write(&t, rel, "1", NULL);
	}
	{
		char path[600];
		snprintf(rel, sizeof(rel), "instances/%s/trace_pipe", inst);
		kd_tracefs_path(&t, rel, path, sizeof(path));
		if ((pipe_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
			kd_fail_errno(err, "%s: cannot open", path);
			goto out;
		}
	}
	/* enabled once the pipe is open: kdive's own open is not a hit */
	for (size_t i = 0; i < nev; i++) {
		snprintf(rel, sizeof(rel), "instances/%s/events/%s/%s/enable", inst, ev[i].group, ev[i].event);
		if (kd_tracefs_write(&t, rel, "1", err) != 0)
			goto out;
	}
	if (p->o.diag)
		fprintf(p->o.diag, "kdive: tracing %zu event%s%s; Ctrl-C stops\n", nev, nev == 1 ? "" : "s",
			o && o->stacks ? " with kernel stacks" : "");
	if (o && o->stacks && !p->vmlinux)
		open_debug(p, &(kd_err){ "" }); /* file:line for the stacks, when there is a vmlinux */
	hits = stream(p, pipe_fd, o, out);
	rc = 0;
	if (p->o.diag)
		fprintf(p->o.diag, "kdive: %ld hit%s%s\n", hits, hits == 1 ? "" : "s",
			stop_signal ? " (stopped by a signal)" : "");
out:
	if (pipe_fd >= 0)
		close(pipe_fd);
	for (size_t i = 0; made_inst && i < nev; i++) {
		snprintf(rel, sizeof(rel), "instances/%s/events/%s/%s/enable", inst, ev[i].group, ev[i].event);
		kd_tracefs_write(&t, rel, "0", NULL);
	}
	if (made_inst) {
		char path[600];
		snprintf(rel, sizeof(rel), "instances/%s", inst);
		kd_tracefs_path(&t, rel, path, sizeof(path));
		rmdir(path);
	}
	for (size_t i = 0; ev && i < nev; i++)
		if (ev[i].ours)
			kd_tracefs_del(&t, ev[i].group, ev[i].event, NULL);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	free(events);
	free(ev);
	return rc;
}
