#include "kernel/types.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

#define SIZE_KEY "#size" /* no member is called that */

/* Answers already found: a task walk asks the same dozen members of
 * task_struct for every task, and a name lookup scans every type. Failures
 * are remembered too (optional members are probed). */
struct memo {
	char *key;            /* "type\0path\0"; path SIZE_KEY for a size */
	int rc;
	struct kd_member m;
	int64_t size;
	kd_err err;
};

/* Types made up for expressions: pointers and integers the debug info
 * may not have. Their id is an index here. */
struct made {
	enum kd_type_kind kind;
	kd_type target;            /* PTR */
	unsigned size;
	bool is_signed;
	char name[24];             /* INT */
};

struct made_src {
	struct kd_type_src base;
	struct made *v;
	size_t n, cap;
};

struct module_src {
	char *module;
	struct kd_type_src *src;
};

struct kd_types {
	struct kd_type_src *btf;   /* first: compact and complete for layouts */
	struct kd_type_src *dwarf; /* then: what BTF lacks, or everything */
	struct module_src *mods;   /* then each module's .ko DWARF, as loaded */
	size_t n_mods;
	struct made_src made;
	struct memo *memo;
	size_t cap, used;          /* cap: power of two or 0 */
};

static int made_info(struct kd_type_src *s, uint64_t id, struct kd_type_info *out, kd_err *err)
{
	struct made_src *ms = (struct made_src *)s;
	const struct made *m;

	if (id >= ms->n)
		return kd_fail(err, KD_ERR_INVALID, "no made-up type %llu", (unsigned long long)id);
	m = &ms->v[id];
	memset(out, 0, sizeof(*out));
	out->kind = m->kind;
	out->name = m->name;
	out->size = m->size;
	out->target = m->target;
	out->is_signed = m->is_signed;
	return 0;
}

static int made_none(struct kd_type_src *s, uint64_t id, size_t i, struct kd_type_member *out,
		     kd_err *err)
{
	(void)s;
	(void)i;
	(void)out;
	return kd_fail(err, KD_ERR_INVALID, "type %llu has no members", (unsigned long long)id);
}

static const struct kd_type_src_ops made_ops = {
	.format = "expression",
	.info = made_info,
	.member = made_none,
};

static int make(struct kd_types *t, const struct made *want, kd_type *out, kd_err *err)
{
	struct made_src *ms = &t->made;

	for (size_t i = 0; i < ms->n; i++)
		if (ms->v[i].kind == want->kind && ms->v[i].target.src == want->target.src &&
		    ms->v[i].target.id == want->target.id && ms->v[i].size == want->size &&
		    ms->v[i].is_signed == want->is_signed) {
			*out = (kd_type){ &ms->base, i };
			return 0;
		}
	if (ms->n == ms->cap) {
		size_t cap = ms->cap ? ms->cap * 2 : 16;
		struct made *v = realloc(ms->v, cap * sizeof(*v));
		if (!v)
			return kd_oom(err);
		ms->v = v;
		ms->cap = cap;
	}
	ms->v[ms->n] = *want;
	*out = (kd_type){ &ms->base, ms->n++ };
	return 0;
}

int kd_types_pointer_to(struct kd_types *t, kd_type target, kd_type *out, kd_err *err)
{
	struct made m = { .kind = KD_TYPE_PTR, .target = target, .size = 8 };

	return make(t, &m, out, err);
}

int kd_types_int(struct kd_types *t, unsigned size, bool is_signed, kd_type *out, kd_err *err)
{
	static const struct {
		unsigned size;
		bool is_signed;
		const char *names[3];
	} names[] = {
		{ 1, true, { "char", "signed char", NULL } },
		{ 1, false, { "unsigned char", NULL, NULL } },
		{ 2, true, { "short", "short int", NULL } },
		{ 2, false, { "unsigned short", "short unsigned int", NULL } },
		{ 4, true, { "int", NULL, NULL } },
		{ 4, false, { "unsigned int", NULL, NULL } },
		{ 8, true, { "long", "long int", NULL } },
		{ 8, false, { "unsigned long", "long unsigned int", NULL } },
	};
	struct made m = { .kind = KD_TYPE_INT, .size = size, .is_signed = is_signed };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].size != size || names[i].is_signed != is_signed)
			continue;
		for (size_t j = 0; j < 3 && names[i].names[j]; j++)
			if (kd_types_find(t, names[i].names[j], out, NULL) == 0)
				return 0;
		snprintf(m.name, sizeof(m.name), "%s", names[i].names[0]);
	}
	return make(t, &m, out, err);
}

int kd_types_add_module(struct kd_types *t, const char *module, struct kd_type_src *src,
			kd_err *err)
{
	struct module_src *grown = realloc(t->mods, (t->n_mods + 1) * sizeof(*grown));
	char *name = strdup(module);

	if (!grown || !name) {
		if (grown)
			t->mods = grown;
		free(name);
		kd_type_src_free(src);
		return kd_oom(err);
	}
	t->mods = grown;
	t->mods[t->n_mods++] = (struct module_src){ name, src };
	return 0;
}

void kd_types_remove_module(struct kd_types *t, const char *module)
{
	for (size_t i = 0; i < t->n_mods; i++)
		if (strcmp(t->mods[i].module, module) == 0) {
			kd_type_src_free(t->mods[i].src);
			free(t->mods[i].module);
			t->mods[i--] = t->mods[--t->n_mods];
		}
	/* answers may have come from it */
	for (size_t i = 0; i < t->cap; i++) {
		free(t->memo[i].key);
		t->memo[i].key = NULL;
	}
	t->used = 0;
}

int kd_types_module_var(struct kd_types *t, const char *module, const char *name, kd_type *type,
			kd_err *err)
{
	uint64_t addr;

	for (size_t i = 0; i < t->n_mods; i++)
		if (strcmp(t->mods[i].module, module) == 0 &&
		    t->mods[i].src->ops->var(t->mods[i].src, name, type, &addr, NULL) == 0)
			return 0;
	return kd_fail(err, KD_ERR_LOOKUP, "no variable %s in module %s's debug info", name, module);
}

struct kd_types *kd_types_new(const void *btf, size_t btf_len, struct kd_symfile *dwarf,
			      const char *cache_dir, kd_err *err)
{
	struct kd_types *t = calloc(1, sizeof(*t));
	kd_err why = { "" };

	if (!t) {
		kd_oom(err);
		return NULL;
	}
	t->made.base.ops = &made_ops;
	if (btf && !(t->btf = kd_btf_types_new(btf, btf_len, err)))
		goto fail;
	if (dwarf)
		t->dwarf = kd_dwarf_types_new(dwarf, cache_dir, &why);
	if (!t->btf && !t->dwarf) {
		if (why.msg[0])
			*err = why;
		else
			kd_fail(err, KD_ERR_LOOKUP, "no type information");
		kd_wrap(err, "neither BTF nor DWARF");
		goto fail;
	}
	return t;
fail:
	kd_types_free(t);
	return NULL;
}

void kd_types_free(struct kd_types *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++)
		free(t->memo[i].key);
	free(t->memo);
	kd_type_src_free(t->btf);
	kd_type_src_free(t->dwarf);
	for (size_t i = 0; i < t->n_mods; i++) {
		kd_type_src_free(t->mods[i].src);
		free(t->mods[i].module);
	}
	free(t->mods);
	free(t->made.v);
	free(t);
}

const char *kd_types_source(const struct kd_types *t)
{
	return t->btf ? "BTF" : "DWARF";
}

static size_t key_len(const char *type, const char *path)
{
	return strlen(type) + strlen(path) + 2;
}

static uint64_t key_hash(const char *type, const char *path)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *p = type; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (const char *p = path; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

static bool key_is(const char *key, const char *type, const char *path)
{
	return strcmp(key, type) == 0 && strcmp(key + strlen(type) + 1, path) == 0;
}

/* The slot for (type, path): its memo, or the empty slot to fill. */
static struct memo *memo_slot(struct kd_types *t, const char *type, const char *path)
{
	size_t mask = t->cap - 1, i = (size_t)key_hash(type, path) & mask;

	while (t->memo[i].key && !key_is(t->memo[i].key, type, path))
		i = (i + 1) & mask;
	return &t->memo[i];
}

static struct memo *memo_find(struct kd_types *t, const char *type, const char *path)
{
	struct memo *m;

	if (!t->cap)
		return NULL;
	m = memo_slot(t, type, path);
	return m->key ? m : NULL;
}

/* Keeps an answer; out of memory only costs the next lookup its speed. */
static void memo_put(struct kd_types *t, const char *type, const char *path, const struct memo *v)
{
	struct memo *m;
	size_t len;

	if ((t->used + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct memo *grown = calloc(cap, sizeof(*grown)), *old = t->memo;
		size_t old_cap = t->cap;

		if (!grown)
			return;
		t->memo = grown;
		t->cap = cap;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].key) {
				const char *k = old[i].key;
				*memo_slot(t, k, k + strlen(k) + 1) = old[i];
			}
		free(old);
	}
	m = memo_slot(t, type, path);
	len = key_len(type, path);
	if (!(m->key = malloc(len)))
		return;
	*m = (struct memo){ m->key, v->rc, v->m, v->size, v->err };
	memcpy(m->key, type, strlen(type) + 1);
	memcpy(m->key + strlen(type) + 1, path, strlen(path) + 1);
	t->used++;
}

/* name in the given sources, in order: "struct x", "union x", "enum x",
 * or a bare name: a struct, a union, a typedef, a base type. */
static int find_in(struct kd_type_src *const *srcs, size_t n_srcs, const char *name, kd_type *out)
{
	static const struct {
		const char *prefix;
		enum kd_type_kind kind;
	} kw[] = {
		{ "struct ", KD_TYPE_STRUCT },
		{ "union ", KD_TYPE_UNION },
		{ "enum ", KD_TYPE_ENUM },
	};
	static const enum kd_type_kind bare[] = { KD_TYPE_STRUCT, KD_TYPE_UNION, KD_TYPE_TYPEDEF,
						  KD_TYPE_INT, KD_TYPE_FLOAT };
	const enum kd_type_kind *kinds = bare;
	size_t n_kinds = sizeof(bare) / sizeof(bare[0]);
	enum kd_type_kind one;

	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (strncmp(name, kw[i].prefix, strlen(kw[i].prefix)) == 0) {
			name += strlen(kw[i].prefix);
			one = kw[i].kind;
			kinds = &one;
			n_kinds = 1;
			break;
		}
	for (size_t s = 0; s < n_srcs; s++) {
		for (size_t k = 0; srcs[s] && k < n_kinds; k++) {
			uint64_t id;
			if (srcs[s]->ops->find(srcs[s], name, kinds[k], &id, NULL) == 0) {
				*out = (kd_type){ srcs[s], id };
				return 0;
			}
		}
	}
	return -1;
}

int kd_types_find(struct kd_types *t, const char *name, kd_type *out, kd_err *err)
{
	struct kd_type_src *srcs[] = { t->btf, t->dwarf };

	if (find_in(srcs, 2, name, out) == 0)
		return 0;
	for (size_t i = 0; i < t->n_mods; i++)
		if (find_in(&t->mods[i].src, 1, name, out) == 0)
			return 0;
	return kd_fail(err, KD_ERR_LOOKUP, "no type %s in the kernel's %s", name,
		       t->btf && t->dwarf ? "BTF or DWARF" : kd_types_source(t));
}

int kd_types_names(struct kd_types *t, enum kd_type_kind kind, const char *prefix,
		   void (*cb)(const char *name, void *arg), void *arg, kd_err *err)
{
	struct kd_type_src *vmlinux = t->btf ? t->btf : t->dwarf;

	if (vmlinux && vmlinux->ops->names(vmlinux, kind, prefix, cb, arg, err) != 0)
		return -1;
	for (size_t i = 0; i < t->n_mods; i++) /* a module's that fails leaves the others */
		t->mods[i].src->ops->names(t->mods[i].src, kind, prefix, cb, arg, NULL);
	return 0;
}

/* The kernel model's own layouts come from one source: BTF when the
 * vmlinux has it (pahole wrote it from the same DWARF, so a type it lacks
 * is not this kernel's), else DWARF. A probe for another version's type
 * never costs a DWARF index. */
static int find_layout(struct kd_types *t, const char *name, kd_type *out, kd_err *err)
{
	struct kd_type_src *primary = t->btf ? t->btf : t->dwarf;

	if (find_in(&primary, 1, name, out) == 0)
		return 0;
	return kd_fail(err, KD_ERR_LOOKUP, "no type %s in the kernel's %s", name, kd_types_source(t));
}

/* Member `name` of the struct or union t (resolved), looking through
 * anonymous members; *bits gets its offset added. */
static int find_member(kd_type t, const char *name, uint64_t *bits, struct kd_type_member *out,
		       int depth, kd_err *err)
{
	struct kd_type_info ti;

	if (depth > 8 || kd_type_resolve(t, &t, err) != 0 || kd_type_info(t, &ti, err) != 0)
		return -1;
	if (ti.kind != KD_TYPE_STRUCT && ti.kind != KD_TYPE_UNION)
		return kd_fail(err, KD_ERR_LOOKUP, "%s is not a struct or union", ti.name);
	for (size_t i = 0; i < ti.n; i++) {
		struct kd_type_member m;
		uint64_t inner = 0;

		if (kd_type_member(t, i, &m, err) != 0)
			return -1;
		if (strcmp(m.name, name) == 0) {
			*bits += m.bit_offset;
			*out = m;
			return 0;
		}
		if (!m.name[0] && find_member(m.type, name, &inner, out, depth + 1, NULL) == 0) {
			*bits += m.bit_offset + inner;
			return 0;
		}
	}
	return kd_fail(err, KD_ERR_LOOKUP, "no member %s", name);
}

int kd_type_member_path(kd_type cur, const char *type, const char *path, struct kd_member *out,
			kd_err *err)
{
	struct kd_type_member m = { 0 };
	struct kd_type_info ti;
	uint64_t bits = 0;
	char part[128];

	if (!*path)
		return kd_fail(err, KD_ERR_INVALID, "empty member path in %s", type);
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ".");

		if (n == 0 || n >= sizeof(part))
			return kd_fail(err, KD_ERR_INVALID, "bad member path %s.%s", type, path);
		memcpy(part, p, n);
		part[n] = '\0';
		if (find_member(cur, part, &bits, &m, 0, NULL) != 0) {
			char hint[512];
			kd_type_member_hint(cur, part, hint, sizeof(hint));
			return kd_fail(err, KD_ERR_LOOKUP, "%s has no member %s%s", type, path, hint);
		}
		cur = m.type;
		p += n;
		if (*p == '.')
			p++;
	}
	memset(out, 0, sizeof(*out));
	out->offset = bits / 8;
	out->type = m.type;
	if (m.bit_size) {
		out->bit_offset = (uint32_t)(bits % 8);
		out->bit_size = m.bit_size;
	} else if (kd_type_info(m.type, &ti, NULL) == 0) {
		out->size = ti.size;
	}
	return 0;
}

static int member_uncached(struct kd_types *t, const char *type, const char *path,
			   struct kd_member *out, kd_err *err)
{
	kd_type cur;

	if (find_layout(t, type, &cur, err) != 0)
		return -1;
	return kd_type_member_path(cur, type, path, out, err);
}

int kd_types_member(struct kd_types *t, const char *type, const char *path,
		    struct kd_member *out, kd_err *err)
{
	struct memo *m = memo_find(t, type, path), v = { 0 };

	if (!m) {
		v.rc = member_uncached(t, type, path, &v.m, &v.err);
		memo_put(t, type, path, &v);
		m = &v;
	}
	if (m->rc != 0) {
		if (err)
			*err = m->err;
		return -1;
	}
	*out = m->m;
	return 0;
}

static int64_t size_uncached(struct kd_types *t, const char *type, kd_err *err)
{
	struct kd_type_info ti;
	kd_type ty;

	if (find_layout(t, type, &ty, err) != 0 || kd_type_info(ty, &ti, err) != 0)
		return -1;
	if (!ti.size)
		return kd_fail(err, KD_ERR_CORRUPT, "type %s has no size", type);
	return (int64_t)ti.size;
}

int64_t kd_types_size(struct kd_types *t, const char *type, kd_err *err)
{
	struct memo *m = memo_find(t, type, SIZE_KEY), v = { 0 };

	if (!m) {
		v.size = size_uncached(t, type, &v.err);
		v.rc = v.size < 0 ? -1 : 0;
		memo_put(t, type, SIZE_KEY, &v);
		m = &v;
	}
	if (m->rc != 0) {
		if (err)
			*err = m->err;
		return -1;
	}
	return m->size;
}

/* DWARF first: it has every variable; BTF only the per-CPU ones. */
int kd_types_var(struct kd_types *t, const char *name, kd_type *type, uint64_t *addr, kd_err *err)
{
	if (t->dwarf && t->dwarf->ops->var(t->dwarf, name, type, addr, NULL) == 0)
		return 0;
	if (t->btf && t->btf->ops->var(t->btf, name, type, addr, NULL) == 0)
		return 0;
	return kd_fail(err, KD_ERR_LOOKUP, "no variable %s in the kernel's debug info%s", name,
		       t->dwarf ? "" : " (BTF keeps only per-CPU variables: load the debug vmlinux)");
}

int kd_types_func(struct kd_types *t, const char *name, kd_type *type, kd_err *err)
{
	if (t->dwarf && t->dwarf->ops->func(t->dwarf, name, type, NULL) == 0)
		return 0;
	if (t->btf && t->btf->ops->func(t->btf, name, type, NULL) == 0)
		return 0;
	for (size_t i = 0; i < t->n_mods; i++)
		if (t->mods[i].src->ops->func(t->mods[i].src, name, type, NULL) == 0)
			return 0;
	return kd_fail(err, KD_ERR_LOOKUP, "no function %s", name);
}

int kd_types_enum_const(struct kd_types *t, const char *name, kd_type *type, int64_t *value,
			kd_err *err)
{
	if (t->dwarf && t->dwarf->ops->enum_const(t->dwarf, name, type, value, NULL) == 0)
		return 0;
	if (t->btf && t->btf->ops->enum_const(t->btf, name, type, value, NULL) == 0)
		return 0;
	for (size_t i = 0; i < t->n_mods; i++)
		if (t->mods[i].src->ops->enum_const(t->mods[i].src, name, type, value, NULL) == 0)
			return 0;
	return kd_fail(err, KD_ERR_LOOKUP, "no enum constant %s", name);
}

/* Collects the members of t (and of its anonymous members) whose names
 * look like name: one contains the other, or they share a prefix of 4. */
static void similar(kd_type t, const char *name, char *buf, size_t len, size_t *pos, int *found,
		    size_t *total, int depth)
{
	struct kd_type_info ti;

	if (depth > 8 || kd_type_resolve(t, &t, NULL) != 0 || kd_type_info(t, &ti, NULL) != 0)
		return;
	for (size_t i = 0; i < ti.n; i++) {
		struct kd_type_member m;

		if (kd_type_member(t, i, &m, NULL) != 0)
			continue;
		if (!m.name[0]) {
			similar(m.type, name, buf, len, pos, found, total, depth + 1);
			continue;
		}
		++*total;
		if (!strstr(m.name, name) && !strstr(name, m.name) && strncmp(m.name, name, 4) != 0)
			continue;
		if (*found < 8 && *pos < len)
			*pos += (size_t)snprintf(buf + *pos, len - *pos, "%s%s", (*found)++ ? ", " : "", m.name);
	}
}

void kd_type_member_hint(kd_type t, const char *name, char *buf, size_t len)
{
	size_t pos = 0, total = 0;
	struct kd_type_info ti = { .name = "" };
	const char *kind;
	int found = 0;
	char names[256];

	names[0] = '\0';
	if (kd_type_resolve(t, &t, NULL) == 0)
		kd_type_info(t, &ti, NULL);
	kind = ti.kind == KD_TYPE_UNION ? "union" : "struct";
	similar(t, name, names, sizeof(names), &pos, &found, &total, 0);
	if (found) {
		snprintf(buf, len, " (members like it: %s; `%s %s` lists all %zu)", names, kind, ti.name,
			 total);
	} else if (total <= 8) {
		pos = total = 0;
		similar(t, "", names, sizeof(names), &pos, &found, &total, 0); /* "" is in every name */
		snprintf(buf, len, " (its members: %s)", names);
	} else {
		snprintf(buf, len, " (`%s %s` lists its %zu members)", kind, ti.name, total);
	}
}
