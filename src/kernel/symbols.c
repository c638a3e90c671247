#include "kernel/symbols.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "kernel/modules.h"
#include "source/source.h"
#include "symbols/kallsyms.h"
#include "symbols/debuginfo_find.h"
#include "symbols/symbolizer.h"

static bool in(const struct kd_addr_range *r, uint64_t a)
{
	return a >= r->start && a < r->end;
}

bool kd_kernel_in_text(struct kd_kernel *k, uint64_t addr)
{
	return in(&k->text, addr) || in(&k->inittext, addr);
}

int kd_kernel_symbolize(struct kd_kernel *k, uint64_t addr, struct kd_sym *out)
{
	const struct kd_module_sym *ms;
	struct kd_module *m;
	uint64_t off;

	memset(out, 0, sizeof(*out));
	if (kd_kernel_in_text(k, addr) && !k->vmlinux) {
		if (!(out->name = kd_kallsyms_at(k->ksyms, addr, "tTwW", &off, &out->size, &out->type)))
			return -1;
	} else if (kd_kernel_in_text(k, addr)) {
		out->name = kd_symfile_symbol_at(k->vmlinux, addr - k->kaslr, &off, &out->size);
		if (!out->name)
			return -1;
		out->type = kd_symfile_letter(k->vmlinux, out->name, addr - k->kaslr - off);
	} else if ((ms = kd_module_symbol_at(k, addr, &m, &off))) {
		out->name = ms->name;
		out->type = ms->type;
		out->module = m->name;
		out->size = kd_module_symbol_size(k, m, ms);
	} else {
		return -1;
	}
	out->off = off;
	out->start = addr - off;
	return 0;
}

int kd_kernel_symbolize_data(struct kd_kernel *k, uint64_t addr, struct kd_sym *out)
{
	uint64_t off;

	if (kd_kernel_symbolize(k, addr, out) == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	if (!k->vmlinux) {
		/* kallsyms keeps no sizes: the nearest symbol below, if close */
		if (!(out->name = kd_kallsyms_at(k->ksyms, addr, "dDbBrRvV", &off, NULL, &out->type)) ||
		    off >= 4096)
			return -1;
	} else if (!(out->name = kd_symfile_object_at(k->vmlinux, addr - k->kaslr, &off))) {
		return -1;
	} else {
		out->type = kd_symfile_letter(k->vmlinux, out->name, addr - k->kaslr - off);
	}
	out->off = off;
	out->start = addr - off;
	return 0;
}

static void join(char *buf, size_t len, const char *dir, const char *file)
{
	if (file[0] == '/' || !dir || !dir[0]) {
		snprintf(buf, len, "%s", file);
		return;
	}
	if (file[0] == '.' && file[1] == '/')
		file += 2;
	snprintf(buf, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", file);
}

int kd_kernel_debug_file(struct kd_kernel *k, uint64_t addr, struct kd_symfile **sf,
			 uint64_t *file_addr)
{
	const struct kd_module_sym *sym;
	struct kd_module *m;
	uint64_t off;

	if (kd_kernel_in_text(k, addr)) {
		*sf = k->vmlinux;
		*file_addr = addr - k->kaslr;
		return k->vmlinux ? 0 : -1;
	}
	sym = kd_module_symbol_at(k, addr, &m, &off);
	if (!sym || !m->debug || kd_symfile_lookup(m->debug, sym->name, 0, file_addr, NULL) != 0)
		return -1;
	*sf = m->debug;
	*file_addr += off;
	return 0;
}

size_t kd_kernel_srclines(struct kd_kernel *k, uint64_t addr, struct kd_srcline *out, size_t max)
{
	struct kd_srcloc loc[KD_SRCLINE_MAX];
	struct kd_symfile *sf;
	uint64_t file_addr;
	const char *dir;
	size_t n;

	if (kd_kernel_debug_file(k, addr, &sf, &file_addr) != 0)
		return 0;
	if (max > KD_SRCLINE_MAX)
		max = KD_SRCLINE_MAX;
	n = kd_symfile_srclines(sf, file_addr, loc, max);
	if (n == 0 || !loc[0].file)
		return 0;
	dir = kd_symfile_comp_dir_at(sf, file_addr);
	for (size_t i = 0; i < n; i++) {
		join(out[i].file, sizeof(out[i].file), dir, loc[i].file ? loc[i].file : "??");
		out[i].line = loc[i].line;
	}
	return n;
}

static int keep_first(const struct kd_sym *s, void *arg)
{
	*(struct kd_sym *)arg = *s;
	return 1;
}

int kd_kernel_symbol_any(struct kd_kernel *k, const char *name, struct kd_sym *out, kd_err *err)
{
	size_t found;

	if (kd_kernel_symbols_named(k, name, keep_first, out, &found, err) < 0)
		return -1;
	return found ? 0 : kd_fail(err, KD_ERR_LOOKUP, "no symbol %s", name);
}

int kd_kernel_symbols_named(struct kd_kernel *k, const char *name, kd_sym_cb cb, void *arg,
			    size_t *found, kd_err *err)
{
	struct kd_module *mods;
	struct kd_sym s = { .name = name, .type = '?' };
	size_t n;
	int rc;

	*found = 0;
	if (kd_kernel_symbol(k, name, &s.start, NULL) == 0) {
		if (k->vmlinux)
			s.type = kd_symfile_letter(k->vmlinux, name, 0);
		else
			kd_kallsyms_lookup(k->ksyms, name, &s.start, &s.type);
		++*found;
		if ((rc = cb(&s, arg)) != 0)
			return rc;
	}
	if (kd_modules(k, &mods, &n, err) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct kd_module_sym *syms;
		size_t nsyms;

		if (kd_module_syms(k, &mods[i], &syms, &nsyms, err) != 0)
			return -1;
		for (size_t j = 0; j < nsyms; j++) {
			if (strcmp(syms[j].name, name) != 0)
				continue;
			s = (struct kd_sym){ .name = name, .start = syms[j].addr, .type = syms[j].type,
					     .module = mods[i].name };
			++*found;
			if ((rc = cb(&s, arg)) != 0)
				return rc;
		}
	}
	return 0;
}

/* The source search, made on first need (it knows the release only now). */
static struct kd_sources *sources(struct kd_kernel *k, kd_err *err)
{
	char cache[4096];

	if (!k->sources) {
		kd_cache_dir(cache, sizeof(cache), "src");
		k->sources = kd_sources_new(k->release, k->sysroot, cache, k->diag, err);
	}
	return k->sources;
}

int kd_kernel_source(struct kd_kernel *k, const char *file, const char **text, size_t *len,
		     const char **from, kd_err *err)
{
	struct kd_sources *s = sources(k, err);

	return s ? kd_sources_read(s, file, text, len, from, err) : -1;
}

int kd_kernel_add_source_dir(struct kd_kernel *k, const char *dir, kd_err *err)
{
	struct kd_sources *s = sources(k, err);

	return s ? kd_sources_add_dir(s, dir, err) : -1;
}

void kd_kernel_symbol_names(struct kd_kernel *k, const char *prefix,
			    void (*cb)(const char *name, void *arg), void *arg)
{
	if (k->vmlinux)
		kd_symfile_names(k->vmlinux, prefix, cb, arg);
	else
		kd_kallsyms_names(k->ksyms, prefix, cb, arg);
}

int kd_kernel_source_places(struct kd_kernel *k, const char *const **dirs, size_t *n,
			    const char **package, kd_err *err)
{
	struct kd_sources *s = sources(k, err);

	if (!s)
		return -1;
	*package = kd_sources_package(s);
	*dirs = kd_sources_dirs(s, n);
	return 0;
}

void kd_kernel_no_lines_hint(struct kd_kernel *k, uint64_t addr, char *buf, size_t len)
{
	char pkg[512];

	if (kd_kernel_in_text(k, addr) && !k->vmlinux) {
		kd_debug_package_hint(k->release, pkg, sizeof(pkg));
		snprintf(buf, len, "the kernel's source lines are in its debug vmlinux, not in the dump: "
			 "give it (%s)", pkg);
	} else if (kd_kernel_in_text(k, addr)) {
		snprintf(buf, len, "the vmlinux has no line table there");
	} else {
		snprintf(buf, len, "a module's lines are in its .ko with debug info: mod -s MODULE FILE");
	}
}
