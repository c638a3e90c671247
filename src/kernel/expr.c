/* C expressions over the crashed kernel's memory, as crash's `p` takes
 * them (gdb's C subset): recursive descent, evaluated as parsed. An
 * lvalue stays an address until something needs its bits, so `&x`,
 * `sizeof x` and member chains read nothing. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "kernel/modules.h"
#include "kernel/symbols.h"
#include "kernel/types.h"
#include "kernel/value.h"
#include "symbols/debuginfo_find.h"

#define START_KERNEL_MAP 0xffffffff80000000ULL
#define MAX_DEPTH 64 /* nesting of parentheses and operators */

struct parser {
	struct kd_kernel *k;
	const char *text, *p;
	int cpu;
	int depth;
	kd_err *err;
	const kd_type *cast_to; /* the operand of (TYPE): gdb reads a symbol
				 * without a type as that type */
};

struct kd_value kd_value_at(kd_type type, uint64_t addr)
{
	return (struct kd_value){ .type = type, .lvalue = true, .addr = addr, .cpu = -1 };
}

static struct kd_value rvalue(kd_type type, uint64_t u)
{
	return (struct kd_value){ .type = type, .u = u, .cpu = -1 };
}

/* --- tokens ----------------------------------------------------------------- */

static void skip_space(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static bool accept(struct parser *ps, const char *op)
{
	size_t n = strlen(op);

	skip_space(ps);
	if (strncmp(ps->p, op, n) != 0)
		return false;
	/* "->" is not "-", "&&" not "&", "<<" not "<" */
	if (n == 1 && ((op[0] == '-' && (ps->p[1] == '>' || ps->p[1] == '-')) ||
		       (op[0] == '&' && ps->p[1] == '&') || (op[0] == '|' && ps->p[1] == '|') ||
		       ((op[0] == '<' || op[0] == '>') && (ps->p[1] == op[0] || ps->p[1] == '=')) ||
		       ((op[0] == '=' || op[0] == '!') && ps->p[1] == '=')))
		return false;
	ps->p += n;
	return true;
}

static bool ident(struct parser *ps, char *buf, size_t len)
{
	size_t n = 0;

	skip_space(ps);
	if (!isalpha((unsigned char)*ps->p) && *ps->p != '_')
		return false;
	while (isalnum((unsigned char)ps->p[n]) || ps->p[n] == '_')
		n++;
	if (n >= len)
		return false;
	memcpy(buf, ps->p, n);
	buf[n] = '\0';
	ps->p += n;
	return true;
}

static int syntax(struct parser *ps, const char *what)
{
	return kd_fail(ps->err, KD_ERR_INVALID, "%s in \"%s\" at \"%.20s\"", what, ps->text, ps->p);
}

/* --- types ------------------------------------------------------------------ */

static struct kd_types *types(struct parser *ps)
{
	return ps->k->types;
}

static int info(struct parser *ps, kd_type t, struct kd_type_info *ti)
{
	return kd_type_info(t, ti, ps->err);
}

/* t with typedefs and qualifiers stripped, and its info. */
static int resolved(struct parser *ps, kd_type t, kd_type *r, struct kd_type_info *ti)
{
	if (kd_type_resolve(t, r, ps->err) != 0)
		return -1;
	return info(ps, *r, ti);
}

static bool is_base_word(const char *w)
{
	static const char *const words[] = { "unsigned", "signed", "char", "short", "int", "long",
					     "_Bool", "void", "const", "volatile", NULL };

	for (size_t i = 0; words[i]; i++)
		if (strcmp(w, words[i]) == 0)
			return true;
	return false;
}

/* A base type from its words: "unsigned long", "long long int", "char". */
static int base_type(struct parser *ps, const char *words, kd_type *out)
{
	int longs = 0, shorts = 0, chars = 0, is_unsigned = 0, is_void = 0, is_bool = 0;
	char w[16];
	const char *p = words;

	while (sscanf(p, "%15s", w) == 1) {
		longs += strcmp(w, "long") == 0;
		shorts += strcmp(w, "short") == 0;
		chars += strcmp(w, "char") == 0;
		is_unsigned |= strcmp(w, "unsigned") == 0;
		is_void |= strcmp(w, "void") == 0;
		is_bool |= strcmp(w, "_Bool") == 0;
		p = strstr(p, w) + strlen(w);
	}
	if (is_void) {
		*out = (kd_type){ NULL, 0 };
		return 0;
	}
	if (is_bool)
		return kd_types_find(types(ps), "_Bool", out, ps->err);
	if (chars && !is_unsigned && !strstr(words, "signed"))
		return kd_types_find(types(ps), "char", out, ps->err);
	return kd_types_int(types(ps), chars ? 1 : shorts ? 2 : longs ? 8 : 4, !is_unsigned, out,
			    ps->err);
}

/* A type name: "struct x", "union x", "enum x", base words, or a typedef,
 * then '*'s. Leaves ps->p unmoved and returns 1 when the text is not a
 * type; -1 on error. */
static int type_name(struct parser *ps, kd_type *out)
{
	const char *start = ps->p;
	char w[128], full[256] = "";
	int rc;

	if (!ident(ps, w, sizeof(w)))
		return 1;
	if (strcmp(w, "struct") == 0 || strcmp(w, "union") == 0 || strcmp(w, "enum") == 0) {
		char name[128];
		if (!ident(ps, name, sizeof(name)))
			return syntax(ps, "a type name was expected");
		snprintf(full, sizeof(full), "%s %s", w, name);
		if (kd_types_find(types(ps), full, out, ps->err) != 0)
			return -1;
	} else if (is_base_word(w)) {
		const char *mark;
		snprintf(full, sizeof(full), "%s", w);
		for (;;) {
			mark = ps->p;
			if (!ident(ps, w, sizeof(w)) || !is_base_word(w)) {
				ps->p = mark;
				break;
			}
			snprintf(full + strlen(full), sizeof(full) - strlen(full), " %s", w);
		}
		if (base_type(ps, full, out) != 0)
			return -1;
	} else {
		kd_type t;
		struct kd_type_info ti;
		/* a typedef (or a bare struct name), unless a variable */
		if (kd_types_var(types(ps), w, &t, &(uint64_t){ 0 }, NULL) == 0 ||
		    kd_types_find(types(ps), w, &t, NULL) != 0 || kd_type_info(t, &ti, NULL) != 0) {
			ps->p = start;
			return 1;
		}
		*out = t;
	}
	while (accept(ps, "*"))
		if ((rc = kd_types_pointer_to(types(ps), *out, out, ps->err)) != 0)
			return -1;
	return 0;
}

/* --- values ----------------------------------------------------------------- */

bool kd_value_is_percpu(const struct kd_value *v)
{
	return v->percpu;
}

/* A variable in the per-CPU section: its "address" is an offset. */
static bool in_percpu_section(struct kd_kernel *k, uint64_t addr)
{
	uint64_t start, end;

	return kd_kernel_symbol(k, "__per_cpu_start", &start, NULL) == 0 &&
	       kd_kernel_symbol(k, "__per_cpu_end", &end, NULL) == 0 && addr >= start && addr < end;
}

int kd_value_int(struct kd_kernel *k, const struct kd_value *v, uint64_t *out, kd_err *err)
{
	struct kd_type_info ti;
	unsigned char buf[8] = { 0 };
	uint64_t u = 0;
	size_t n;
	kd_type r;

	if (kd_type_resolve(v->type, &r, err) != 0 || kd_type_info(r, &ti, err) != 0)
		return -1;
	if (ti.kind != KD_TYPE_INT && ti.kind != KD_TYPE_ENUM && ti.kind != KD_TYPE_PTR)
		return kd_fail(err, KD_ERR_INVALID, "%s is not a number or a pointer",
			       v->name[0] ? v->name : "the value");
	if (!v->lvalue) {
		u = v->u;
	} else if (v->bit_size) {
		n = (v->bit_offset + v->bit_size + 7) / 8;
		if (n > 8 || kd_kernel_read(k, v->addr, buf, n, err) != 0)
			return n > 8 ? kd_fail(err, KD_ERR_UNSUPPORTED, "a bit-field wider than 64 bits")
				     : -1;
		memcpy(&u, buf, n);
		u = (u >> v->bit_offset) & (v->bit_size == 64 ? ~0ULL : (1ULL << v->bit_size) - 1);
		if (ti.is_signed && v->bit_size < 64 && (u >> (v->bit_size - 1)) & 1)
			u |= ~0ULL << v->bit_size;
		*out = u;
		return 0;
	} else {
		n = ti.size ? ti.size : 8;
		if (n > 8 || kd_kernel_read(k, v->addr, buf, n, err) != 0)
			return n > 8 ? kd_fail(err, KD_ERR_UNSUPPORTED, "a %zu-byte integer", n) : -1;
		memcpy(&u, buf, n);
	}
	if (ti.size && ti.size < 8) {
		u &= (1ULL << (8 * ti.size)) - 1;
		if (ti.is_signed && (u >> (8 * ti.size - 1)) & 1)
			u |= ~0ULL << (8 * ti.size);
	}
	*out = u;
	return 0;
}

static int load(struct parser *ps, const struct kd_value *v, uint64_t *u)
{
	return kd_value_int(ps->k, v, u, ps->err);
}

/* A variable's address: its DWARF location (link address, KASLR added),
 * else its symbol; a per-CPU one on the CPU asked. */
static int variable(struct parser *ps, const char *name, struct kd_value *out)
{
	struct kd_module *mods;
	kd_type t;
	uint64_t addr;
	size_t n;

	if (kd_types_var(types(ps), name, &t, &addr, NULL) == 0) {
		if (addr == UINT64_MAX) {
			if (kd_kernel_symbol(ps->k, name, &addr, ps->err) != 0)
				return -1;
		} else if (addr >= START_KERNEL_MAP) {
			addr += ps->k->kaslr;
		}
		*out = kd_value_at(t, addr);
		return 0;
	}
	/* a module's, when its debug info is loaded: the type from its
	 * DWARF, the address from its symbol table in memory */
	if (kd_modules(ps->k, &mods, &n, NULL) == 0)
		for (size_t i = 0; i < n; i++) {
			const struct kd_module_sym *syms;
			size_t nsyms;
			if (!mods[i].debug ||
			    kd_types_module_var(types(ps), mods[i].name, name, &t, NULL) != 0 ||
			    kd_module_syms(ps->k, &mods[i], &syms, &nsyms, NULL) != 0)
				continue;
			for (size_t j = 0; j < nsyms; j++)
				if (strcmp(syms[j].name, name) == 0) {
					*out = kd_value_at(t, syms[j].addr);
					return 0;
				}
		}
	return 1;
}

/* A module's symbol whose module has no debug info loaded: say which
 * module and how to load it. */
static int module_symbol(struct parser *ps, const char *name)
{
	struct kd_module *mods;
	size_t n;

	if (kd_modules(ps->k, &mods, &n, NULL) != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct kd_module_sym *syms;
		size_t nsyms;
		if (mods[i].debug || kd_module_syms(ps->k, &mods[i], &syms, &nsyms, NULL) != 0)
			continue;
		for (size_t j = 0; j < nsyms; j++)
			if (strcmp(syms[j].name, name) == 0)
				return kd_fail(ps->err, KD_ERR_LOOKUP, "%s is module %s's (at 0x%llx), whose "
					       "debug info is not loaded: mod -s %s [FILE.ko], or "
					       "--modules DIR", name, mods[i].name,
					       (unsigned long long)syms[j].addr, mods[i].name);
	}
	return 0;
}

static int identifier(struct parser *ps, const char *name, struct kd_value *out)
{
	struct kd_sym sym;
	int64_t v;
	uint64_t addr;
	kd_type t;
	int rc;

	if ((rc = variable(ps, name, out)) <= 0) {
		if (rc == 0) {
			snprintf(out->name, sizeof(out->name), "%s", name);
			out->percpu = in_percpu_section(ps->k, out->addr);
			if (ps->cpu >= 0 && out->percpu) {
				if (ps->cpu >= ps->k->nr_cpus)
					return kd_fail(ps->err, KD_ERR_INVALID, "no CPU %d (this kernel has %d)",
						       ps->cpu, ps->k->nr_cpus);
				out->addr += ps->k->per_cpu_offset[ps->cpu];
				out->cpu = ps->cpu;
				out->percpu = false;
			}
		}
		return rc;
	}
	if (kd_types_func(types(ps), name, &t, NULL) == 0 &&
	    kd_kernel_symbol_any(ps->k, name, &sym, NULL) == 0) {
		*out = kd_value_at(t, sym.start);
		snprintf(out->name, sizeof(out->name), "%s", name);
		return 0;
	}
	if (kd_types_enum_const(types(ps), name, &t, &v, NULL) == 0) {
		*out = rvalue(t, (uint64_t)v);
		return 0;
	}
	if (kd_kernel_symbol(ps->k, name, &addr, NULL) == 0) {
		char pkg[512] = "";
		if (ps->cast_to) {
			*out = kd_value_at(*ps->cast_to, addr);
			snprintf(out->name, sizeof(out->name), "%s", name);
			return 0;
		}
		if (!ps->k->vmlinux) /* BTF has no types of variables */
			kd_debug_package_hint(ps->k->release, pkg, sizeof(pkg));
		return kd_fail(ps->err, KD_ERR_LOOKUP, "'%s' has unknown type; cast it to its declared "
			       "type (its address is 0x%llx)%s%s%s", name, (unsigned long long)addr,
			       pkg[0] ? "; variables' types are in the debug vmlinux, not in the dump: give it (" : "",
			       pkg, pkg[0] ? ")" : "");
	}
	if (module_symbol(ps, name) != 0)
		return -1;
	return kd_fail(ps->err, KD_ERR_LOOKUP, "No symbol \"%s\" in current context.", name);
}

static int number(struct parser *ps, struct kd_value *out)
{
	char *end;
	uint64_t u;
	bool fits_int;
	kd_type t;

	errno = 0;
	u = strtoull(ps->p, &end, 0);
	if (errno || end == ps->p)
		return syntax(ps, "a number is out of range");
	ps->p = end;
	while (*ps->p == 'u' || *ps->p == 'U' || *ps->p == 'l' || *ps->p == 'L')
		ps->p++;
	/* gdb's literal types: int if it fits, then long, then unsigned long */
	fits_int = u <= 0x7fffffff;
	if (kd_types_int(types(ps), fits_int ? 4 : 8, u <= INT64_MAX, &t, ps->err) != 0)
		return -1;
	*out = rvalue(t, u);
	return 0;
}

static int char_literal(struct parser *ps, struct kd_value *out)
{
	unsigned char c;
	kd_type t;

	ps->p++;
	if (*ps->p == '\\') {
		static const char esc[] = "n\nt\tr\r0\0\\\\''";
		const char *e = memchr(esc, ps->p[1], sizeof(esc) - 1);
		if (!e || (e - esc) % 2)
			return syntax(ps, "an unknown escape");
		c = (unsigned char)e[1];
		ps->p += 2;
	} else {
		c = (unsigned char)*ps->p++;
	}
	if (*ps->p++ != '\'')
		return syntax(ps, "a character literal was not closed");
	if (kd_types_find(types(ps), "char", &t, ps->err) != 0)
		return -1;
	*out = rvalue(t, c);
	return 0;
}

static int expression(struct parser *ps, struct kd_value *out);
static int unary(struct parser *ps, struct kd_value *out);

static int size_of(struct parser *ps, struct kd_value *out)
{
	struct kd_type_info ti;
	struct kd_value v;
	kd_type t, ul;
	const char *save;
	int rc = 1;

	skip_space(ps);
	save = ps->p;
	if (accept(ps, "(")) {
		if ((rc = type_name(ps, &t)) < 0)
			return -1;
		if (rc == 0 && !accept(ps, ")"))
			return syntax(ps, "')' was expected");
		if (rc == 1)
			ps->p = save;
	}
	if (rc == 1) {
		if (unary(ps, &v) != 0)
			return -1;
		t = v.type;
	}
	if (info(ps, t, &ti) != 0 || kd_types_int(types(ps), 8, false, &ul, ps->err) != 0)
		return -1;
	*out = rvalue(ul, ti.size);
	return 0;
}

/* offsetof(struct x, a.b) */
static int offset_of(struct parser *ps, struct kd_value *out)
{
	struct kd_type_info ti;
	struct kd_member m;
	char path[256], tname[256];
	size_t n = 0;
	kd_type t, ul;

	if (!accept(ps, "(") || type_name(ps, &t) != 0 || !accept(ps, ","))
		return syntax(ps, "offsetof(type, member) was expected");
	skip_space(ps);
	while (ps->p[n] && ps->p[n] != ')' && n + 1 < sizeof(path))
		n++;
	memcpy(path, ps->p, n);
	while (n && isspace((unsigned char)path[n - 1]))
		n--;
	path[n] = '\0';
	ps->p += strcspn(ps->p, ")");
	if (!accept(ps, ")"))
		return syntax(ps, "')' was expected");
	if (info(ps, t, &ti) != 0)
		return -1;
	snprintf(tname, sizeof(tname), "%s%s", ti.kind == KD_TYPE_UNION ? "union " :
					       ti.kind == KD_TYPE_STRUCT ? "struct " : "", ti.name);
	if (kd_type_member_path(t, tname, path, &m, ps->err) != 0 ||
	    kd_types_int(types(ps), 8, false, &ul, ps->err) != 0)
		return -1;
	*out = rvalue(ul, m.offset);
	return 0;
}

static int primary(struct parser *ps, struct kd_value *out)
{
	char name[128];

	memset(out, 0, sizeof(*out));
	out->cpu = -1;
	skip_space(ps);
	if (isdigit((unsigned char)*ps->p))
		return number(ps, out);
	if (*ps->p == '\'')
		return char_literal(ps, out);
	if (accept(ps, "(")) {
		if (expression(ps, out) != 0)
			return -1;
		out->name[0] = '\0';
		return accept(ps, ")") ? 0 : syntax(ps, "')' was expected");
	}
	if (!ident(ps, name, sizeof(name)))
		return syntax(ps, *ps->p ? "an expression was expected" : "the expression ends early");
	if (strcmp(name, "sizeof") == 0)
		return size_of(ps, out);
	if (strcmp(name, "offsetof") == 0)
		return offset_of(ps, out);
	return identifier(ps, name, out);
}

/* Member `name` of the struct or union lvalue base. */
static int member(struct parser *ps, struct kd_value *base, const char *name)
{
	struct kd_type_info ti;
	kd_type r;
	char tname[256];
	struct kd_member m;

	if (resolved(ps, base->type, &r, &ti) != 0)
		return -1;
	if (ti.kind != KD_TYPE_STRUCT && ti.kind != KD_TYPE_UNION)
		return kd_fail(ps->err, KD_ERR_INVALID, "there is no member named %s: the value is not a "
			       "struct or union", name);
	if (!base->lvalue)
		return kd_fail(ps->err, KD_ERR_INVALID, "member %s of a value not in memory", name);
	snprintf(tname, sizeof(tname), "%s %s", ti.kind == KD_TYPE_UNION ? "union" : "struct",
		 ti.name);
	if (!ti.name[0]) {
		/* an anonymous struct (through a typedef): look in it directly */
		struct kd_type_member tm;
		for (size_t i = 0; i < ti.n; i++)
			if (kd_type_member(r, i, &tm, ps->err) == 0 && strcmp(tm.name, name) == 0) {
				base->addr += tm.bit_offset / 8;
				base->type = tm.type;
				base->bit_offset = tm.bit_size ? (uint32_t)(tm.bit_offset % 8) : 0;
				base->bit_size = tm.bit_size;
				return 0;
			}
		return kd_fail(ps->err, KD_ERR_LOOKUP, "there is no member named %s", name);
	}
	if (kd_types_member(types(ps), tname, name, &m, NULL) != 0) {
		/* a member the kernel model's layouts do not have: ask the
		 * type itself (a module's struct) */
		struct kd_type_member tm;
		for (size_t i = 0; i < ti.n; i++)
			if (kd_type_member(r, i, &tm, NULL) == 0 && strcmp(tm.name, name) == 0) {
				m = (struct kd_member){ tm.bit_offset / 8, 0, tm.bit_size ? (uint32_t)(tm.bit_offset % 8) : 0,
							tm.bit_size, tm.type };
				goto found;
			}
		char hint[512];
		kd_type_member_hint(r, name, hint, sizeof(hint));
		return kd_fail(ps->err, KD_ERR_LOOKUP, "there is no member named %s in %s%s", name, tname,
			       hint);
	}
found:
	base->addr += m.offset;
	base->type = m.type;
	base->bit_offset = m.bit_offset;
	base->bit_size = m.bit_size;
	return 0;
}

/* *v: the object a pointer points at, an array's first element. */
static int deref(struct parser *ps, struct kd_value *v)
{
	struct kd_type_info ti;
	kd_type r;
	uint64_t u;

	if (resolved(ps, v->type, &r, &ti) != 0)
		return -1;
	if (ti.kind == KD_TYPE_ARRAY) {
		if (!v->lvalue)
			return kd_fail(ps->err, KD_ERR_INVALID, "an array not in memory");
		v->type = ti.target;
		return 0;
	}
	if (ti.kind != KD_TYPE_PTR)
		return kd_fail(ps->err, KD_ERR_INVALID, "attempt to take contents of a non-pointer value");
	if (kd_type_is_void(ti.target))
		return kd_fail(ps->err, KD_ERR_INVALID, "attempt to take contents of a void pointer: cast "
			       "it to a type first");
	if (load(ps, v, &u) != 0)
		return -1;
	*v = kd_value_at(ti.target, u);
	return 0;
}

static int element_size(struct parser *ps, kd_type t, uint64_t *size)
{
	struct kd_type_info ti;

	if (info(ps, t, &ti) != 0)
		return -1;
	*size = ti.size ? ti.size : 1;
	return 0;
}

static int index_of(struct parser *ps, struct kd_value *v, const struct kd_value *idx)
{
	uint64_t i, size;

	if (load(ps, idx, &i) != 0 || deref(ps, v) != 0 || element_size(ps, v->type, &size) != 0)
		return -1;
	v->addr += i * size;
	return 0;
}

static int postfix(struct parser *ps, struct kd_value *out)
{
	char name[128];

	if (primary(ps, out) != 0)
		return -1;
	for (;;) {
		bool arrow = accept(ps, "->"), dot = !arrow && accept(ps, "."),
		     bracket = !arrow && !dot && accept(ps, "[");
		if ((arrow || dot || bracket) && out->percpu)
			return kd_fail(ps->err, KD_ERR_INVALID, "%s is per-CPU: name the CPU (%s:CPU, "
				       "or p -c CPU)", out->name, out->name);
		if (arrow || dot) {
			struct kd_type_info ti;
			kd_type r;
			if (!ident(ps, name, sizeof(name)))
				return syntax(ps, "a member name was expected");
			/* gdb follows a pointer for "." as well */
			if (resolved(ps, out->type, &r, &ti) != 0 ||
			    ((arrow || ti.kind == KD_TYPE_PTR) && deref(ps, out) != 0) ||
			    member(ps, out, name) != 0)
				return -1;
		} else if (bracket) {
			struct kd_value idx;
			if (expression(ps, &idx) != 0)
				return -1;
			if (!accept(ps, "]"))
				return syntax(ps, "']' was expected");
			if (index_of(ps, out, &idx) != 0)
				return -1;
		} else {
			return 0;
		}
		out->name[0] = '\0';
	}
}

/* An integer result type: unsigned long when either side is, else long
 * when either is 8 bytes, else int. */
static int arith_type(struct parser *ps, const struct kd_value *a, const struct kd_value *b,
		      kd_type *t)
{
	struct kd_type_info x, y;
	kd_type r;
	bool wide, uns;

	if (resolved(ps, a->type, &r, &x) != 0 || resolved(ps, b->type, &r, &y) != 0)
		return -1;
	wide = x.size > 4 || y.size > 4;
	uns = (x.size == 8 && !x.is_signed) || (y.size == 8 && !y.is_signed) ||
	      (!wide && ((x.size == 4 && !x.is_signed) || (y.size == 4 && !y.is_signed)));
	return kd_types_int(types(ps), wide ? 8 : 4, !uns, t, ps->err);
}

static bool is_pointerish(struct parser *ps, const struct kd_value *v, uint64_t *elem)
{
	struct kd_type_info ti;
	kd_type r;

	if (kd_type_resolve(v->type, &r, NULL) != 0 || kd_type_info(r, &ti, NULL) != 0 ||
	    ti.kind != KD_TYPE_PTR)
		return false;
	return element_size(ps, ti.target, elem) == 0;
}

static int binary(struct parser *ps, const char *op, struct kd_value *a, const struct kd_value *b)
{
	uint64_t x, y, r = 0, ea, eb;
	bool pa = is_pointerish(ps, a, &ea), pb = is_pointerish(ps, b, &eb);
	struct kd_type_info ta;
	kd_type t, res, rr;

	if (load(ps, a, &x) != 0 || load(ps, b, &y) != 0 || arith_type(ps, a, b, &t) != 0 ||
	    resolved(ps, t, &rr, &ta) != 0)
		return -1;
	res = t;
	if (strcmp(op, "+") == 0 || strcmp(op, "-") == 0) {
		if (pa && pb && *op == '-') {
			r = (x - y) / ea;
		} else if (pa) {
			r = *op == '+' ? x + y * ea : x - y * ea;
			res = a->type;
		} else if (pb && *op == '+') {
			r = y + x * eb;
			res = b->type;
		} else {
			r = *op == '+' ? x + y : x - y;
		}
	} else if (strcmp(op, "*") == 0) {
		r = x * y;
	} else if (strcmp(op, "/") == 0 || strcmp(op, "%") == 0) {
		if (!y)
			return kd_fail(ps->err, KD_ERR_INVALID, "Division by zero");
		r = ta.is_signed ? (uint64_t)(*op == '/' ? (int64_t)x / (int64_t)y : (int64_t)x % (int64_t)y)
				 : (*op == '/' ? x / y : x % y);
	} else if (strcmp(op, "<<") == 0) {
		r = y < 64 ? x << y : 0;
	} else if (strcmp(op, ">>") == 0) {
		r = y < 64 ? (ta.is_signed ? (uint64_t)((int64_t)x >> y) : x >> y) : 0;
	} else if (strcmp(op, "&") == 0) {
		r = x & y;
	} else if (strcmp(op, "|") == 0) {
		r = x | y;
	} else if (strcmp(op, "^") == 0) {
		r = x ^ y;
	} else {
		bool s = ta.is_signed && !pa && !pb;
		if (strcmp(op, "==") == 0) r = x == y;
		else if (strcmp(op, "!=") == 0) r = x != y;
		else if (strcmp(op, "<") == 0) r = s ? (int64_t)x < (int64_t)y : x < y;
		else if (strcmp(op, ">") == 0) r = s ? (int64_t)x > (int64_t)y : x > y;
		else if (strcmp(op, "<=") == 0) r = s ? (int64_t)x <= (int64_t)y : x <= y;
		else if (strcmp(op, ">=") == 0) r = s ? (int64_t)x >= (int64_t)y : x >= y;
		else if (strcmp(op, "&&") == 0) r = x && y;
		else if (strcmp(op, "||") == 0) r = x || y;
		if (kd_types_int(types(ps), 4, true, &res, ps->err) != 0)
			return -1;
	}
	if (info(ps, res, &ta) != 0)
		return -1;
	if (ta.size && ta.size < 8)
		r &= (1ULL << (8 * ta.size)) - 1;
	*a = rvalue(res, r);
	return 0;
}

static int cast(struct parser *ps, kd_type to, struct kd_value *v)
{
	struct kd_type_info ti;
	kd_type r;
	uint64_t u;

	if (resolved(ps, to, &r, &ti) != 0)
		return -1;
	if (ti.kind == KD_TYPE_STRUCT || ti.kind == KD_TYPE_UNION || ti.kind == KD_TYPE_ARRAY) {
		/* gdb reinterprets an object in memory as another type */
		if (!v->lvalue)
			return kd_fail(ps->err, KD_ERR_INVALID, "cannot cast a value to an aggregate");
		v->type = to;
		v->name[0] = '\0';
		return 0;
	}
	if (load(ps, v, &u) != 0)
		return -1;
	if (ti.size && ti.size < 8)
		u &= (1ULL << (8 * ti.size)) - 1;
	*v = rvalue(to, u);
	return 0;
}

static int unary(struct parser *ps, struct kd_value *out)
{
	const char *save;
	kd_type t;
	uint64_t u;
	int rc;

	if (++ps->depth > MAX_DEPTH)
		return syntax(ps, "the expression nests too deep");
	skip_space(ps);
	save = ps->p;
	if (accept(ps, "(")) {
		if ((rc = type_name(ps, &t)) < 0)
			return -1;
		if (rc == 0) {
			if (!accept(ps, ")"))
				return syntax(ps, "')' was expected after a type");
			const kd_type *outer = ps->cast_to;
			ps->cast_to = &t;
			rc = unary(ps, out);
			ps->cast_to = outer;
			rc = rc != 0 || cast(ps, t, out) != 0 ? -1 : 0;
			ps->depth--;
			return rc;
		}
		ps->p = save;
	}
	if (accept(ps, "*")) {
		rc = unary(ps, out) != 0 || deref(ps, out) != 0 ? -1 : 0;
		out->name[0] = '\0';
	} else if (accept(ps, "&")) {
		if (unary(ps, out) != 0)
			return -1;
		if (!out->lvalue || out->bit_size)
			return kd_fail(ps->err, KD_ERR_INVALID, "attempt to take the address of a value not "
				       "in memory");
		if (kd_types_pointer_to(types(ps), out->type, &t, ps->err) != 0)
			return -1;
		*out = rvalue(t, out->addr);
		rc = 0;
	} else if (accept(ps, "-") || accept(ps, "~") || accept(ps, "!")) {
		char op = ps->p[-1];
		if (unary(ps, out) != 0 || load(ps, out, &u) != 0)
			return -1;
		if (op == '!' && kd_types_int(types(ps), 4, true, &out->type, ps->err) != 0)
			return -1;
		*out = rvalue(out->type, op == '-' ? (uint64_t)-(int64_t)u : op == '~' ? ~u : !u);
		rc = 0;
	} else if (accept(ps, "+")) {
		rc = unary(ps, out);
	} else {
		rc = postfix(ps, out);
	}
	ps->depth--;
	return rc;
}

/* Binary operators by precedence, loosest first. */
static const char *const levels[][6] = {
	{ "||" },
	{ "&&" },
	{ "|" },
	{ "^" },
	{ "&" },
	{ "==", "!=" },
	{ "<=", ">=", "<", ">" },
	{ "<<", ">>" },
	{ "+", "-" },
	{ "*", "/", "%" },
};
#define N_LEVELS (sizeof(levels) / sizeof(levels[0]))

static int binary_level(struct parser *ps, size_t level, struct kd_value *out)
{
	if (level == N_LEVELS)
		return unary(ps, out);
	if (binary_level(ps, level + 1, out) != 0)
		return -1;
	for (;;) {
		const char *op = NULL;
		struct kd_value rhs;

		for (size_t i = 0; i < 6 && levels[level][i] && !op; i++)
			if (accept(ps, levels[level][i]))
				op = levels[level][i];
		if (!op)
			return 0;
		if (binary_level(ps, level + 1, &rhs) != 0 || binary(ps, op, out, &rhs) != 0)
			return -1;
		out->name[0] = '\0';
	}
}

static int expression(struct parser *ps, struct kd_value *out)
{
	if (++ps->depth > MAX_DEPTH)
		return syntax(ps, "the expression nests too deep");
	if (binary_level(ps, 0, out) != 0)
		return -1;
	ps->depth--;
	return 0;
}

int kd_expr_eval(struct kd_kernel *k, const char *text, int cpu, struct kd_value *out, kd_err *err)
{
	struct parser ps = { k, text, text, cpu, 0, err };

	if (expression(&ps, out) != 0)
		return -1;
	skip_space(&ps);
	if (*ps.p)
		return syntax(&ps, "unexpected text");
	return 0;
}
