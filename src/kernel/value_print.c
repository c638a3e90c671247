/* Values printed as gdb's pretty print prints them, which is what crash
 * shows and what scripts parse: structs over several lines, two spaces a
 * level; arrays as {a, b}; char arrays as strings with \000 escapes;
 * pointers with <symbol+offset>; enums by name; chars as 65 'A'. The value
 * is read from memory once, whole, and printed from that copy. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "kernel/symbols.h"
#include "kernel/value.h"
#include "symbols/type_format.h"

#define MAX_DEPTH 32
#define MAX_STRING 4096     /* a char * is read up to its NUL or this */
#define MAX_OBJECT (64 << 20) /* larger values are refused, not read */

struct printer {
	struct kd_kernel *k;
	const struct kd_print_opts *o;
	FILE *out;
	kd_err *err;
};

/* nbits (at most 64) from bit `bit` of buf, little-endian. */
static uint64_t bits_at(const unsigned char *buf, uint64_t bit, uint32_t nbits)
{
	unsigned shift = bit % 8;
	size_t first = bit / 8, n = (shift + nbits + 7) / 8;
	uint64_t v = 0;

	for (size_t i = 0; i < n && i < 8; i++)
		v |= (uint64_t)buf[first + i] << (8 * i);
	v >>= shift;
	if (n > 8)
		v |= (uint64_t)buf[first + 8] << (64 - shift);
	return nbits >= 64 ? v : v & ((1ULL << nbits) - 1);
}

static void put_char_escaped(FILE *out, unsigned char c, char quote)
{
	static const char esc[] = "\a\b\f\n\r\t\v";
	static const char name[] = "abfnrtv";
	const char *e = c ? memchr(esc, c, sizeof(esc) - 1) : NULL;

	if (e)
		fprintf(out, "\\%c", name[e - esc]);
	else if (c == (unsigned char)quote || c == '\\')
		fprintf(out, "\\%c", c);
	else if (isprint(c))
		fputc(c, out);
	else
		fprintf(out, "\\%03o", c);
}

/* gdb's char array: every byte but one trailing NUL (the terminator). */
static void put_string(FILE *out, const unsigned char *s, size_t n)
{
	if (n && s[n - 1] == '\0')
		n--;
	fputc('"', out);
	for (size_t i = 0; i < n; i++)
		put_char_escaped(out, s[i], '"');
	fputc('"', out);
}

static void put_symbol(struct printer *p, uint64_t addr)
{
	struct kd_sym s;

	if (addr && kd_kernel_symbolize_data(p->k, addr, &s) == 0) {
		if (s.off)
			fprintf(p->out, " <%s+%llu>", s.name, (unsigned long long)s.off);
		else
			fprintf(p->out, " <%s>", s.name);
	}
}

/* A char *'s string, read up to its NUL. */
static void put_pointed_string(struct printer *p, uint64_t addr)
{
	unsigned char buf[MAX_STRING + 1];
	size_t n = 0;

	for (; n < MAX_STRING; n++) {
		if (kd_kernel_read(p->k, addr + n, &buf[n], 1, NULL) != 0) {
			if (!n) {
				fprintf(p->out, " <error: Cannot access memory at address 0x%llx>",
					(unsigned long long)addr);
				return;
			}
			break;
		}
		if (!buf[n])
			break;
	}
	fputc(' ', p->out);
	buf[n] = '\0';
	put_string(p->out, buf, n + 1);
}

static int value(struct printer *p, kd_type t, const unsigned char *buf, uint64_t bit,
		 uint32_t bit_size, uint64_t addr, int level, bool top);

static void indent(FILE *out, int n)
{
	fprintf(out, "%*s", n, "");
}

static int aggregate(struct printer *p, kd_type t, const struct kd_type_info *ti,
		     const unsigned char *buf, uint64_t bit, uint64_t addr, int level)
{
	if (!ti->n) {
		fputs("{<No data fields>}", p->out);
		return 0;
	}
	fputs("{\n", p->out);
	for (size_t i = 0; i < ti->n; i++) {
		struct kd_type_member m;

		if (kd_type_member(t, i, &m, p->err) != 0)
			return -1;
		indent(p->out, 2 + 2 * level);
		if (m.name[0])
			fprintf(p->out, "%s = ", m.name);
		if (value(p, m.type, buf, bit + m.bit_offset, m.bit_size, addr + m.bit_offset / 8,
			  level + 1, false) != 0)
			return -1;
		fputs(i + 1 < ti->n ? ",\n" : "\n", p->out);
	}
	indent(p->out, 2 * level);
	fputc('}', p->out);
	return 0;
}

static int array(struct printer *p, const struct kd_type_info *ti, const unsigned char *buf,
		 uint64_t bit, uint64_t addr, int level)
{
	struct kd_type_info ei;
	kd_type er;
	uint64_t esize;

	if (kd_type_resolve(ti->target, &er, p->err) != 0 || kd_type_info(er, &ei, p->err) != 0)
		return -1;
	esize = ei.size;
	if (!ti->count) {
		/* a flexible array member: gdb shows where it starts */
		fprintf(p->out, "0x%llx", (unsigned long long)addr);
		put_symbol(p, addr);
		if (ei.kind == KD_TYPE_INT && ei.is_char && esize == 1)
			put_pointed_string(p, addr);
		return 0;
	}
	if (ei.kind == KD_TYPE_INT && ei.is_char && esize == 1 && !p->o->hex) {
		put_string(p->out, buf + bit / 8, ti->count);
		return 0;
	}
	fputc('{', p->out);
	for (uint64_t i = 0; i < ti->count; i++) {
		if (i)
			fputs(", ", p->out);
		if (value(p, ti->target, buf, bit + i * esize * 8, 0, addr + i * esize, level + 1, false) != 0)
			return -1;
	}
	fputc('}', p->out);
	return 0;
}

static int scalar(struct printer *p, kd_type t, const struct kd_type_info *ti, uint64_t u,
		  bool top)
{
	char tn[512];

	switch (ti->kind) {
	case KD_TYPE_INT:
		if (ti->is_bool && !p->o->hex) {
			fputs(u ? "true" : "false", p->out);
		} else if (p->o->hex) {
			fprintf(p->out, "0x%llx", (unsigned long long)u);
		} else if (ti->is_char && ti->size == 1) {
			fprintf(p->out, "%d '", ti->is_signed ? (int)(int8_t)u : (int)(uint8_t)u);
			put_char_escaped(p->out, (unsigned char)u, '\'');
			fputc('\'', p->out);
		} else if (ti->is_signed) {
			fprintf(p->out, "%lld", (long long)u);
		} else {
			fprintf(p->out, "%llu", (unsigned long long)u);
		}
		return 0;
	case KD_TYPE_ENUM:
		if (!p->o->hex)
			for (size_t i = 0; i < ti->n; i++) {
				const char *name;
				int64_t v;
				if (kd_type_enumerator(t, i, &name, &v, NULL) == 0 && name &&
				    (uint64_t)v == u) {
					fputs(name, p->out);
					return 0;
				}
			}
		fprintf(p->out, p->o->hex ? "0x%llx" : ti->is_signed ? "%lld" : "%llu",
			(unsigned long long)u);
		return 0;
	case KD_TYPE_PTR: {
		struct kd_type_info to;
		kd_type tr;
		bool chars = kd_type_resolve(ti->target, &tr, NULL) == 0 &&
			     kd_type_info(tr, &to, NULL) == 0 && to.kind == KD_TYPE_INT && to.is_char &&
			     to.size == 1;
		if (top) {
			if (kd_type_format(t, NULL, tn, sizeof(tn), p->err) != 0)
				return -1;
			fprintf(p->out, "(%s) ", tn);
		}
		fprintf(p->out, "0x%llx", (unsigned long long)u);
		if (chars && u && !p->o->hex)
			put_pointed_string(p, u);
		else
			put_symbol(p, u);
		return 0;
	}
	default:
		return kd_fail(p->err, KD_ERR_UNSUPPORTED, "cannot print a value of this kind");
	}
}

/* The value of type t whose bits start at bit `bit` of buf (bit_size for a
 * bit-field), which lives at addr in the kernel. */
static int value(struct printer *p, kd_type t, const unsigned char *buf, uint64_t bit,
		 uint32_t bit_size, uint64_t addr, int level, bool top)
{
	struct kd_type_info ti;
	kd_type r;
	uint64_t u;

	if (level > MAX_DEPTH)
		return kd_fail(p->err, KD_ERR_CORRUPT, "the value nests deeper than %d levels", MAX_DEPTH);
	if (kd_type_resolve(t, &r, p->err) != 0 || kd_type_info(r, &ti, p->err) != 0)
		return -1;
	switch (ti.kind) {
	case KD_TYPE_STRUCT:
	case KD_TYPE_UNION:
		return aggregate(p, r, &ti, buf, bit, addr, level);
	case KD_TYPE_ARRAY:
		return array(p, &ti, buf, bit, addr, level);
	case KD_TYPE_FLOAT: {
		double d = 0;
		float f = 0;
		if (ti.size == 8)
			memcpy(&d, buf + bit / 8, 8);
		else if (ti.size == 4)
			memcpy(&f, buf + bit / 8, 4), d = f;
		fprintf(p->out, "%g", d);
		return 0;
	}
	case KD_TYPE_FUNC: {
		char tn[512];
		if (kd_type_format(t, NULL, tn, sizeof(tn), p->err) != 0)
			return -1;
		fprintf(p->out, "{%s} 0x%llx", tn, (unsigned long long)addr);
		put_symbol(p, addr);
		return 0;
	}
	case KD_TYPE_VOID:
		fputs("void", p->out);
		return 0;
	default:
		u = bits_at(buf, bit, bit_size ? bit_size : (uint32_t)(ti.size * 8));
		if (ti.is_signed && (bit_size ? bit_size : ti.size * 8) < 64) {
			uint32_t n = bit_size ? bit_size : (uint32_t)(ti.size * 8);
			if ((u >> (n - 1)) & 1)
				u |= ~0ULL << n;
		}
		if (p->o->hex && ti.size < 8 && !bit_size)
			u &= (1ULL << (8 * ti.size)) - 1;
		else if (p->o->hex && bit_size)
			u &= (1ULL << bit_size) - 1;
		return scalar(p, r, &ti, u, top);
	}
}

int kd_value_print(struct kd_kernel *k, const struct kd_value *v, const struct kd_print_opts *o,
		   int level, FILE *out, kd_err *err)
{
	struct printer p = { k, o, out, err };
	struct kd_type_info ti;
	unsigned char *buf, word[8];
	uint64_t size, nbits;
	kd_type r;
	int rc;

	if (kd_type_resolve(v->type, &r, err) != 0 || kd_type_info(r, &ti, err) != 0)
		return -1;
	if (!v->lvalue) {
		memcpy(word, &v->u, 8);
		return value(&p, v->type, word, 0, 0, 0, level, o->top);
	}
	if (ti.kind == KD_TYPE_FUNC)
		return value(&p, v->type, NULL, 0, 0, v->addr, level, o->top);
	nbits = v->bit_size ? v->bit_offset + v->bit_size : ti.size * 8;
	size = (nbits + 7) / 8;
	if (size > MAX_OBJECT)
		return kd_fail(err, KD_ERR_INVALID, "a %llu-byte object: too large to print",
			       (unsigned long long)size);
	if (ti.incomplete)
		return kd_fail(err, KD_ERR_LOOKUP, "incomplete type %s: its definition is in no debug "
			       "info loaded", ti.name);
	if (!(buf = calloc(1, size + 9)))
		return kd_oom(err);
	rc = kd_kernel_read(k, v->addr, buf, size, err);
	if (rc == 0)
		rc = value(&p, v->type, buf, v->bit_offset, v->bit_size, v->addr, level, o->top);
	free(buf);
	return rc;
}

/* The member named by path ("a" or "a.b") of the struct value v. */
static int member_value(const struct kd_value *v, const char *path,
			struct kd_value *out, kd_err *err)
{
	*out = *v;
	for (const char *p = path; *p;) {
		struct kd_type_info ti;
		struct kd_type_member m;
		char part[128];
		size_t n = strcspn(p, "."), i;
		kd_type r;

		if (n == 0 || n >= sizeof(part))
			return kd_fail(err, KD_ERR_INVALID, "bad member %s", path);
		memcpy(part, p, n);
		part[n] = '\0';
		if (kd_type_resolve(out->type, &r, err) != 0 || kd_type_info(r, &ti, err) != 0)
			return -1;
		for (i = 0; i < ti.n; i++)
			if (kd_type_member(r, i, &m, err) == 0 && strcmp(m.name, part) == 0)
				break;
		if (i == ti.n) {
			char hint[512];
			kd_type_member_hint(r, part, hint, sizeof(hint));
			return kd_fail(err, KD_ERR_LOOKUP, "%s has no member %s%s", ti.name, part, hint);
		}
		out->addr += m.bit_offset / 8;
		out->type = m.type;
		out->bit_offset = m.bit_size ? (uint32_t)(m.bit_offset % 8) : 0;
		out->bit_size = m.bit_size;
		p += n;
		if (*p == '.')
			p++;
	}
	return 0;
}

int kd_value_print_members(struct kd_kernel *k, const struct kd_value *v, const char *members,
			   const struct kd_print_opts *o, FILE *out, kd_err *err)
{
	char list[1024], *save = NULL;

	snprintf(list, sizeof(list), "%s", members);
	for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		struct kd_value m;
		const char *leaf = strrchr(name, '.');

		if (member_value(v, name, &m, err) != 0)
			return -1;
		fprintf(out, "  %s = ", leaf ? leaf + 1 : name);
		if (kd_value_print(k, &m, o, 1, out, err) != 0)
			return -1;
		fputs(",\n", out);
	}
	return 0;
}
