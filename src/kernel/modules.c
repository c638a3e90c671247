#include "kernel/modules.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "kernel/types.h"
#include "symbols/debuginfo_find.h"
#include "symbols/symbolizer.h"

#define MAX_MODULES 65536      /* a longer list is a corrupted one */
#define MAX_MODULE_SYMS (1 << 20)
#define KSYM_NAME_LEN 512      /* the kernel's, 6.1+ */

struct kd_modules {
	struct kd_module *mods;
	size_t n;
};

static void drop_debuginfo(struct kd_module *m)
{
	kd_symbolizer_free(m->sz);
	free(m->debug_path);
	m->sz = NULL;
	m->debug = NULL;
	m->debug_path = NULL;
}

static void free_mods(struct kd_module *mods, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		drop_debuginfo(&mods[i]);
		free(mods[i].syms);
		free(mods[i].sym_names);
	}
	free(mods);
}

void kd_modules_free(struct kd_modules *ms)
{
	if (!ms)
		return;
	free_mods(ms->mods, ms->n);
	free(ms);
}

static void add_region(struct kd_module *m, uint64_t base, uint64_t size)
{
	if (size && m->n_regions < KD_MODULE_REGIONS)
		m->regions[m->n_regions++] = (struct kd_range){ base, base + size };
}

/* 6.4+: one struct module_memory per kind (MOD_TEXT, MOD_DATA,
 * MOD_RODATA, MOD_RO_AFTER_INIT, MOD_INIT_TEXT...). /proc/modules counts
 * them all and shows mem[MOD_TEXT].base. */
enum { MOD_TEXT = 0, MOD_RODATA = 2, MOD_INIT_TEXT = 4 };

static int read_mem(struct kd_kernel *k, struct kd_module *m, const struct kd_member *mem,
		    struct kd_range *rodata, kd_err *err)
{
	int64_t msize = kd_kernel_sizeof(k, "module_memory", err);

	if (msize <= 0)
		return -1;
	for (uint64_t t = 0; t < mem->size / (uint64_t)msize; t++) {
		uint64_t at = m->addr + mem->offset + t * (uint64_t)msize, base, size;
		struct kd_range r;

		if (kd_kernel_member(k, at, "module_memory", "base", &base, err) != 0 ||
		    kd_kernel_member(k, at, "module_memory", "size", &size, err) != 0)
			return -1;
		r = (struct kd_range){ base, base + size };
		if (t == MOD_TEXT) {
			m->base = base;
			m->text = r;
		} else if (t == MOD_RODATA) {
			*rodata = r;
		} else if (t == MOD_INIT_TEXT) {
			m->init_text = r;
		}
		m->size += size;
		add_region(m, base, size);
	}
	return 0;
}

static int layout_member(struct kd_kernel *k, struct kd_module *m, const char *which,
			 const char *field, uint64_t *v, kd_err *err)
{
	char path[64];

	snprintf(path, sizeof(path), "%s.%s", which, field);
	return kd_kernel_member(k, m->addr, "module", path, v, err);
}

/* Before 6.4: core_layout and init_layout (plus data_layout where module
 * data lives apart), each text first, then read-only data up to ro_size. */
static int read_layout(struct kd_kernel *k, struct kd_module *m, const char *which,
		       struct kd_range *text, struct kd_range *rodata, kd_err *err)
{
	uint64_t base, size, text_size, ro_size;

	if (layout_member(k, m, which, "base", &base, err) != 0 ||
	    layout_member(k, m, which, "size", &size, err) != 0)
		return -1;
	if (text) {
		if (layout_member(k, m, which, "text_size", &text_size, err) != 0 ||
		    layout_member(k, m, which, "ro_size", &ro_size, err) != 0)
			return -1;
		*text = (struct kd_range){ base, base + text_size };
		*rodata = (struct kd_range){ base + text_size, base + ro_size };
	}
	m->size += size;
	add_region(m, base, size);
	return 0;
}

static int read_memory(struct kd_kernel *k, struct kd_module *m, struct kd_range *rodata,
		       kd_err *err)
{
	struct kd_member mem;
	struct kd_range init_rodata;

	if (kd_types_member(k->types, "module", "mem", &mem, NULL) == 0)
		return read_mem(k, m, &mem, rodata, err);
	if (read_layout(k, m, "core_layout", &m->text, rodata, err) != 0 ||
	    read_layout(k, m, "init_layout", &m->init_text, &init_rodata, err) != 0)
		return -1;
	m->base = m->text.start;
	if (kd_kernel_offsetof(k, "module", "data_layout", NULL) >= 0)
		return read_layout(k, m, "data_layout", NULL, NULL, err);
	return 0;
}

/* The GNU build-id note, found in the module's read-only data: the loader
 * puts allocated non-writable sections there in file order, and
 * .note.gnu.build-id comes first. (mod->notes_attrs points at it too, but
 * is kmalloc'd, and a dump may leave slab pages out.) Optional: on a read
 * error the build-id stays unknown. */
#define NOTE_SCAN 8192

static void read_build_id(struct kd_kernel *k, struct kd_module *m, const struct kd_range *rodata)
{
	static const unsigned char gnu[4] = "GNU";
	unsigned char buf[NOTE_SCAN];
	size_t len = rodata->end - rodata->start;

	if (rodata->end <= rodata->start)
		return;
	if (len > sizeof(buf))
		len = sizeof(buf);
	if (kd_kernel_read(k, rodata->start, buf, len, NULL) != 0)
		return;
	for (size_t pos = 0; pos + 16 <= len; pos += 4) {
		uint32_t note[3];

		memcpy(note, buf + pos, sizeof(note));
		if (note[0] == sizeof(gnu) && note[2] == NT_GNU_BUILD_ID &&
		    memcmp(buf + pos + 12, gnu, sizeof(gnu)) == 0 && note[1] >= 8 &&
		    note[1] * 2 < sizeof(m->build_id) && pos + 16 + note[1] <= len) {
			for (uint32_t j = 0; j < note[1]; j++)
				snprintf(m->build_id + 2 * j, 3, "%02x", buf[pos + 16 + j]);
			return;
		}
	}
}

static int read_module(struct kd_kernel *k, struct kd_module *m, kd_err *err)
{
	struct kd_member name;
	struct kd_range rodata = { 0, 0 };
	uint64_t state, kallsyms, nsyms = 0;

	if (kd_types_member(k->types, "module", "name", &name, err) != 0)
		return -1;
	if (name.size == 0 || name.size >= sizeof(m->name))
		name.size = sizeof(m->name) - 1;
	if (kd_kernel_read(k, m->addr + name.offset, m->name, name.size, err) != 0 ||
	    kd_kernel_member(k, m->addr, "module", "state", &state, err) != 0 ||
	    kd_kernel_member(k, m->addr, "module", "kallsyms", &kallsyms, err) != 0 ||
	    (kallsyms && kd_kernel_member(k, kallsyms, "mod_kallsyms", "num_symtab", &nsyms, err) != 0) ||
	    read_memory(k, m, &rodata, err) != 0)
		return kd_wrap(err, "module at 0x%llx", (unsigned long long)m->addr);
	m->name[name.size] = '\0';
	m->state = (int)state;
	m->has_kallsyms = nsyms > 0;
	read_build_id(k, m, &rodata);
	return 0;
}

static int read_list(struct kd_kernel *k, struct kd_modules *ms, kd_err *err)
{
	uint64_t head, pos;
	int64_t list;
	size_t cap = 0;

	if (kd_kernel_symbol(k, "modules", &head, err) != 0 ||
	    (list = kd_kernel_offsetof(k, "module", "list", err)) < 0 ||
	    kd_kernel_read_u64(k, head, &pos, err) != 0)
		return kd_wrap(err, "module list");
	while (pos != head) {
		struct kd_module *m;

		if (ms->n == MAX_MODULES)
			return kd_fail(err, KD_ERR_CORRUPT, "module list at 0x%llx does not end: corrupted?",
				       (unsigned long long)head);
		if (ms->n == cap) {
			cap = cap ? cap * 2 : 32;
			m = realloc(ms->mods, cap * sizeof(*m));
			if (!m)
				return kd_oom(err);
			ms->mods = m;
		}
		m = &ms->mods[ms->n];
		memset(m, 0, sizeof(*m));
		m->addr = pos - (uint64_t)list;
		if (read_module(k, m, err) != 0)
			return -1;
		ms->n++;
		if (kd_kernel_read_u64(k, pos, &pos, err) != 0)
			return kd_wrap(err, "module list broke after %s", m->name);
	}
	return 0;
}

int kd_modules(struct kd_kernel *k, struct kd_module **mods, size_t *n, kd_err *err)
{
	if (!k->modules) {
		struct kd_modules *ms = calloc(1, sizeof(*ms));

		if (!ms)
			return kd_oom(err);
		if (read_list(k, ms, err) != 0) {
			kd_modules_free(ms);
			return -1;
		}
		k->modules = ms;
	}
	*mods = k->modules->mods;
	*n = k->modules->n;
	return 0;
}

bool kd_modules_split_memory(struct kd_kernel *k)
{
	return kd_kernel_offsetof(k, "module", "mem", NULL) >= 0;
}

static bool same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (*a != *b && !((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))
			return false;
	return *a == *b;
}

struct kd_module *kd_module_by_name(struct kd_kernel *k, const char *name, kd_err *err)
{
	struct kd_module *mods;
	size_t n;

	if (kd_modules(k, &mods, &n, err) != 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (same_name(mods[i].name, name))
			return &mods[i];
	kd_fail(err, KD_ERR_LOOKUP, "no module %s is loaded (see `mod`)", name);
	return NULL;
}

static const struct kd_range *region_of(const struct kd_module *m, uint64_t addr)
{
	for (size_t i = 0; i < m->n_regions; i++)
		if (addr >= m->regions[i].start && addr < m->regions[i].end)
			return &m->regions[i];
	return NULL;
}

struct kd_module *kd_module_at(struct kd_kernel *k, uint64_t addr)
{
	struct kd_module *mods;
	size_t n;

	if (kd_modules(k, &mods, &n, NULL) != 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (region_of(&mods[i], addr))
			return &mods[i];
	return NULL;
}

/* Labels the kernel's own lookup skips too (is_mapping_symbol). */
static bool is_mapping_symbol(const char *s)
{
	return (s[0] == '.' && s[1] == 'L') || s[0] == '$';
}

/* At one address, the kernel names the symbol that comes first in the
 * table; names sit in sym_names in table order, so their order is it. */
static int by_addr(const void *a, const void *b)
{
	const struct kd_module_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/* mod->kallsyms: the whole symbol table while init runs, the core symbols
 * after. Names go to one buffer first (it grows), pointers are set after. */
static int read_syms(struct kd_kernel *k, struct kd_module *m, kd_err *err)
{
	uint64_t ks, symtab, num, strtab, typetab = 0;
	Elf64_Sym *raw = NULL;
	char *types = NULL, *names = NULL;
	size_t names_len = 0, names_cap = 0, *name_at = NULL;
	int rc = -1;

	if (kd_kernel_member(k, m->addr, "module", "kallsyms", &ks, err) != 0)
		goto out;
	if (!ks)
		return 0;
	if (kd_kernel_member(k, ks, "mod_kallsyms", "symtab", &symtab, err) != 0 ||
	    kd_kernel_member(k, ks, "mod_kallsyms", "num_symtab", &num, err) != 0 ||
	    kd_kernel_member(k, ks, "mod_kallsyms", "strtab", &strtab, err) != 0)
		goto out;
	/* 5.x+ keeps the type letters apart; before, st_info held them. */
	if (kd_kernel_offsetof(k, "mod_kallsyms", "typetab", NULL) >= 0 &&
	    kd_kernel_member(k, ks, "mod_kallsyms", "typetab", &typetab, err) != 0)
		goto out;
	if (num > MAX_MODULE_SYMS) {
		kd_fail(err, KD_ERR_CORRUPT, "%llu of them: corrupted?", (unsigned long long)num);
		goto out;
	}
	raw = malloc(num * sizeof(*raw) + 1);
	types = malloc(num + 1);
	name_at = malloc(num * sizeof(*name_at) + 1);
	m->syms = calloc(num + 1, sizeof(*m->syms));
	if (!raw || !types || !name_at || !m->syms) {
		kd_oom(err);
		goto out;
	}
	if (kd_kernel_read(k, symtab, raw, num * sizeof(*raw), err) != 0 ||
	    (typetab && kd_kernel_read(k, typetab, types, num, err) != 0))
		goto out;
	for (uint64_t i = 0; i < num; i++) {
		char name[KSYM_NAME_LEN];
		size_t len;

		if (raw[i].st_shndx == SHN_UNDEF || !region_of(m, raw[i].st_value))
			continue;
		if (kd_kernel_read_string(k, strtab + raw[i].st_name, name, sizeof(name), err) != 0)
			goto out;
		if (!name[0] || is_mapping_symbol(name))
			continue;
		len = strlen(name) + 1;
		if (names_len + len > names_cap) {
			char *p;
			names_cap = (names_len + len) * 2;
			if (!(p = realloc(names, names_cap))) {
				kd_oom(err);
				goto out;
			}
			names = p;
		}
		memcpy(names + names_len, name, len);
		name_at[m->n_syms] = names_len;
		names_len += len;
		m->syms[m->n_syms++] = (struct kd_module_sym){
			raw[i].st_value, NULL, (char)(typetab ? types[i] : raw[i].st_info) };
	}
	for (size_t i = 0; i < m->n_syms; i++)
		m->syms[i].name = names + name_at[i];
	qsort(m->syms, m->n_syms, sizeof(*m->syms), by_addr);
	m->sym_names = names;
	names = NULL;
	rc = 0;
out:
	if (rc != 0) {
		free(m->syms);
		m->syms = NULL;
		m->n_syms = 0;
		kd_wrap(err, "module %s's symbols", m->name);
	}
	free(raw);
	free(types);
	free(name_at);
	free(names);
	return rc;
}

int kd_module_syms(struct kd_kernel *k, struct kd_module *m, const struct kd_module_sym **syms,
		   size_t *n, kd_err *err)
{
	if (!m->syms_read) {
		if (read_syms(k, m, err) != 0)
			return -1;
		m->syms_read = true;
	}
	*syms = m->syms;
	*n = m->n_syms;
	return 0;
}

const struct kd_module_sym *kd_module_symbol_at(struct kd_kernel *k, uint64_t addr,
						struct kd_module **mod, uint64_t *off)
{
	struct kd_module *m = kd_module_at(k, addr);
	const struct kd_module_sym *syms, *s;
	const struct kd_range *r;
	size_t n, lo = 0, hi;

	if (!m || kd_module_syms(k, m, &syms, &n, NULL) != 0)
		return NULL;
	r = region_of(m, addr);
	hi = n;
	while (lo < hi) { /* first symbol above addr */
		size_t mid = lo + (hi - lo) / 2;
		if (syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || syms[lo - 1].addr < r->start)
		return NULL;
	s = &syms[lo - 1];
	while (s > syms && s[-1].addr == s->addr)
		s--;
	*mod = m;
	*off = addr - s->addr;
	return s;
}

uint64_t kd_module_symbol_size(struct kd_kernel *k, struct kd_module *m,
			       const struct kd_module_sym *sym)
{
	const struct kd_module_sym *syms;
	const struct kd_range *r = region_of(m, sym->addr);
	size_t n, i;

	if (!r || kd_module_syms(k, m, &syms, &n, NULL) != 0)
		return 0;
	for (i = (size_t)(sym - syms) + 1; i < n && syms[i].addr == sym->addr; i++)
		;
	return (i < n && syms[i].addr < r->end ? syms[i].addr : r->end) - sym->addr;
}

/* The name insmod gave it: "name=" in .modinfo (absent from a split-off
 * .ko.debug, whose allocated sections are empty). */
static const char *modinfo_name(struct kd_symfile *sf)
{
	const void *data;
	size_t len;

	if (kd_symfile_section(sf, ".modinfo", &data, &len, NULL) != 0)
		return NULL;
	for (const char *p = data, *end = p + len; p < end; p += strnlen(p, (size_t)(end - p)) + 1)
		if ((size_t)(end - p) > 5 && strncmp(p, "name=", 5) == 0 && memchr(p, '\0', (size_t)(end - p)))
			return p + 5;
	return NULL;
}

int kd_module_load_debuginfo(struct kd_kernel *k, struct kd_module *m, const char *path,
			     kd_err *err)
{
	struct kd_symbolizer *sz;
	struct kd_symfile *sf;
	struct kd_type_src *types;
	const char *name, *id;
	char *copy, cache[4096];

	if (!(sz = kd_symbolizer_new(err)))
		return -1;
	if (!(sf = kd_symbolizer_add(sz, m->name, path, err)) || kd_symfile_check(sf, path, err) != 0)
		goto fail;
	if ((name = modinfo_name(sf)) && !same_name(name, m->name)) {
		kd_fail(err, KD_ERR_MISMATCH, "%s is module %s, not %s", path, name, m->name);
		goto fail;
	}
	id = kd_symfile_build_id(sf);
	if (m->build_id[0] && strcmp(id, m->build_id) != 0) {
		kd_fail(err, KD_ERR_MISMATCH, "%s has build-id %s, module %s in the dump has %s: not the same build",
			path, id[0] ? id : "(none)", m->name, m->build_id);
		goto fail;
	}
	if (!(copy = strdup(path))) {
		kd_oom(err);
		goto fail;
	}
	/* its types too: statics and structs only its DWARF knows */
	kd_cache_dir(cache, sizeof(cache), "index");
	if (!(types = kd_dwarf_types_new(sf, cache[0] ? cache : NULL, err))) {
		free(copy);
		goto fail;
	}
	kd_types_remove_module(k->types, m->name);
	drop_debuginfo(m);
	if (kd_types_add_module(k->types, m->name, types, err) != 0) {
		free(copy);
		kd_symbolizer_free(sz);
		return -1;
	}
	m->sz = sz;
	m->debug = sf;
	m->debug_path = copy;
	return 0;
fail:
	kd_symbolizer_free(sz);
	return -1;
}

const char *kd_module_find_file(struct kd_kernel *k, const char *first_dir, const char *name,
				kd_err *err)
{
	const char *path = NULL;
	char where[2048];

	if (first_dir)
		path = kd_module_finder_find_in(k->finder, first_dir, name);
	if (!path && !(path = kd_module_finder_find(k->finder, name))) {
		kd_module_finder_describe(k->finder, where, sizeof(where));
		kd_fail(err, KD_ERR_LOOKUP, "cannot find an object file for module %s (no %s.ko* in %s)",
			name, name, where);
	}
	return path;
}

/* Stripped objects (what a distribution installs under /lib/modules) are
 * common and say the same thing each: one line for all of them. */
static void warn_stripped(struct kd_kernel *k, char *const *names, size_t n)
{
	char list[512], hint[512];
	size_t pos = 0;

	if (!n)
		return;
	list[0] = '\0';
	for (size_t i = 0; i < n && pos < sizeof(list); i++)
		pos += (size_t)snprintf(list + pos, sizeof(list) - pos, "%s%s", i ? ", " : "", names[i]);
	kd_debug_package_hint(k->release, hint, sizeof(hint));
	kd_kernel_warn(k, "%zu module%s found only without debug info (stripped): %s; %s, or "
		       "give their debug .ko files' directory with --modules DIR or mod -S DIR",
		       n, n == 1 ? "" : "s", list, hint);
}

/* Modules without a local debug file, asked of debuginfod by build-id
 * (read from the module's memory): one line says how many it had. A
 * server that cannot be asked is not asked again. */
struct fetch {
	bool ask, down;
	size_t asked, got;
	kd_err why;
};

static bool from_debuginfod(struct kd_kernel *k, struct kd_module *m, struct fetch *f)
{
	char path[4096];
	kd_err err;

	if (!f->ask || f->down || !m->build_id[0])
		return false;
	f->asked++;
	if (kd_debuginfod_find(m->build_id, NULL, k->diag, path, sizeof(path), &err) != 0) {
		if (err.code == KD_ERR_INTERRUPTED) { /* Ctrl-C: asked again next time */
			m->searched = false;
			f->down = true;
			return false;
		}
		f->down = err.code == KD_ERR_IO;
		if (f->down || !f->why.msg[0])
			f->why = err;
		return false;
	}
	if (kd_module_load_debuginfo(k, m, path, &err) != 0) {
		kd_kernel_warn(k, "%s", err.msg);
		return false;
	}
	f->got++;
	return true;
}

void kd_modules_search_again(struct kd_kernel *k)
{
	struct kd_module *mods;
	size_t n;

	if (kd_modules(k, &mods, &n, NULL) == 0)
		for (size_t i = 0; i < n; i++)
			mods[i].searched = mods[i].debug != NULL;
}

void kd_modules_find_debuginfo(struct kd_kernel *k)
{
	struct kd_module *mods;
	char **stripped;
	size_t n, n_stripped = 0;
	const char *urls = getenv("DEBUGINFOD_URLS");
	struct fetch f = { k->debuginfod && urls && *urls, false, 0, 0, { "" } };

	if (kd_modules(k, &mods, &n, NULL) != 0 || !(stripped = calloc(n + 1, sizeof(*stripped))))
		return;
	for (size_t i = 0; i < n; i++) {
		struct kd_module *m = &mods[i];
		const char *path;
		kd_err err;

		if (m->debug || m->searched)
			continue;
		m->searched = true;
		if (!(path = kd_module_find_file(k, NULL, m->name, NULL))) {
			from_debuginfod(k, m, &f);
			continue;
		}
		if (kd_module_load_debuginfo(k, m, path, &err) == 0)
			continue;
		if (err.code != KD_ERR_LOOKUP)
			kd_kernel_warn(k, "%s", err.msg);
		else if (!from_debuginfod(k, m, &f))
			stripped[n_stripped++] = m->name;
	}
	warn_stripped(k, stripped, n_stripped);
	if (f.asked)
		kd_kernel_warn(k, "debuginfod: %zu of %zu modules' debug files fetched by build-id%s%s%s", f.got,
			       f.asked, f.why.msg[0] ? " (" : "", f.why.msg, f.why.msg[0] ? ")" : "");
	free(stripped);
}

char **kd_modules_debug_files(struct kd_kernel *k, size_t *n)
{
	struct kd_module *mods;
	size_t nmods;
	char **files;

	*n = 0;
	if (kd_modules(k, &mods, &nmods, NULL) != 0 || !(files = calloc(nmods + 1, sizeof(*files))))
		return NULL;
	for (size_t i = 0; i < nmods; i++)
		if (mods[i].debug && mods[i].debug_path &&
		    asprintf(&files[*n], "%s=%s", mods[i].name, mods[i].debug_path) >= 0)
			(*n)++;
	return files;
}
