/* Values printed as gdb's pretty print prints them, which is what crash
 * shows and what scripts parse: structs over several lines, two spaces a
 * level; arrays as {a, b}; char arrays as strings with \000 escapes;
 * pointers with <symbol+offset>; enums by name; chars as 65 'A'. The value
 * is read from memory once, whole, and printed from that copy. The same
 * walk writes --json's form (docs/json.md): one walk, so the two never
 * disagree on what a member holds. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "kernel/symbols.h"
#include "kernel/value.h"
#include "symbols/type_format.h"

#define MAX_DEPTH 32
#define MAX_STRING 4096     /* a char * is read up to its NUL or this */
#define MAX_OBJECT (64 << 20) /* larger values are refused, not read */

struct printer {
	struct kd_kernel *k;
	const struct kd_print_opts *o;
	FILE *out;         /* text ... */
	struct kd_json *j; /* ... or, when set, JSON */
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

/* The value of type t whose bits start at bit `bit` of buf (bit_size for a
 * bit-field), which lives at addr in the kernel; key is its name in the
 * JSON object around it (NULL in an array or alone; text prints names
 * itself). */
static int value(struct printer *p, kd_type t, const unsigned char *buf, uint64_t bit,
		 uint32_t bit_size, uint64_t addr, int level, bool top, const char *key);

static void indent(FILE *out, int n)
{
	fprintf(out, "%*s", n, "");
}

static int too_deep(struct printer *p, int level)
{
	if (level <= MAX_DEPTH)
		return 0;
	return kd_fail(p->err, KD_ERR_CORRUPT, "the value nests deeper than %d levels", MAX_DEPTH);
}

/* The n members of struct or union t. JSON has no unnamed members: an
 * anonymous struct's or union's members are written as its container's,
 * which is how C names them (x.rip for the rip of x's anonymous union). */
static int fields(struct printer *p, kd_type t, size_t n, const unsigned char *buf, uint64_t bit,
		  uint64_t addr, int level)
{
	if (too_deep(p, level) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct kd_type_member m;
		uint64_t at;

		if (kd_type_member(t, i, &m, p->err) != 0)
			return -1;
		at = bit + m.bit_offset;
		if (p->j && !m.name[0]) {
			struct kd_type_info mi;
			kd_type mr;
			if (kd_type_resolve(m.type, &mr, p->err) != 0 || kd_type_info(mr, &mi, p->err) != 0)
				return -1;
			if ((mi.kind == KD_TYPE_STRUCT || mi.kind == KD_TYPE_UNION) &&
			    fields(p, mr, mi.n, buf, at, addr + m.bit_offset / 8, level + 1) != 0)
				return -1;
			continue; /* else an unnamed bit-field: padding */
		}
		if (!p->j) {
			indent(p->out, 2 + 2 * level);
			if (m.name[0])
				fprintf(p->out, "%s = ", m.name);
		}
		if (value(p, m.type, buf, at, m.bit_size, addr + m.bit_offset / 8, level + 1, false,
			  m.name) != 0)
			return -1;
		if (!p->j)
			fputs(i + 1 < n ? ",\n" : "\n", p->out);
	}
	return 0;
}

static int aggregate(struct printer *p, kd_type t, const struct kd_type_info *ti,
		     const unsigned char *buf, uint64_t bit, uint64_t addr, int level, const char *key)
{
	if (p->j) {
		kd_json_object(p->j, key);
		if (fields(p, t, ti->n, buf, bit, addr, level) != 0)
			return -1;
		kd_json_end(p->j, '}');
		return 0;
	}
	if (!ti->n) {
		fputs("{<No data fields>}", p->out);
		return 0;
	}
	fputs("{\n", p->out);
	if (fields(p, t, ti->n, buf, bit, addr, level) != 0)
		return -1;
	indent(p->out, 2 * level);
	fputc('}', p->out);
	return 0;
}

static int array(struct printer *p, const struct kd_type_info *ti, const unsigned char *buf,
		 uint64_t bit, uint64_t addr, int level, const char *key)
{
	struct kd_type_info ei;
	kd_type er;
	uint64_t esize;
	bool chars;

	if (kd_type_resolve(ti->target, &er, p->err) != 0 || kd_type_info(er, &ei, p->err) != 0)
		return -1;
	esize = ei.size;
	chars = ei.kind == KD_TYPE_INT && ei.is_char && esize == 1;
	if (!ti->count) {
		/* a flexible array member: gdb shows where it starts */
		if (p->j) {
			kd_json_addr(p->j, key, addr);
			return 0;
		}
		fprintf(p->out, "0x%llx", (unsigned long long)addr);
		put_symbol(p, addr);
		if (chars)
			put_pointed_string(p, addr);
		return 0;
	}
	if (chars && p->j) { /* the string a script wants: up to the NUL */
		const char *s = (const char *)buf + bit / 8;
		kd_json_strn(p->j, key, s, strnlen(s, ti->count));
		return 0;
	}
	if (chars && !p->o->hex) {
		put_string(p->out, buf + bit / 8, ti->count);
		return 0;
	}
	if (p->j)
		kd_json_array(p->j, key);
	else
		fputc('{', p->out);
	for (uint64_t i = 0; i < ti->count; i++) {
		if (i && !p->j)
			fputs(", ", p->out);
		if (value(p, ti->target, buf, bit + i * esize * 8, 0, addr + i * esize, level + 1, false,
			  NULL) != 0)
			return -1;
	}
	if (p->j)
		kd_json_end(p->j, ']');
	else
		fputc('}', p->out);
	return 0;
}

/* The name of enum t's enumerator of value u, or NULL. */
static const char *enumerator_name(kd_type t, const struct kd_type_info *ti, uint64_t u)
{
	for (size_t i = 0; i < ti->n; i++) {
		const char *name;
		int64_t v;
		if (kd_type_enumerator(t, i, &name, &v, NULL) == 0 && name && (uint64_t)v == u)
			return name;
	}
	return NULL;
}

/* JSON's scalars: numbers (whatever -x says), true/false, an enum's name,
 * a pointer's address as a hex string. */
static int scalar_json(struct printer *p, kd_type t, const struct kd_type_info *ti, uint64_t u,
		       const char *key)
{
	const char *name;

	switch (ti->kind) {
	case KD_TYPE_ENUM: /* by name; a value without one is a number */
	case KD_TYPE_INT:
		if (ti->kind == KD_TYPE_ENUM && (name = enumerator_name(t, ti, u)))
			kd_json_str(p->j, key, name);
		else if (ti->is_bool)
			kd_json_bool(p->j, key, u != 0);
		else if (ti->is_signed)
			kd_json_int(p->j, key, (long long)u);
		else
			kd_json_uint(p->j, key, u);
		return 0;
	case KD_TYPE_PTR:
		kd_json_addr(p->j, key, u);
		return 0;
	default:
		return kd_fail(p->err, KD_ERR_UNSUPPORTED, "cannot print a value of this kind");
	}
}

static int scalar(struct printer *p, kd_type t, const struct kd_type_info *ti, uint64_t u,
		  bool top)
{
	const char *name;
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
		if (!p->o->hex && (name = enumerator_name(t, ti, u))) {
			fputs(name, p->out);
			return 0;
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

static int value(struct printer *p, kd_type t, const unsigned char *buf, uint64_t bit,
		 uint32_t bit_size, uint64_t addr, int level, bool top, const char *key)
{
	struct kd_type_info ti;
	kd_type r;
	uint64_t u;

	if (too_deep(p, level) != 0)
		return -1;
	if (kd_type_resolve(t, &r, p->err) != 0 || kd_type_info(r, &ti, p->err) != 0)
		return -1;
	switch (ti.kind) {
	case KD_TYPE_STRUCT:
	case KD_TYPE_UNION:
		return aggregate(p, r, &ti, buf, bit, addr, level, key);
	case KD_TYPE_ARRAY:
		return array(p, &ti, buf, bit, addr, level, key);
	case KD_TYPE_FLOAT: {
		double d = 0;
		float f = 0;
		if (ti.size == 8)
			memcpy(&d, buf + bit / 8, 8);
		else if (ti.size == 4)
			memcpy(&f, buf + bit / 8, 4), d = f;
		if (p->j)
			kd_json_real(p->j, key, d);
		else
			fprintf(p->out, "%g", d);
		return 0;
	}
	case KD_TYPE_FUNC: {
		char tn[512];
		if (p->j) { /* a function is where its code starts */
			kd_json_addr(p->j, key, addr);
			return 0;
		}
		if (kd_type_format(t, NULL, tn, sizeof(tn), p->err) != 0)
			return -1;
		fprintf(p->out, "{%s} 0x%llx", tn, (unsigned long long)addr);
		put_symbol(p, addr);
		return 0;
	}
	case KD_TYPE_VOID:
		if (p->j)
			kd_json_str(p->j, key, NULL);
		else
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
		return p->j ? scalar_json(p, r, &ti, u, key) : scalar(p, r, &ti, u, top);
	}
}

/* v read from memory once, whole (or its bits, not an lvalue), then
 * walked. A value the dump does not hold fails before anything is
 * written; in JSON it is then null. */
static int render(struct printer *p, const struct kd_value *v, int level, const char *key)
{
	struct kd_type_info ti;
	unsigned char *buf, word[8];
	uint64_t size, nbits;
	kd_type r;
	int rc;

	if (kd_type_resolve(v->type, &r, p->err) != 0 || kd_type_info(r, &ti, p->err) != 0)
		return -1;
	if (!v->lvalue) {
		memcpy(word, &v->u, 8);
		return value(p, v->type, word, 0, 0, 0, level, p->o->top, key);
	}
	if (ti.kind == KD_TYPE_FUNC)
		return value(p, v->type, NULL, 0, 0, v->addr, level, p->o->top, key);
	nbits = v->bit_size ? v->bit_offset + v->bit_size : ti.size * 8;
	size = (nbits + 7) / 8;
	if (size > MAX_OBJECT)
		return kd_fail(p->err, KD_ERR_INVALID, "a %llu-byte object: too large to print",
			       (unsigned long long)size);
	if (ti.incomplete)
		return kd_fail(p->err, KD_ERR_LOOKUP, "incomplete type %s: its definition is in no debug "
			       "info loaded", ti.name);
	if (!(buf = calloc(1, size + 9)))
		return kd_oom(p->err);
	rc = kd_kernel_read(p->k, v->addr, buf, size, p->err);
	if (rc == 0)
		rc = value(p, v->type, buf, v->bit_offset, v->bit_size, v->addr, level, p->o->top, key);
	else if (p->j && kd_err_is_fault(p->err))
		kd_json_str(p->j, key, NULL);
	free(buf);
	return rc;
}

int kd_value_print(struct kd_kernel *k, const struct kd_value *v, const struct kd_print_opts *o,
		   int level, FILE *out, kd_err *err)
{
	struct printer p = { k, o, out, NULL, err };

	return render(&p, v, level, NULL);
}

/* -x and -d are text's: JSON's numbers are numbers. */
static const struct kd_print_opts json_opts = { 0 };

int kd_value_json(struct kd_kernel *k, const struct kd_value *v, struct kd_json *j,
		  const char *key, kd_err *err)
{
	struct printer p = { k, &json_opts, NULL, j, err };

	return render(&p, v, 0, key);
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

/* The members of v named in members, each read on its own: in text one
 * "  leaf = value," line each; in JSON a member the dump does not hold is
 * null and the others are still written (the last such failure is
 * returned once all are). */
static int named_members(struct printer *p, const struct kd_value *v, const char *members)
{
	char list[1024], *save = NULL;
	bool faulted = false;
	kd_err fault;

	snprintf(list, sizeof(list), "%s", members);
	for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		struct kd_value m;
		const char *leaf = strrchr(name, '.');

		if (member_value(v, name, &m, p->err) != 0)
			return -1;
		if (!p->j)
			fprintf(p->out, "  %s = ", leaf ? leaf + 1 : name);
		if (render(p, &m, 1, name) != 0) {
			if (!p->j || !kd_err_is_fault(p->err))
				return -1;
			fault = *p->err;
			faulted = true;
		}
		if (!p->j)
			fputs(",\n", p->out);
	}
	if (faulted) {
		*p->err = fault;
		return -1;
	}
	return 0;
}

int kd_value_print_members(struct kd_kernel *k, const struct kd_value *v, const char *members,
			   const struct kd_print_opts *o, FILE *out, kd_err *err)
{
	struct printer p = { k, o, out, NULL, err };

	return named_members(&p, v, members);
}

int kd_value_json_members(struct kd_kernel *k, const struct kd_value *v, const char *members,
			  struct kd_json *j, const char *key, kd_err *err)
{
	struct printer p = { k, &json_opts, NULL, j, err };
	int rc;

	kd_json_object(j, key);
	rc = named_members(&p, v, members);
	kd_json_end(j, '}');
	return rc;
}
