#include "symbols/dwarf_index.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fs.h"

/* The index, on disk and in memory alike:
 *   header | entries (sorted by hash, then kind) | names (NUL-terminated) */
#define MAGIC "KDIVEDWI"
#define VERSION 2

struct header {
	char magic[8];
	uint32_t version;
	uint32_t n;              /* entries */
	uint64_t names_size;
	uint64_t debug_info_size;
	char build_id[136];      /* hex, NUL-padded */
};

struct entry {
	uint32_t hash;
	uint32_t kind;
	uint32_t name;           /* offset into the names */
	uint32_t pad;
	uint64_t die;
};

struct kd_dwarf_index {
	const unsigned char *data;
	size_t len;
	bool mapped;             /* data is an mmap of the cached file */
	const struct entry *e;
	uint32_t n;
	const char *names;
	uint64_t names_size;
};

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void kd_dwarf_index_free(struct kd_dwarf_index *idx)
{
	if (!idx)
		return;
	if (idx->mapped)
		munmap((void *)idx->data, idx->len);
	else
		free((void *)idx->data);
	free(idx);
}

struct kd_dwarf_index *kd_dwarf_index_parse(const void *data, size_t len, const char *build_id,
					    uint64_t debug_info_size, kd_err *err)
{
	const struct header *h = data;
	struct kd_dwarf_index *idx;
	uint64_t need;

	if (len < sizeof(*h) || memcmp(h->magic, MAGIC, 8) != 0 || h->version != VERSION) {
		kd_fail(err, KD_ERR_CORRUPT, "not a kdive DWARF index (version %d)", VERSION);
		return NULL;
	}
	if (h->debug_info_size != debug_info_size || !memchr(h->build_id, '\0', sizeof(h->build_id)) ||
	    strcmp(h->build_id, build_id ? build_id : "") != 0) {
		kd_fail(err, KD_ERR_MISMATCH, "the index is of another build or DWARF");
		return NULL;
	}
	/* in this order, so that nothing can overflow */
	need = sizeof(*h) + (uint64_t)h->n * sizeof(struct entry);
	if (need > len || h->names_size != len - need ||
	    (h->names_size && ((const char *)data)[len - 1] != '\0')) {
		kd_fail(err, KD_ERR_CORRUPT, "index of %zu bytes does not hold its %u entries and "
			"%llu bytes of names", len, h->n, (unsigned long long)h->names_size);
		return NULL;
	}
	if (!(idx = calloc(1, sizeof(*idx)))) {
		kd_oom(err);
		return NULL;
	}
	idx->data = data;
	idx->len = len;
	idx->e = (const struct entry *)(h + 1);
	idx->n = h->n;
	idx->names = (const char *)(idx->e + h->n);
	idx->names_size = h->names_size;
	return idx;
}

size_t kd_dwarf_index_find(const struct kd_dwarf_index *idx, const char *name,
			   enum kd_dwarf_name_kind kind, uint64_t *dies, size_t max)
{
	uint32_t h = name_hash(name);
	size_t lo = 0, hi = idx->n, found = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (idx->e[mid].hash < h || (idx->e[mid].hash == h && idx->e[mid].kind < (uint32_t)kind))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < idx->n && idx->e[lo].hash == h && idx->e[lo].kind == (uint32_t)kind; lo++) {
		const struct entry *e = &idx->e[lo];
		/* parse() checked the names end in a NUL */
		if (e->name < idx->names_size && strcmp(idx->names + e->name, name) == 0) {
			if (found < max)
				dies[found] = e->die;
			found++;
		}
	}
	return found;
}

void kd_dwarf_index_names(const struct kd_dwarf_index *idx, enum kd_dwarf_name_kind kind,
			  const char *prefix, void (*cb)(const char *name, void *arg), void *arg)
{
	size_t len = strlen(prefix);

	/* sorted by hash, not name: a linear pass, ~1 ms for a vmlinux */
	for (uint32_t i = 0; i < idx->n; i++) {
		const struct entry *e = &idx->e[i];
		if (e->kind == (uint32_t)kind && e->name < idx->names_size &&
		    strncmp(idx->names + e->name, prefix, len) == 0)
			cb(idx->names + e->name, arg);
	}
}

/* --- building ------------------------------------------------------------ */

struct build {
	struct entry *e;
	const char **name;       /* parallel to e while building */
	size_t n, cap;
	/* one definition per type name: (hash, kind, name) already taken */
	size_t *seen;            /* indexes into e, open addressing, SIZE_MAX empty */
	size_t seen_cap;
	kd_err *err;
};

static bool seen_before(struct build *b, size_t at)
{
	size_t mask = b->seen_cap - 1, i = (b->e[at].hash * 2654435761u ^ b->e[at].kind) & mask;

	for (; b->seen[i] != SIZE_MAX; i = (i + 1) & mask) {
		size_t o = b->seen[i];
		if (b->e[o].hash == b->e[at].hash && b->e[o].kind == b->e[at].kind &&
		    strcmp(b->name[o], b->name[at]) == 0)
			return true;
	}
	b->seen[i] = at;
	return false;
}

static int grow_seen(struct build *b)
{
	size_t *old = b->seen, old_cap = b->seen_cap;

	b->seen_cap = old_cap ? old_cap * 2 : 1 << 16;
	if (!(b->seen = malloc(b->seen_cap * sizeof(*b->seen)))) {
		b->seen = old;
		b->seen_cap = old_cap;
		return kd_oom(b->err);
	}
	memset(b->seen, 0xff, b->seen_cap * sizeof(*b->seen));
	for (size_t i = 0; i < old_cap; i++)
		if (old[i] != SIZE_MAX)
			seen_before(b, old[i]);
	free(old);
	return 0;
}

static int add(struct build *b, const char *name, enum kd_dwarf_name_kind kind, uint64_t die,
	       bool once)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1 << 16;
		struct entry *e = realloc(b->e, cap * sizeof(*e));
		const char **nm = e ? realloc(b->name, cap * sizeof(*nm)) : NULL;
		if (e)
			b->e = e;
		if (!nm)
			return kd_oom(b->err);
		b->name = nm;
		b->cap = cap;
	}
	b->e[b->n] = (struct entry){ name_hash(name), kind, 0, 0, die };
	b->name[b->n] = name;
	if (once) {
		if ((b->n + 1) * 2 > b->seen_cap && grow_seen(b) != 0)
			return -1;
		if (seen_before(b, b->n))
			return 0;
	}
	b->n++;
	return 0;
}

static bool is_declaration(Dwarf_Die *d)
{
	Dwarf_Attribute a;
	bool flag = false;

	return dwarf_attr(d, DW_AT_declaration, &a) && dwarf_formflag(&a, &flag) == 0 && flag;
}

static int add_enumerators(struct build *b, Dwarf_Die *en)
{
	Dwarf_Die c;
	const char *name;

	if (dwarf_child(en, &c) != 0)
		return 0;
	do {
		if (dwarf_tag(&c) == DW_TAG_enumerator && (name = dwarf_diename(&c)) &&
		    add(b, name, KD_DWN_ENUMERATOR, dwarf_dieoffset(en), true) != 0)
			return -1;
	} while (dwarf_siblingof(&c, &c) == 0);
	return 0;
}

static int index_die(struct build *b, Dwarf_Die *d)
{
	const char *name = dwarf_diename(d);
	Dwarf_Attribute a;

	switch (dwarf_tag(d)) {
	case DW_TAG_structure_type:
		return name && !is_declaration(d) ? add(b, name, KD_DWN_STRUCT, dwarf_dieoffset(d), true) : 0;
	case DW_TAG_union_type:
		return name && !is_declaration(d) ? add(b, name, KD_DWN_UNION, dwarf_dieoffset(d), true) : 0;
	case DW_TAG_enumeration_type:
		if (is_declaration(d))
			return 0;
		if (name && add(b, name, KD_DWN_ENUM, dwarf_dieoffset(d), true) != 0)
			return -1;
		return add_enumerators(b, d);
	case DW_TAG_typedef:
		return name ? add(b, name, KD_DWN_TYPEDEF, dwarf_dieoffset(d), true) : 0;
	case DW_TAG_base_type:
		return name ? add(b, name, KD_DWN_BASE, dwarf_dieoffset(d), true) : 0;
	case DW_TAG_variable:
		/* A definition has a location; its name may sit on the
		 * declaration it completes (DW_AT_specification). */
		if (!dwarf_attr(d, DW_AT_location, &a))
			return name && is_declaration(d) ?
				       add(b, name, KD_DWN_VAR_DECL, dwarf_dieoffset(d), true) : 0;
		if (!name) {
			Dwarf_Attribute at;
			name = dwarf_formstring(dwarf_attr_integrate(d, DW_AT_name, &at));
		}
		return name ? add(b, name, KD_DWN_VAR, dwarf_dieoffset(d), false) : 0;
	case DW_TAG_subprogram:
		return name && !is_declaration(d) ? add(b, name, KD_DWN_FUNC, dwarf_dieoffset(d), false) : 0;
	default:
		return 0;
	}
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return (x->die > y->die) - (x->die < y->die);
}

/* Lays the collected entries out in the index format. */
static struct kd_dwarf_index *serialize(struct build *b, const char *build_id,
					uint64_t debug_info_size, kd_err *err)
{
	uint64_t names = 0;
	unsigned char *buf;
	struct header *h;
	struct entry *e;
	char *np;
	size_t len;

	for (size_t i = 0; i < b->n; i++) {
		b->e[i].name = (uint32_t)names;
		names += strlen(b->name[i]) + 1;
	}
	if (names > UINT32_MAX) {
		kd_fail(err, KD_ERR_UNSUPPORTED, "DWARF names of %llu bytes: too many to index",
			(unsigned long long)names);
		return NULL;
	}
	len = sizeof(*h) + b->n * sizeof(*e) + names;
	if (!(buf = calloc(1, len))) {
		kd_oom(err);
		return NULL;
	}
	h = (struct header *)buf;
	memcpy(h->magic, MAGIC, 8);
	h->version = VERSION;
	h->n = (uint32_t)b->n;
	h->names_size = names;
	h->debug_info_size = debug_info_size;
	snprintf(h->build_id, sizeof(h->build_id), "%s", build_id ? build_id : "");
	e = (struct entry *)(h + 1);
	np = (char *)(e + b->n);
	for (size_t i = 0; i < b->n; i++) {
		memcpy(np + b->e[i].name, b->name[i], strlen(b->name[i]) + 1);
		e[i] = b->e[i];
	}
	qsort(e, b->n, sizeof(*e), cmp_entry);
	struct kd_dwarf_index *idx = kd_dwarf_index_parse(buf, len, build_id, debug_info_size, err);
	if (!idx)
		free(buf);
	return idx;
}

static uint64_t debug_info_size(Dwarf *dw)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	/* the end of the last unit is the section's size */
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0)
		off = next;
	return off;
}

/* Where .debug_info lies in the file as libelf mapped it, when it reads
 * the section in place (an uncompressed section of a file it mmapped, and
 * not relocated: ET_EXEC, the vmlinux); NULL otherwise. */
static const unsigned char *mapped_debug_info(Dwarf *dw)
{
	Elf *elf = dwarf_getelf(dw);
	size_t shstrndx, raw_size;
	const char *raw;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;

	if (!elf || !gelf_getehdr(elf, &eh) || eh.e_type != ET_EXEC ||
	    !(raw = elf_rawfile(elf, &raw_size)) || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".debug_info") != 0)
			continue;
		if ((sh.sh_flags & SHF_COMPRESSED) || sh.sh_offset + sh.sh_size > raw_size ||
		    !(d = elf_getdata(scn, NULL)) || d->d_buf != raw + sh.sh_offset)
			return NULL;
		return (const unsigned char *)d->d_buf;
	}
	return NULL;
}

/* The pages of .debug_info the walk has passed are not read again: give
 * them back (they are the file's, re-read from the page cache if ever
 * needed), so that indexing a 160 MB section does not hold it all. */
static void release(const unsigned char *info, uint64_t *done, uint64_t upto)
{
	uintptr_t from = ((uintptr_t)info + *done + 4095) & ~(uintptr_t)4095;
	uintptr_t to = ((uintptr_t)info + upto) & ~(uintptr_t)4095;

	if (info && to > from + (16u << 20)) {
		madvise((void *)from, to - from, MADV_DONTNEED);
		*done = to - (uintptr_t)info;
	}
}

static struct kd_dwarf_index *build(Dwarf *dw, const char *build_id, uint64_t size, kd_err *err)
{
	const unsigned char *info = mapped_debug_info(dw);
	struct build b = { .err = err };
	struct kd_dwarf_index *idx = NULL;
	Dwarf_Off off = 0, next;
	uint64_t released = 0;
	size_t hsize;

	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;

		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &d) == 0) {
			do {
				if (index_die(&b, &d) != 0)
					goto out;
			} while (dwarf_siblingof(&d, &d) == 0);
		}
		off = next;
		release(info, &released, off);
	}
	idx = serialize(&b, build_id, size, err);
out:
	free(b.e);
	free(b.name);
	free(b.seen);
	return idx;
}

static void cache_path(char *buf, size_t len, const char *dir, const char *build_id)
{
	snprintf(buf, len, "%s/%s.dwi", dir, build_id);
}

static struct kd_dwarf_index *load(const char *path, const char *build_id, uint64_t size)
{
	struct kd_dwarf_index *idx;
	struct stat st;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || st.st_size <= 0 ||
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		close(fd);
		return NULL;
	}
	close(fd);
	if (!(idx = kd_dwarf_index_parse(map, (size_t)st.st_size, build_id, size, NULL))) {
		munmap(map, (size_t)st.st_size);
		return NULL;
	}
	idx->mapped = true;
	return idx;
}

/* Written to a temporary name first: a reader never sees half a file. A
 * cache that cannot be written only costs the next session the build. */
static void store(const struct kd_dwarf_index *idx, const char *dir, const char *path)
{
	char tmp[4200];
	FILE *f;

	kd_mkdirs(dir);
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	if (!(f = fopen(tmp, "wb")))
		return;
	if (fwrite(idx->data, 1, idx->len, f) != idx->len) {
		fclose(f);
		unlink(tmp);
		return;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		unlink(tmp);
}

struct kd_dwarf_index *kd_dwarf_index_get(Dwarf *dw, const char *build_id, const char *cache_dir,
					  kd_err *err)
{
	uint64_t size = debug_info_size(dw);
	bool cache = cache_dir && build_id && build_id[0];
	struct kd_dwarf_index *idx;
	char path[4096];

	if (cache) {
		cache_path(path, sizeof(path), cache_dir, build_id);
		if ((idx = load(path, build_id, size)))
			return idx;
	}
	if (!(idx = build(dw, build_id, size, err)))
		return NULL;
	if (cache)
		store(idx, cache_dir, path);
	return idx;
}
