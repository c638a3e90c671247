#include "symbols/type_format.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"

#define MAX_DEPTH 32 /* declarators nest this deep at most: corrupt data beyond */

const char *kd_type_base_name(const char *name)
{
	static const char *const map[][2] = {
		{ "long unsigned int", "unsigned long" },
		{ "long int", "long" },
		{ "short unsigned int", "unsigned short" },
		{ "short int", "short" },
		{ "long long unsigned int", "unsigned long long" },
		{ "long long int", "long long" },
		{ "unsigned int", "unsigned int" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(name, map[i][0]) == 0)
			return map[i][1];
	return name;
}

struct buf {
	char *p;
	size_t len, used;
};

static void put(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->used + n >= b->len)
		n = b->len > b->used + 1 ? b->len - b->used - 1 : 0;
	memcpy(b->p + b->used, s, n);
	b->used += n;
	b->p[b->used] = '\0';
}

/* What a type is called before any declarator: "unsigned long",
 * "struct list_head", "struct {...}" for an anonymous one. */
static int head_name(const struct kd_type_info *ti, struct buf *b)
{
	const char *kw = ti->kind == KD_TYPE_STRUCT ? "struct " :
			 ti->kind == KD_TYPE_UNION ? "union " :
			 ti->kind == KD_TYPE_ENUM ? "enum " : "";

	put(b, kw);
	if (ti->name[0])
		put(b, ti->kind == KD_TYPE_INT ? kd_type_base_name(ti->name) : ti->name);
	else
		put(b, ti->kind == KD_TYPE_VOID ? "void" : *kw ? "{...}" : "?");
	return 0;
}

static int decl(kd_type t, const char *inner, struct buf *b, int depth, kd_err *err);

static int params(kd_type t, const struct kd_type_info *ti, struct buf *b, int depth, kd_err *err)
{
	char one[512];

	put(b, "(");
	for (size_t i = 0; i < ti->n; i++) {
		kd_type p;
		if (kd_type_param(t, i, &p, err) != 0 ||
		    kd_type_format(p, NULL, one, sizeof(one), err) != 0)
			return -1;
		put(b, i ? ", " : "");
		put(b, one);
	}
	if (ti->variadic)
		put(b, ti->n ? ", ..." : "...");
	else if (!ti->n)
		put(b, "void");
	put(b, ")");
	(void)depth;
	return 0;
}

/* C's inside-out declarators: the pointer goes before the name, an array
 * or a parameter list after it, parenthesized when a pointer is to one. */
static int decl(kd_type t, const char *inner, struct buf *b, int depth, kd_err *err)
{
	struct kd_type_info ti;
	char next[1024];

	if (depth > MAX_DEPTH)
		return kd_fail(err, KD_ERR_CORRUPT, "type %llu nests too deep", (unsigned long long)t.id);
	if (kd_type_info(t, &ti, err) != 0)
		return -1;
	switch (ti.kind) {
	case KD_TYPE_PTR: {
		struct kd_type_info to;
		bool group = kd_type_info(ti.target, &to, NULL) == 0 &&
			     (to.kind == KD_TYPE_ARRAY || to.kind == KD_TYPE_FUNC);
		snprintf(next, sizeof(next), group ? "(*%s)" : "*%s", inner);
		return decl(ti.target, next, b, depth + 1, err);
	}
	case KD_TYPE_ARRAY:
		snprintf(next, sizeof(next), "%s[%llu]", inner, (unsigned long long)ti.count);
		return decl(ti.target, next, b, depth + 1, err);
	case KD_TYPE_FUNC: {
		char ps[1024];
		struct buf pb = { ps, sizeof(ps), 0 };
		ps[0] = '\0';
		if (params(t, &ti, &pb, depth, err) != 0)
			return -1;
		snprintf(next, sizeof(next), "%s%s", inner, ps);
		return decl(ti.target, next, b, depth + 1, err);
	}
	case KD_TYPE_CONST:
	case KD_TYPE_VOLATILE:
	case KD_TYPE_RESTRICT: {
		const char *q = ti.kind == KD_TYPE_CONST ? "const" :
				ti.kind == KD_TYPE_VOLATILE ? "volatile" : "restrict";
		struct kd_type_info to;
		/* a qualified pointer: "char * const p"; else "const char *p" */
		if (kd_type_info(ti.target, &to, NULL) == 0 && to.kind == KD_TYPE_PTR) {
			snprintf(next, sizeof(next), " %s%s%s", q, *inner ? " " : "", inner);
			return decl(ti.target, next, b, depth + 1, err);
		}
		put(b, q);
		put(b, " ");
		return decl(ti.target, inner, b, depth + 1, err);
	}
	default:
		head_name(&ti, b);
		if (*inner) {
			if (*inner != ' ')
				put(b, " ");
			put(b, inner);
		}
		return 0;
	}
}

int kd_type_format(kd_type t, const char *decl_name, char *buf, size_t len, kd_err *err)
{
	struct buf b = { buf, len, 0 };

	if (!len)
		return kd_fail(err, KD_ERR_INVALID, "no room for a type name");
	buf[0] = '\0';
	return decl(t, decl_name ? decl_name : "", &b, 0, err);
}

/* How a body is written: text (out, with offsets and base as
 * kd_type_print_body takes them) or, with j, JSON. */
struct body {
	FILE *out;
	struct kd_json *j;
	bool offsets;
	uint64_t base;
};

/* A member as an element of JSON's "members": its type without the
 * name, its byte offset (and address), its size; a bit-field's bits
 * within the byte at offset. */
static int json_member(const struct body *b, const struct kd_type_member *m,
		       const struct kd_type_info *mi, uint64_t bits, kd_err *err)
{
	char d[1024];

	if (kd_type_format(m->type, NULL, d, sizeof(d), err) != 0)
		return -1;
	kd_json_object(b->j, NULL);
	kd_json_str(b->j, "name", m->name);
	kd_json_str(b->j, "type", d);
	kd_json_uint(b->j, "offset", bits / 8);
	if (m->bit_size)
		kd_json_str(b->j, "size", NULL);
	else
		kd_json_uint(b->j, "size", mi->size);
	if (m->bit_size) {
		kd_json_uint(b->j, "bit_offset", bits % 8);
		kd_json_uint(b->j, "bit_size", m->bit_size);
	}
	if (b->base)
		kd_json_addr(b->j, "address", b->base + bits / 8);
	kd_json_end(b->j, '}');
	return 0;
}

/* Members of t, one a line: level 1 at four spaces (with offsets, after
 * crash's "    [16] " column), anonymous structs and unions inline, one
 * level deeper; in JSON, their members among their container's. */
static int members(const struct body *b, kd_type t, int level, uint64_t base_bits, kd_err *err)
{
	FILE *out = b->out;
	bool offsets = b->offsets;
	uint64_t base = b->base;
	struct kd_type_info ti;

	if (level > MAX_DEPTH)
		return kd_fail(err, KD_ERR_CORRUPT, "type %llu nests too deep", (unsigned long long)t.id);
	if (kd_type_resolve(t, &t, err) != 0 || kd_type_info(t, &ti, err) != 0)
		return -1;
	for (size_t i = 0; i < ti.n; i++) {
		struct kd_type_member m;
		struct kd_type_info mi;
		uint64_t bits;
		char d[1024], off[32];
		int pad = offsets ? 4 * (level - 1) : 4 * level;

		if (kd_type_member(t, i, &m, err) != 0 || kd_type_info(m.type, &mi, err) != 0)
			return -1;
		bits = base_bits + m.bit_offset;
		if (!m.name[0] && (mi.kind == KD_TYPE_STRUCT || mi.kind == KD_TYPE_UNION)) {
			if (b->j) {
				if (members(b, m.type, level + 1, bits, err) != 0)
					return -1;
				continue;
			}
			if (offsets)
				fprintf(out, "%*s", (int)(base ? 21 : 8), "");
			fprintf(out, "%*s%s {\n", pad, "", mi.kind == KD_TYPE_STRUCT ? "struct" : "union");
			if (members(b, m.type, level + 1, bits, err) != 0)
				return -1;
			if (offsets)
				fprintf(out, "%*s", (int)(base ? 21 : 8), "");
			fprintf(out, "%*s};\n", pad, "");
			continue;
		}
		if (b->j) {
			if (json_member(b, &m, &mi, bits, err) != 0)
				return -1;
			continue;
		}
		if (base)
			snprintf(off, sizeof(off), "[%llx]", (unsigned long long)(base + bits / 8));
		else
			snprintf(off, sizeof(off), "[%llu]", (unsigned long long)(bits / 8));
		if (kd_type_format(m.type, m.name, d, sizeof(d), err) != 0)
			return -1;
		if (offsets)
			fprintf(out, base ? "  %s " : "%7s ", off);
		fprintf(out, "%*s%s", pad, "", d);
		if (m.bit_size)
			fprintf(out, " : %u", m.bit_size);
		fputs(";\n", out);
	}
	return 0;
}

/* An enum's values: "NAME = 1," lines, or JSON's "enumerators". */
static int enumerators(const struct body *b, kd_type t, size_t n, int indent, kd_err *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *name;
		int64_t v;

		if (kd_type_enumerator(t, i, &name, &v, err) != 0)
			return -1;
		if (b->j) {
			kd_json_object(b->j, NULL);
			kd_json_str(b->j, "name", name);
			kd_json_int(b->j, "value", v);
			kd_json_end(b->j, '}');
		} else {
			fprintf(b->out, "%*s%s = %lld%s\n", indent + 4, "", name ? name : "?", (long long)v,
				i + 1 < n ? "," : "");
		}
	}
	return 0;
}

int kd_type_print_body(FILE *out, kd_type t, int indent, bool offsets, uint64_t base,
		       kd_err *err)
{
	const struct body b = { out, NULL, offsets, base };
	struct kd_type_info ti;
	char head[512];
	struct buf hb = { head, sizeof(head), 0 };

	if (kd_type_resolve(t, &t, err) != 0 || kd_type_info(t, &ti, err) != 0)
		return -1;
	head[0] = '\0';
	head_name(&ti, &hb);
	if (!ti.name[0])
		head[strlen(head) - strlen("{...}") - 1] = '\0';
	fprintf(out, "%s {\n", head);
	if (ti.kind == KD_TYPE_ENUM) {
		if (enumerators(&b, t, ti.n, indent, err) != 0)
			return -1;
	} else if (ti.kind == KD_TYPE_STRUCT || ti.kind == KD_TYPE_UNION) {
		if (members(&b, t, 1, 0, err) != 0)
			return -1;
	} else {
		return kd_fail(err, KD_ERR_INVALID, "%s is not a struct, union or enum", head);
	}
	fprintf(out, "%*s}", indent, "");
	return 0;
}

int kd_type_json_body(struct kd_json *j, kd_type t, uint64_t base, kd_err *err)
{
	const struct body b = { NULL, j, true, base };
	struct kd_type_info ti;
	int rc;

	if (kd_type_resolve(t, &t, err) != 0 || kd_type_info(t, &ti, err) != 0)
		return -1;
	if (ti.kind != KD_TYPE_ENUM && ti.kind != KD_TYPE_STRUCT && ti.kind != KD_TYPE_UNION)
		return kd_fail(err, KD_ERR_INVALID, "%s is not a struct, union or enum", ti.name);
	kd_json_array(j, ti.kind == KD_TYPE_ENUM ? "enumerators" : "members");
	rc = ti.kind == KD_TYPE_ENUM ? enumerators(&b, t, ti.n, 0, err) : members(&b, t, 1, 0, err);
	kd_json_end(j, ']');
	return rc;
}
