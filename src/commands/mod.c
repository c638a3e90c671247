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
#include "base/json.h"
#include "kernel/modules.h"

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
		return kd_fail(err, KD_ERR_LOOKUP, "no modules loaded in this kernel");
	if (!(l->order = malloc(l->n * sizeof(*l->order))))
		return kd_oom(err);
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
	l->text_base = kd_modules_split_memory(k);
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
static int load_one(struct kd_cmd *c, const char *which, const char *file)
{
	struct listing l;
	struct kd_module *m;
	char *end;
	unsigned long long addr = strtoull(which, &end, 16);
	const char *path = file;
	int rc = -1;

	if (prepare(c->k, &l, c->err) != 0)
		goto out;
	if (!(m = kd_module_by_name(c->k, which, c->err)) && (*end || !(m = kd_module_at(c->k, addr))))
		goto out;
	if ((!path && !(path = kd_module_find_file(c->k, NULL, m->name, c->err))) ||
	    kd_module_load_debuginfo(c->k, m, path, c->err) != 0)
		goto out;
	print_header(c->out, &l);
	print_row(c->out, &l, m);
	rc = 0;
out:
	free(l.order);
	return rc;
}

/* -S [DIR]: every module, from DIR first when given (DIR then stays on
 * the search path); what cannot be loaded is a warning each. */
static int load_all(struct kd_cmd *c, const char *dir)
{
	struct listing l;
	struct stat st;
	int shown = 0;

	if (dir && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		return kd_fail(c->err, KD_ERR_INVALID, "%s is not a directory", dir);
	if ((dir && kd_kernel_add_module_dir(c->k, dir, c->err) != 0) || prepare(c->k, &l, c->err) != 0)
		return -1;
	for (size_t i = 0; i < l.n; i++) {
		struct kd_module *m = l.order[i];
		kd_err why;
		const char *path = kd_module_find_file(c->k, dir, m->name, &why);

		if (!path || ((!m->debug_path || strcmp(m->debug_path, path) != 0) &&
			      kd_module_load_debuginfo(c->k, m, path, &why) != 0)) {
			kd_cmd_warn(c, "%s", why.msg);
			continue;
		}
		if (!shown++)
			print_header(c->out, &l);
		print_row(c->out, &l, m);
	}
	free(l.order);
	return 0;
}

/* --json: crash's columns, named. */
static void json_list(struct kd_cmd *c, const struct listing *l)
{
	struct kd_json j;

	kd_json_init(&j, c->out);
	kd_json_object(&j, NULL);
	kd_json_array(&j, "modules");
	for (size_t i = 0; i < l->n; i++) {
		const struct kd_module *m = l->order[i];
		kd_json_object(&j, NULL);
		kd_json_addr(&j, "module", m->addr);
		kd_json_str(&j, "name", m->name);
		kd_json_addr(&j, "base", m->base);
		kd_json_int(&j, "size", (long long)m->size);
		kd_json_str(&j, "object_file", m->debug_path);
		kd_json_end(&j, '}');
	}
	kd_json_end(&j, ']');
	kd_json_end(&j, '}');
}

static int list(struct kd_cmd *c)
{
	struct listing l;

	if (prepare(c->k, &l, c->err) != 0)
		return -1;
	kd_modules_find_debuginfo(c->k);
	if (c->json) {
		json_list(c, &l);
	} else {
		print_header(c->out, &l);
		for (size_t i = 0; i < l.n; i++)
			print_row(c->out, &l, l.order[i]);
	}
	free(l.order);
	return 0;
}

static int run_mod(struct kd_cmd *c)
{
	const char *one = c->optarg['s'];
	bool all = c->opt['S'];

	if ((one && all) || c->argc > ((one || all) ? 1 : 0))
		return kd_cmd_usage(c, "one of -s and -S, with at most one more argument");
	if (c->json && (one || all))
		return kd_cmd_usage(c, "--json lists the modules: no -s or -S");
	if (one)
		return load_one(c, one, c->argv[0]);
	if (all)
		return load_all(c, c->argv[0]);
	return list(c);
}

const struct kd_command kd_cmd_mod = {
	.name = "mod",
	.options = "s:S",
	.flags = KD_CMD_JSON,
	.usage = "mod [-s MODULE [FILE] | -S [DIR]]",
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
