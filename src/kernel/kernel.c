#include "kernel/kernel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fs.h"
#include "source/source.h"
#include "symbols/kallsyms.h"
#include "symbols/kernel_id.h"
#include "dump/dump.h"
#include "kernel/kaslr.h"
#include "kernel/live.h"
#include "kernel/modules.h"
#include "kernel/tasks.h"
#include "kernel/types.h"
#include "kernel/vmcoreinfo.h"
#include "memory/vmem.h"
#include "symbols/debuginfo_find.h"
#include "symbols/symbolizer.h"

#define START_KERNEL_MAP 0xffffffff80000000ULL

void kd_kernel_close(struct kd_kernel *k)
{
	if (!k)
		return;
	kd_modules_free(k->modules);
	kd_tasks_free(k->tasks);
	kd_task_mem_cache_free(k->task_mem);
	kd_module_finder_free(k->finder);
	kd_sources_free(k->sources);
	kd_types_free(k->types);
	kd_vmem_free(k->vm);
	kd_symbolizer_free(k->sz);
	kd_kallsyms_free(k->ksyms);
	free(k->btf_mem);
	kd_vmcoreinfo_free(k->vmci);
	kd_dump_close(k->dump);
	free(k->per_cpu_offset);
	free(k->vmlinux_path);
	free(k->dump_path);
	free(k->sysroot);
	free(k);
}

void kd_kernel_forget_walks(struct kd_kernel *k)
{
	kd_tasks_free(k->tasks);
	kd_task_mem_cache_free(k->task_mem);
	k->tasks = NULL;
	k->task_mem = NULL;
}

void kd_kernel_refresh(struct kd_kernel *k)
{
	if (!k->live)
		return;
	kd_kernel_forget_walks(k);
	kd_modules_free(k->modules);
	k->modules = NULL;
	kd_vmem_flush(k->vm);
}

void kd_kernel_warn(struct kd_kernel *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kd_vwarn(k->diag, NULL, fmt, ap);
	va_end(ap);
}

int kd_kernel_add_module_dir(struct kd_kernel *k, const char *dir, kd_err *err)
{
	return kd_module_finder_add_dir(k->finder, dir) == 0 ? 0 : kd_oom(err);
}

static void text_range(struct kd_kernel *k, const char *start, const char *end,
		       struct kd_addr_range *r)
{
	if (kd_kernel_symbol(k, start, &r->start, NULL) != 0 ||
	    kd_kernel_symbol(k, end, &r->end, NULL) != 0 || r->end < r->start)
		r->start = r->end = 0;
}

/* The dump and the vmlinux must be the same build: a different one gives
 * plausible garbage. Compare the build-id first, the release second. */
static int check_match(struct kd_kernel *k, kd_err *err)
{
	const char *dump_id = kd_vmcoreinfo_get(k->vmci, "BUILD-ID");
	const char *file_id = kd_symfile_build_id(k->vmlinux);
	const char *dump_rel = kd_vmcoreinfo_get(k->vmci, "OSRELEASE");
	char banner[512], hint[512];
	struct kd_kernel_id bin = { 0 };

	if (kd_symfile_read_string(k->vmlinux, "linux_banner", banner, sizeof(banner), NULL) == 0)
		kd_kernel_id_from_banner(banner, &bin);
	snprintf(k->release, sizeof(k->release), "%s", dump_rel ? dump_rel : bin.release);
	kd_debug_package_hint(k->release, hint, sizeof(hint));
	if (dump_id && file_id[0] && strncmp(dump_id, file_id, strlen(file_id)) != 0)
		return kd_fail(err, KD_ERR_MISMATCH, "%s does not match %s: the dump is kernel %s build-id %s, the "
			       "vmlinux is %s build-id %s; use the crashed kernel's debug vmlinux (%s)",
			       k->vmlinux_path, k->dump_path, k->release, dump_id,
			       bin.release[0] ? bin.release : "?", file_id, hint);
	if (dump_rel && bin.release[0] && strcmp(dump_rel, bin.release) != 0)
		return kd_fail(err, KD_ERR_MISMATCH, "%s does not match %s: the dump is kernel %s, the vmlinux is %s; "
			       "use the crashed kernel's debug vmlinux (%s)", k->vmlinux_path,
			       k->dump_path, dump_rel, bin.release, hint);
	return 0;
}

/* KASLR offset and memory layout as VMCOREINFO gives them. */
static int layout_from_vmcoreinfo(struct kd_kernel *k, struct kd_vmem_layout *l, kd_err *err)
{
	uint64_t init_top_pgt, sme_mask;
	int64_t n;

	if (!kd_vmcoreinfo_hex(k->vmci, "KERNELOFFSET", &k->kaslr)) {
		uint64_t dump_stext, file_stext;
		if (!kd_vmcoreinfo_hex(k->vmci, "SYMBOL(_stext)", &dump_stext) || !k->vmlinux ||
		    kd_symfile_lookup(k->vmlinux, "_stext", 0, &file_stext, NULL) != 0)
			return kd_fail(err, KD_ERR_UNSUPPORTED, "%s: VMCOREINFO has neither KERNELOFFSET nor SYMBOL(_stext): "
				       "cannot tell where KASLR moved the kernel", k->dump_path);
		k->kaslr = dump_stext - file_stext;
	}
	if (!kd_vmcoreinfo_dec(k->vmci, "NUMBER(phys_base)", &n))
		return kd_fail(err, KD_ERR_CORRUPT, "%s: VMCOREINFO lacks NUMBER(phys_base)", k->dump_path);
	l->phys_base = (uint64_t)n;
	if (!kd_vmcoreinfo_hex(k->vmci, "SYMBOL(init_top_pgt)", &init_top_pgt) &&
	    !kd_vmcoreinfo_hex(k->vmci, "SYMBOL(swapper_pg_dir)", &init_top_pgt))
		return kd_fail(err, KD_ERR_CORRUPT, "%s: VMCOREINFO lacks SYMBOL(init_top_pgt)", k->dump_path);
	l->pgd_phys = init_top_pgt - START_KERNEL_MAP + l->phys_base;
	l->five_level = kd_vmcoreinfo_dec(k->vmci, "NUMBER(pgtable_l5_enabled)", &n) && n;
	l->kernel_map = START_KERNEL_MAP;
	l->kernel_map_size = kd_vmcoreinfo_dec(k->vmci, "NUMBER(KERNEL_IMAGE_SIZE)", &n) ? (uint64_t)n
											 : 1ULL << 30;
	if (kd_vmcoreinfo_dec(k->vmci, "NUMBER(MAX_PHYSMEM_BITS)", &n) && n > 0 && n < 64)
		l->max_phys = 1ULL << n;
	if (kd_vmcoreinfo_hex(k->vmci, "NUMBER(sme_mask)", &sme_mask) && sme_mask)
		l->phys_mask = 0x000ffffffffff000ULL & ~sme_mask;
	return 0;
}

/* Without VMCOREINFO (QEMU guests without -device vmcoreinfo) the layout
 * is found from the vmlinux and the dump's memory (kernel/kaslr.h). */
/* The kernel image's mapping; the direct map once symbols can be looked
 * up (setup_direct_map). */
static int setup_memory(struct kd_kernel *k, kd_err *err)
{
	struct kd_vmem_layout l = { 0 };

	if ((k->vmci ? layout_from_vmcoreinfo(k, &l, err)
		     : kd_kaslr_find(k->dump, k->vmlinux, k->dump_path, &k->kaslr, &l, err)) != 0)
		return -1;
	k->phys_base = l.phys_base;
	k->vm = kd_vmem_new(k->dump, &l);
	if (!k->vm)
		return kd_oom(err);
	return 0;
}

static void setup_direct_map(struct kd_kernel *k)
{
	uint64_t pob;

	/* With memory KASLR (or 5-level paging) the regions move and the
	 * kernel's variables say where: the direct map, then vmalloc and
	 * vmemmap, in that order. The direct map ends where the next region
	 * begins; no kernel version decides it. */
	if (kd_kernel_symbol(k, "page_offset_base", &pob, NULL) == 0 &&
	    kd_kernel_read_u64(k, pob, &pob, NULL) == 0) {
		uint64_t end = 0, v;
		for (size_t i = 0; i < 2; i++) {
			static const char *const next[] = { "vmalloc_base", "vmemmap_base" };
			if (kd_kernel_symbol(k, next[i], &v, NULL) == 0 &&
			    kd_kernel_read_u64(k, v, &v, NULL) == 0 && v > pob && (!end || v < end))
				end = v;
		}
		kd_vmem_set_direct_map(k->vm, pob, end);
	}
}

static int setup_cpus(struct kd_kernel *k, kd_err *err)
{
	uint64_t addr;
	uint32_t nr;

	if (kd_kernel_symbol(k, "nr_cpu_ids", &addr, err) != 0 ||
	    kd_kernel_read_u32(k, addr, &nr, err) != 0)
		return -1;
	if (nr == 0 || nr > 8192)
		return kd_fail(err, KD_ERR_CORRUPT, "nr_cpu_ids is %u: memory does not look like this kernel's", nr);
	k->nr_cpus = (int)nr;
	k->per_cpu_offset = calloc(nr, sizeof(*k->per_cpu_offset));
	if (!k->per_cpu_offset)
		return kd_oom(err);
	if (kd_kernel_symbol(k, "__per_cpu_offset", &addr, err) != 0 ||
	    kd_kernel_read(k, addr, k->per_cpu_offset, nr * sizeof(uint64_t), err) != 0)
		return -1;
	return 0;
}

static int read_virt(void *ctx, uint64_t addr, void *buf, size_t len, kd_err *err)
{
	return kd_kernel_read(ctx, addr, buf, len, err);
}

/* Where kallsyms keeps its tables when VMCOREINFO does not say (before
 * 6.0): found by their layout after _stext, the first time for a build;
 * kept in kdive's cache by build-id as offsets from _stext (KASLR moves
 * the whole image). */
static int kallsyms_by_layout(struct kd_kernel *k, struct kd_kallsyms_loc *loc, bool rescan, kd_err *err)
{
	uint64_t *at[] = { &loc->num_syms, &loc->names, &loc->token_table, &loc->token_index,
			   &loc->offsets, &loc->relative_base };
	const char *id = kd_vmcoreinfo_get(k->vmci, "BUILD-ID");
	char dir[4096], path[4300], tmp[4400];
	uint64_t stext;
	FILE *f;
	long long v[6];

	if (!kd_vmcoreinfo_hex(k->vmci, "SYMBOL(_stext)", &stext))
		return kd_fail(err, KD_ERR_UNSUPPORTED, "its VMCOREINFO locates neither kallsyms nor _stext");
	kd_cache_dir(dir, sizeof(dir), "kallsyms");
	/* the dump's word names a file: hex digits only */
	if (id && (strlen(id) < 2 || strlen(id) > 128 || strspn(id, "0123456789abcdef") != strlen(id)))
		id = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, id ? id : "");
	if (!rescan && dir[0] && id && (f = fopen(path, "r"))) {
		int got = fscanf(f, "%lld %lld %lld %lld %lld %lld", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]);
		fclose(f);
		if (got == 6) {
			for (int i = 0; i < 6; i++)
				*at[i] = stext + (uint64_t)v[i];
			return 0;
		}
	}
	if (kd_kallsyms_find(read_virt, k, stext, loc, err) != 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	if (dir[0] && id)
		kd_mkdirs(dir);
	if (dir[0] && id && (f = fopen(tmp, "w"))) {
		for (int i = 0; i < 6; i++)
			fprintf(f, "%lld%c", (long long)(*at[i] - stext), i < 5 ? ' ' : '\n');
		if (fclose(f) != 0 || rename(tmp, path) != 0)
			remove(tmp);
	}
	return 0;
}

/* The dump alone: VMCOREINFO gives the release, the layout and where
 * kallsyms keeps its tables (Linux 6.0+; before, their layout does);
 * kallsyms gives __start_BTF. */
static int from_dump(struct kd_kernel *k, kd_err *err)
{
	static const char *const keys[] = { "SYMBOL(kallsyms_num_syms)", "SYMBOL(kallsyms_names)",
					    "SYMBOL(kallsyms_token_table)", "SYMBOL(kallsyms_token_index)",
					    "SYMBOL(kallsyms_offsets)", "SYMBOL(kallsyms_relative_base)" };
	struct kd_kallsyms_loc loc;
	uint64_t *at[] = { &loc.num_syms, &loc.names, &loc.token_table, &loc.token_index,
			   &loc.offsets, &loc.relative_base };
	const char *rel = k->vmci ? kd_vmcoreinfo_get(k->vmci, "OSRELEASE") : NULL;
	uint64_t start, stop;
	char hint[512];

	if (!rel)
		return kd_fail(err, KD_ERR_UNSUPPORTED, "%s has no VMCOREINFO: without it the dump cannot "
			       "be read without the kernel's debug vmlinux", k->dump_path);
	snprintf(k->release, sizeof(k->release), "%s", rel);
	kd_debug_package_hint(k->release, hint, sizeof(hint));
	bool named = true;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && named; i++)
		named = kd_vmcoreinfo_hex(k->vmci, keys[i], at[i]);
	if (setup_memory(k, err) != 0)
		return -1;
	if (!named && kallsyms_by_layout(k, &loc, false, err) != 0)
		return kd_wrap(err, "%s: its VMCOREINFO does not locate the kernel's kallsyms (Linux 6.0+ "
			       "does) and their layout was not found: give the debug vmlinux (%s)", k->dump_path,
			       hint);
	k->ksyms = kd_kallsyms_load(&loc, read_virt, k, err);
	/* a cached place that does not hold them: looked for again */
	if (!k->ksyms && !named && kallsyms_by_layout(k, &loc, true, err) == 0)
		k->ksyms = kd_kallsyms_load(&loc, read_virt, k, err);
	if (!k->ksyms)
		return kd_wrap(err, "%s: the kernel's kallsyms; give the debug vmlinux (%s)", k->dump_path,
			       hint);
	setup_direct_map(k);
	/* the kernel's BTF, between two symbols of its image */
	if (kd_kernel_symbol(k, "__start_BTF", &start, NULL) != 0 ||
	    kd_kernel_symbol(k, "__stop_BTF", &stop, NULL) != 0 || stop <= start ||
	    stop - start > (256u << 20))
		return kd_fail(err, KD_ERR_UNSUPPORTED, "%s: the kernel has no BTF (CONFIG_DEBUG_INFO_BTF): "
			       "give the debug vmlinux (%s)", k->dump_path, hint);
	k->btf_len = (size_t)(stop - start);
	if (!(k->btf_mem = malloc(k->btf_len)))
		return kd_oom(err);
	if (kd_kernel_read(k, start, k->btf_mem, k->btf_len, err) != 0)
		return kd_wrap(err, "the kernel's BTF; give the debug vmlinux (%s)", hint);
	return 0;
}

static struct kd_kernel *open_kernel(const char *vmlinux, const char *dump,
				     const struct kd_kernel_opts *opts, kd_err *err);

/* The debug vmlinux of the dump's build: in the standard places, else
 * from debuginfod. 0 and path, or -1 (said on diag when it was looked
 * for and not found; *down when no server answered, so that the modules
 * are not asked for as well). */
static int find_debug_vmlinux(const char *dump, const struct kd_kernel_opts *opts, char *path,
			      size_t len, bool *down)
{
	FILE *diag = opts ? opts->diag : NULL;
	char rel[128], id[130];
	struct kd_dump *d;
	kd_err why;
	int rc = -1;
	bool known;

	if (!(d = kd_dump_open(dump, NULL)))
		return -1;
	known = kd_vmcoreinfo_identity(d, rel, sizeof(rel), id, sizeof(id)) && rel[0];
	kd_dump_close(d);
	if (known) {
		if (kd_find_vmlinux(rel, opts ? opts->sysroot : NULL, path, len, NULL) == 0) {
			rc = 0;
		} else if (id[0] && !(opts && opts->no_debuginfod) && getenv("DEBUGINFOD_URLS") &&
			   *getenv("DEBUGINFOD_URLS")) {
			char what[200];
			snprintf(what, sizeof(what), "vmlinux of %s", rel);
			rc = kd_debuginfod_find(id, what, diag, path, len, &why);
			*down = rc != 0 && why.code == KD_ERR_IO;
			if (rc != 0 && diag)
				fprintf(diag, "kdive: %s; going on with the dump's kallsyms, BTF and ORC%s\n",
					why.msg, *down ? " (modules' debug files are not asked for either: "
					"`set debuginfod on` tries again)" : "");
		}
	}
	return rc;
}

struct kd_kernel *kd_kernel_open(const char *vmlinux, const char *dump,
				 const struct kd_kernel_opts *opts, kd_err *err)
{
	char found[4096];
	bool down = false;

	if (!vmlinux && !(opts && opts->no_search) && find_debug_vmlinux(dump, opts, found,
									  sizeof(found), &down) == 0) {
		struct kd_kernel_opts o = { opts ? opts->sysroot : NULL, opts ? opts->diag : NULL, true,
					    opts && opts->no_debuginfod };
		struct kd_kernel *k;
		kd_err why;

		if ((k = kd_kernel_open(found, dump, &o, &why)))
			return k;
		if (o.diag)
			fprintf(o.diag, "kdive: %s: %s; going on with the dump's kallsyms, BTF and ORC\n",
				found, why.msg);
	}
	if (down) {
		struct kd_kernel_opts o = { opts ? opts->sysroot : NULL, opts ? opts->diag : NULL, false,
					    true };
		return open_kernel(vmlinux, dump, &o, err);
	}
	return open_kernel(vmlinux, dump, opts, err);
}

static struct kd_kernel *open_kernel(const char *vmlinux, const char *dump,
				     const struct kd_kernel_opts *opts, kd_err *err)
{
	struct kd_kernel *k = calloc(1, sizeof(*k));
	const char *sysroot = opts && opts->sysroot ? opts->sysroot : "/";
	const void *btf;
	const char *vmci;
	char cache[4096];
	size_t len = 0;

	if (!k || !(k->vmlinux_path = strdup(vmlinux ? vmlinux : "")) || !(k->dump_path = strdup(dump)) ||
	    !(k->sysroot = strdup(sysroot)) || !(k->finder = kd_module_finder_new())) {
		kd_oom(err);
		goto fail;
	}
	k->diag = opts ? opts->diag : NULL;
	k->debuginfod = !(opts && opts->no_debuginfod);
	if ((strcmp(dump, KD_LIVE_KCORE) == 0 && kd_live_preflight(dump, err) != 0) ||
	    !(k->dump = kd_dump_open(dump, err)))
		goto fail;
	k->live = kd_dump_info(k->dump)->live;
	vmci = kd_dump_vmcoreinfo(k->dump, &len);
	if (vmci && !(k->vmci = kd_vmcoreinfo_parse(vmci, len))) {
		kd_oom(err);
		goto fail;
	}
	if (!(k->sz = kd_symbolizer_new(err)))
		goto fail;
	if (!vmlinux) {
		if (from_dump(k, err) != 0)
			goto fail;
		btf = k->btf_mem;
		len = k->btf_len;
	} else {
		if (!(k->vmlinux = kd_symbolizer_add(k->sz, "vmlinux", vmlinux, err)) ||
		    kd_symfile_check(k->vmlinux, vmlinux, err) != 0 || check_match(k, err) != 0 ||
		    setup_memory(k, err) != 0)
			goto fail;
		setup_direct_map(k);
		if (kd_symfile_section(k->vmlinux, ".BTF", &btf, &len, NULL) != 0)
			btf = NULL;
	}
	kd_cache_dir(cache, sizeof(cache), "index");
	if (!(k->types = kd_types_new(btf, len, k->vmlinux, cache[0] ? cache : NULL, err))) {
		kd_wrap(err, "%s: struct layouts", vmlinux ? vmlinux : dump);
		goto fail;
	}
	if (setup_cpus(k, err) != 0) {
		kd_wrap(err, "%s: per-CPU areas", dump);
		goto fail;
	}
	/* _text, not _stext: head code (startup_64...) is text too. */
	text_range(k, "_text", "_etext", &k->text);
	text_range(k, "_sinittext", "_einittext", &k->inittext);
	kd_module_finder_add_release(k->finder, k->release, k->sysroot);
	return k;
fail:
	kd_kernel_close(k);
	return NULL;
}

int kd_kernel_symbol(struct kd_kernel *k, const char *name, uint64_t *addr, kd_err *err)
{
	if (!k->vmlinux) /* kallsyms has runtime addresses */
		return k->ksyms && kd_kallsyms_lookup(k->ksyms, name, addr, NULL) == 0
			       ? 0 : kd_fail(err, KD_ERR_LOOKUP, "no symbol %s in the kernel's kallsyms", name);
	if (kd_symfile_lookup(k->vmlinux, name, 0, addr, err) != 0)
		return -1;
	/* Per-CPU symbols are offsets into each CPU's area: KASLR does not
	 * move them. */
	if (*addr >= START_KERNEL_MAP)
		*addr += k->kaslr;
	return 0;
}

int kd_kernel_read(struct kd_kernel *k, uint64_t addr, void *buf, size_t len, kd_err *err)
{
	return kd_vmem_read(k->vm, addr, buf, len, err);
}

int kd_kernel_read_phys(struct kd_kernel *k, uint64_t paddr, void *buf, size_t len, kd_err *err)
{
	return kd_dump_read_phys(k->dump, paddr, buf, len, err);
}

int kd_kernel_read_u64(struct kd_kernel *k, uint64_t addr, uint64_t *v, kd_err *err)
{
	return kd_vmem_read(k->vm, addr, v, sizeof(*v), err);
}

int kd_kernel_read_u32(struct kd_kernel *k, uint64_t addr, uint32_t *v, kd_err *err)
{
	return kd_vmem_read(k->vm, addr, v, sizeof(*v), err);
}

int kd_kernel_read_string(struct kd_kernel *k, uint64_t addr, char *buf, size_t len, kd_err *err)
{
	size_t got = 0;

	if (len == 0)
		return kd_fail(err, KD_ERR_INVALID, "no room");
	/* Page by page, so a string at the end of a mapping still reads. */
	while (got + 1 < len) {
		size_t chunk = 4096 - ((addr + got) & 4095);
		if (chunk > len - 1 - got)
			chunk = len - 1 - got;
		if (kd_vmem_read(k->vm, addr + got, buf + got, chunk, err) != 0)
			return -1;
		if (memchr(buf + got, '\0', chunk))
			return 0;
		got += chunk;
	}
	buf[len - 1] = '\0';
	return 0;
}

int64_t kd_kernel_offsetof(struct kd_kernel *k, const char *type, const char *path, kd_err *err)
{
	struct kd_member m;

	if (kd_types_member(k->types, type, path, &m, err) != 0)
		return -1;
	return (int64_t)m.offset;
}

int64_t kd_kernel_sizeof(struct kd_kernel *k, const char *type, kd_err *err)
{
	return kd_types_size(k->types, type, err);
}

int kd_kernel_member(struct kd_kernel *k, uint64_t addr, const char *type, const char *path,
		     uint64_t *v, kd_err *err)
{
	struct kd_member m;
	unsigned char buf[8] = { 0 };
	uint64_t val = 0;
	size_t n;

	if (kd_types_member(k->types, type, path, &m, err) != 0)
		return -1;
	n = m.size ? m.size : (m.bit_offset + m.bit_size + 7) / 8;
	if (n == 0 || n > 8)
		return kd_fail(err, KD_ERR_CORRUPT, "%s.%s is %zu bytes, not an integer", type, path, n);
	if (kd_vmem_read(k->vm, addr + m.offset, buf, n, err) != 0)
		return -1;
	memcpy(&val, buf, n); /* x86-64 is little-endian */
	if (m.bit_size)
		val = (val >> m.bit_offset) & ((1ULL << m.bit_size) - 1);
	*v = val;
	return 0;
}

int kd_kernel_per_cpu(struct kd_kernel *k, const char *sym, int cpu, uint64_t *addr, kd_err *err)
{
	uint64_t base;

	if (cpu < 0 || cpu >= k->nr_cpus)
		return kd_fail(err, KD_ERR_LOOKUP, "no CPU %d (this kernel has %d)", cpu, k->nr_cpus);
	if (kd_kernel_symbol(k, sym, &base, err) != 0)
		return -1;
	*addr = base + k->per_cpu_offset[cpu];
	return 0;
}
