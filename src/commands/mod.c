/* mod: crash's module list (sorted by base address, as crash sorts it),
 * and loading a module's debug info: -s one, -S all. Without options the
 * session's --modules directories, then the release's standard ones, are
 * searched once for every module; the OBJECT FILE column shows what was
 * loaded. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "commands/command.h"
#include "kernel/modules.h"

#define MOD_USAGE "mod [-s MODULE [FILE] | -S [DIR]]"

struct listing {
	struct kd_module **order; /* by base address */
	size_t n;
	int name_w, size_w;
	bool text_base;           /* 6.4+ splits module memory: crash says TEXT_BASE */
};

static int by_base(const void *a, const void *b)
{
	const struct kd_module *x = *(struct kd_module *const *)a, *y = *(struct kd_module *const *)b;

	return (x->base > y->base) - (x->base < y->base);
}

static int prepare(struct kd_kernel *k, struct listing *l, kd_err *err)
{
	struct kd_module *mods;

	memset(l, 0, sizeof(*l));
	if (kd_modules(k, &mods, &l->n, err) != 0)
		return -1;
	if (l->n == 0)
		return kd_fail(err, "no modules loaded in this kernel");
	if (!(l->order = malloc(l->n * sizeof(*l->order))))
		return kd_fail(err, "out of memory");
	for (size_t i = 0; i < l->n; i++) {
		char digits[24];
		int w = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)mods[i].size);

		l->order[i] = &mods[i];
		if ((int)strlen(mods[i].name) > l->name_w)
			l->name_w = (int)strlen(mods[i].name);
		if (w > l->size_w)
			l->size_w = w;
	}
	qsort(l->order, l->n, sizeof(*l->order), by_base);
	l->text_base = kd_kernel_offsetof(k, "module", "mem", NULL) >= 0;
	return 0;
}

/* crash centres MODULE and TEXT_BASE/BASE in 16 columns, the odd space
 * going right. */
static void print_header(FILE *out, const struct listing *l)
{
	fprintf(out, "     MODULE       %-*s  %s  %*s  OBJECT FILE\n", l->name_w, "NAME",
		l->text_base ? "   TEXT_BASE    " : "      BASE      ", l->size_w, "SIZE");
}

static void print_row(FILE *out, const struct listing *l, const struct kd_module *m)
{
	fprintf(out, "%16llx  %-*s  %16llx  %*llu  ", (unsigned long long)m->addr, l->name_w, m->name,
		(unsigned long long)m->base, l->size_w, (unsigned long long)m->size);
	if (m->debug_path)
		fprintf(out, "%s\n", m->debug_path);
	else
		fprintf(out, "(not loaded)%s\n", m->has_kallsyms ? "  [CONFIG_KALLSYMS]" : "");
}

/* -s MODULE [FILE]: MODULE by name or by an address inside it. */
static int load_one(struct kd_session *s, const char *which, const char *file, FILE *out,
		    kd_err *err)
{
	struct listing l;
	struct kd_module *m;
	char *end;
	unsigned long long addr = strtoull(which, &end, 16);
	const char *path = file;
	int rc = -1;

	if (prepare(s->k, &l, err) != 0)
		goto out;
	if (!(m = kd_module_by_name(s->k, which, err)) && (*end || !(m = kd_module_at(s->k, addr))))
		goto out;
	if ((!path && !(path = kd_module_find_file(s->k, s->module_dirs, s->n_module_dirs, m->name,
						    err))) ||
	    kd_module_load_debuginfo(m, path, err) != 0)
		goto out;
	print_header(out, &l);
	print_row(out, &l, m);
	rc = 0;
out:
	free(l.order);
	return rc;
}

/* Puts dir on the session's search path, for later lookups. */
static int add_search_dir(struct kd_session *s, const char *dir, kd_err *err)
{
	char **grown;

	for (size_t i = 0; i < s->n_module_dirs; i++)
		if (strcmp(s->module_dirs[i], dir) == 0)
			return 0;
	if (!(grown = realloc(s->module_dirs, (s->n_module_dirs + 1) * sizeof(*grown))))
		return kd_fail(err, "out of memory");
	s->module_dirs = grown;
	if (!(grown[s->n_module_dirs] = strdup(dir)))
		return kd_fail(err, "out of memory");
	s->n_module_dirs++;
	return 0;
}

/* -S [DIR]: every module, from DIR first when given (DIR then stays on
 * the session's search path). */
static int load_all(struct kd_session *s, const char *dir, FILE *out, kd_err *err)
{
	struct listing l;
	struct stat st;
	char **dirs;
	size_t n = 0;
	int shown = 0;

	if (dir && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		return kd_fail(err, "%s is not a directory", dir);
	if ((dir && add_search_dir(s, dir, err) != 0) || prepare(s->k, &l, err) != 0)
		return -1;
	if (!(dirs = calloc(s->n_module_dirs + 1, sizeof(*dirs)))) {
		free(l.order);
		return kd_fail(err, "out of memory");
	}
	if (dir)
		dirs[n++] = (char *)dir;
	for (size_t i = 0; i < s->n_module_dirs; i++)
		if (!dir || strcmp(s->module_dirs[i], dir) != 0)
			dirs[n++] = s->module_dirs[i];
	for (size_t i = 0; i < l.n; i++) {
		struct kd_module *m = l.order[i];
		kd_err why;
		const char *path = kd_module_find_file(s->k, dirs, n, m->name, &why);

		if (!path || ((!m->debug_path || strcmp(m->debug_path, path) != 0) &&
			      kd_module_load_debuginfo(m, path, &why) != 0)) {
			fprintf(out, "mod: %s\n", why.msg);
			continue;
		}
		if (!shown++)
			print_header(out, &l);
		print_row(out, &l, m);
	}
	free(dirs);
	free(l.order);
	return 0;
}

static int list(struct kd_session *s, FILE *out, kd_err *err)
{
	struct listing l;

	if (prepare(s->k, &l, err) != 0)
		return -1;
	kd_modules_find_debuginfo(s->k, s->module_dirs, s->n_module_dirs, out);
	print_header(out, &l);
	for (size_t i = 0; i < l.n; i++)
		print_row(out, &l, l.order[i]);
	free(l.order);
	return 0;
}

static int mod_main(struct kd_session *s, int argc, char **argv, FILE *out, kd_err *err)
{
	const char *one = NULL;
	bool all = false;
	int c;

	opterr = 0; /* one error line, ours */
	while ((c = getopt(argc, argv, "s:S")) != -1) {
		switch (c) {
		case 's': one = optarg; break;
		case 'S': all = true; break;
		default: return kd_fail(err, "bad option -%c (usage: %s)", optopt, MOD_USAGE);
		}
	}
	if ((one && all) || argc - optind > ((one || all) ? 1 : 0))
		return kd_fail(err, "usage: %s", MOD_USAGE);
	if (one)
		return load_one(s, one, argv[optind], out, err);
	if (all)
		return load_all(s, argv[optind], out, err);
	return list(s, out, err);
}

static int run_mod(struct kd_session *s, int argc, char **argv, FILE *out, kd_err *err)
{
	return mod_main(s, argc, argv, out, err) == 0 ? 0 : kd_wrap(err, "mod");
}

const struct kd_command kd_cmd_mod = {
	.name = "mod",
	.usage = MOD_USAGE,
	.summary = "loaded modules, and loading their debug info",
	.help = "  (none)           list the modules: struct module, name, text base, size\n"
		"                   (as /proc/modules counts it) and the debug file loaded;\n"
		"                   --modules DIRs, then /usr/lib/debug/lib/modules/RELEASE and\n"
		"                   /lib/modules/RELEASE are searched for NAME.ko* once\n"
		"  -s MODULE [FILE] load MODULE's debug info from FILE, or from the search\n"
		"                   path; refused when its name or build-id differs from the\n"
		"                   module in the dump\n"
		"  -S [DIR]         load every module's debug info, from DIR first (DIR then\n"
		"                   stays on the search path)\n",
	.run = run_mod,
};
