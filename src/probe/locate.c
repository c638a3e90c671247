#include "probe/locate.h"

#include <ctype.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "disasm/opcodes.h"
#include "source/source.h"
#include "symbols/dwarf_index.h"
#include "symbols/symbolizer.h"

#define MAX_SITES 128 /* perf's MAX_PROBES */
#define MAX_DIES 4096

struct kd_probe_debug {
	struct kd_symfile *sf;
	Dwarf *dw;
	uint64_t bias;
	struct kd_dwarf_index *idx;
	char module[64]; /* "" for vmlinux */
	FILE *diag;
};

/* One place a probe goes: a function instance and an address in it. */
struct site {
	Dwarf_Die inst;    /* DW_TAG_subprogram or DW_TAG_inlined_subroutine */
	Dwarf_Die cu;
	uint64_t addr;     /* file address */
	uint64_t entry;    /* the instance's entry, file address */
	bool inlined;
	int rel_line;      /* for the event name: FUNC_L<n> */
};

struct kd_probe_debug *kd_probe_debug_new(struct kd_symfile *sf, const char *module,
					  const char *cache_dir, FILE *diag, kd_err *err)
{
	struct kd_probe_debug *d = calloc(1, sizeof(*d));

	if (!d) {
		kd_oom(err);
		return NULL;
	}
	d->sf = sf;
	d->diag = diag;
	snprintf(d->module, sizeof(d->module), "%s", module ? module : "");
	if (!(d->dw = kd_symfile_dwarf_bias(sf, &d->bias))) {
		kd_fail(err, KD_ERR_LOOKUP, "%s has no DWARF: probes on lines and variables need the "
			"debug file", module ? module : "vmlinux");
		free(d);
		return NULL;
	}
	if (!(d->idx = kd_dwarf_index_get(d->dw, kd_symfile_build_id(sf), cache_dir, err))) {
		free(d);
		return NULL;
	}
	return d;
}

void kd_probe_debug_free(struct kd_probe_debug *d)
{
	if (!d)
		return;
	kd_dwarf_index_free(d->idx);
	free(d);
}

/* ---- DIE helpers ------------------------------------------------------ */

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;

	return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
}

static bool same_die(Dwarf_Die *a, Dwarf_Die *b)
{
	return dwarf_dieoffset(a) == dwarf_dieoffset(b);
}

/* The DIE a reference attribute names. */
static bool die_ref(Dwarf_Die *die, int attr, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr(die, attr, &a) && dwarf_formref_die(&a, out);
}

/* The type with typedefs and qualifiers peeled off. */
static bool real_type(Dwarf_Die *type, Dwarf_Die *out)
{
	Dwarf_Die t = *type;

	for (int i = 0; i < 32; i++) {
		int tag = dwarf_tag(&t);
		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type &&
		    tag != DW_TAG_restrict_type && tag != DW_TAG_atomic_type) {
			*out = t;
			return true;
		}
		if (!die_ref(&t, DW_AT_type, &t))
			return false; /* const void */
	}
	return false;
}

static bool type_of(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(die, DW_AT_type, &a) && dwarf_formref_die(&a, out);
}

/* perf -V's type names: "char*", "struct open_how*", "int". */
static void type_name(Dwarf_Die *die, char *buf, size_t len)
{
	Dwarf_Die t;
	int stars = 0;
	const char *kw = "", *name;

	if (!type_of(die, &t)) {
		snprintf(buf, len, "void");
		return;
	}
	for (int i = 0; i < 32; i++) {
		int tag = dwarf_tag(&t);
		if (tag == DW_TAG_pointer_type) {
			stars++;
		} else if (tag == DW_TAG_const_type || tag == DW_TAG_volatile_type ||
			   tag == DW_TAG_restrict_type || tag == DW_TAG_atomic_type) {
		} else {
			break;
		}
		if (!die_ref(&t, DW_AT_type, &t)) {
			snprintf(buf, len, "void%.*s", stars, "**********");
			return;
		}
	}
	switch (dwarf_tag(&t)) {
	case DW_TAG_structure_type: kw = "struct "; break;
	case DW_TAG_union_type: kw = "union "; break;
	case DW_TAG_enumeration_type: kw = "enum "; break;
	case DW_TAG_subroutine_type: snprintf(buf, len, "func%.*s", stars, "**********"); return;
	case DW_TAG_array_type: {
		char elem[128];
		type_name(&t, elem, sizeof(elem));
		snprintf(buf, len, "%s[]%.*s", elem, stars, "**********");
		return;
	}
	}
	name = die_name(&t);
	snprintf(buf, len, "%s%s%.*s", kw, name ? name : "(anon)", stars > 10 ? 10 : stars, "**********");
}

static uint64_t die_size(Dwarf_Die *t)
{
	Dwarf_Word n;

	return dwarf_aggregate_size(t, &n) == 0 ? n : 0;
}

/* ---- finding the function instances -------------------------------- */

struct instances {
	struct site *s;
	size_t n;
	bool truncated;
};

/* Where an instance starts: DW_AT_entry_pc or low_pc, else (a function
 * split in hot and cold parts) its first range. */
static int entry_of(Dwarf_Die *die, Dwarf_Addr *pc)
{
	Dwarf_Addr base, start, end;

	if (dwarf_entrypc(die, pc) == 0)
		return 0;
	if (dwarf_ranges(die, 0, &base, &start, &end) > 0) {
		*pc = start;
		return 0;
	}
	return -1;
}

/* A probe site at addr (file address) in inst: one per address. */
static int add_site(struct instances *in, const struct site *inst, uint64_t addr, kd_err *err)
{
	for (size_t i = 0; i < in->n; i++)
		if (in->s[i].addr == addr)
			return 0;
	if (in->n == MAX_SITES) {
		in->truncated = true;
		return 0;
	}
	struct site *grown = realloc(in->s, (in->n + 1) * sizeof(*grown));
	if (!grown)
		return kd_oom(err);
	in->s = grown;
	in->s[in->n] = *inst;
	in->s[in->n++].addr = addr;
	return 0;
}

static int add_instance(struct kd_probe_debug *d, struct instances *in, Dwarf_Die *inst,
			Dwarf_Die *cu, bool inlined, kd_err *err)
{
	Dwarf_Addr entry;

	if (entry_of(inst, &entry) != 0)
		return 0; /* no code */
	struct site s = { *inst, *cu, entry + d->bias, entry + d->bias, inlined, 0 };
	return add_site(in, &s, s.entry, err);
}

/* The concrete instances of the abstract function `abs` in its CU:
 * out-of-line copies and (unless no_inlines) inlined calls. */
static int walk_concrete(struct kd_probe_debug *d, struct instances *in, Dwarf_Die *die,
			 Dwarf_Die *abs, Dwarf_Die *cu, bool no_inlines, int depth, kd_err *err)
{
	Dwarf_Die child;

	if (depth > 64 || dwarf_child(die, &child) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&child);
		Dwarf_Die origin;
		if ((tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) &&
		    die_ref(&child, DW_AT_abstract_origin, &origin) && same_die(&origin, abs) &&
		    !(tag == DW_TAG_inlined_subroutine && no_inlines) &&
		    add_instance(d, in, &child, cu, tag == DW_TAG_inlined_subroutine, err) != 0)
			return -1;
		if ((tag == DW_TAG_subprogram || tag == DW_TAG_lexical_block ||
		     tag == DW_TAG_inlined_subroutine) &&
		    walk_concrete(d, in, &child, abs, cu, no_inlines, depth + 1, err) != 0)
			return -1;
	} while (dwarf_siblingof(&child, &child) == 0);
	return 0;
}

static bool file_matches(const char *path, const char *want)
{
	size_t n = strlen(path), m = strlen(want);

	if (!path || m > n || strcmp(path + n - m, want) != 0)
		return false;
	return m == n || path[n - m - 1] == '/';
}

static bool decl_file_matches(Dwarf_Die *die, const char *want)
{
	const char *f = dwarf_decl_file(die);

	return f && file_matches(f, want);
}

/* Similar function names for "did you mean". */
static void similar_funcs(struct kd_probe_debug *d, const char *name, char *buf, size_t len)
{
	static const char *const affixes[] = { "__", "_", "do_", "__do_", "__x64_sys_", "sys_" };
	size_t used = 0;
	char cand[256];
	uint64_t die;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(affixes) / sizeof(affixes[0]); i++) {
		snprintf(cand, sizeof(cand), "%s%s", affixes[i], name);
		if (kd_dwarf_index_find(d->idx, cand, KD_DWN_FUNC, &die, 1) && used + strlen(cand) + 3 < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", cand);
		if (strncmp(name, affixes[i], strlen(affixes[i])) == 0 &&
		    kd_dwarf_index_find(d->idx, name + strlen(affixes[i]), KD_DWN_FUNC, &die, 1) &&
		    used + strlen(name) + 3 < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 name + strlen(affixes[i]));
	}
}

static int find_instances(struct kd_probe_debug *d, const struct kd_probe_spec *spec, bool no_inlines,
			  struct instances *in, kd_err *err)
{
	uint64_t *dies = malloc(MAX_DIES * sizeof(*dies));
	size_t n;
	int rc = -1;

	if (!dies)
		return kd_oom(err);
	n = kd_dwarf_index_find(d->idx, spec->func, KD_DWN_FUNC, dies, MAX_DIES);
	if (n > MAX_DIES)
		n = MAX_DIES;
	for (size_t i = 0; i < n; i++) {
		Dwarf_Die die, cu;
		Dwarf_Attribute a;
		if (!dwarf_offdie(d->dw, dies[i], &die) || !dwarf_diecu(&die, &cu, NULL, NULL))
			continue;
		if (spec->file && !decl_file_matches(&die, spec->file))
			continue;
		if (dwarf_attr(&die, DW_AT_inline, &a)) {
			if (walk_concrete(d, in, &cu, &die, &cu, no_inlines, 0, err) != 0)
				goto out;
		} else if (add_instance(d, in, &die, &cu, false, err) != 0) {
			goto out;
		}
	}
	if (in->truncated) {
		kd_fail(err, KD_ERR_INVALID, "%s has more than %d instances (inlined copies): pick some "
			"with %s@FILE, or --no-inlines", spec->func, MAX_SITES, spec->func);
		goto out;
	}
	if (in->n == 0) {
		char like[512];
		similar_funcs(d, spec->func, like, sizeof(like));
		if (n)
			kd_fail(err, KD_ERR_LOOKUP, "%s%s%s has no code%s in %s (inlined everywhere%s)", spec->func,
				spec->file ? "@" : "", spec->file ? spec->file : "",
				no_inlines ? " of its own" : "", d->module[0] ? d->module : "vmlinux",
				no_inlines ? ": drop --no-inlines" : "?");
		else
			kd_fail(err, KD_ERR_LOOKUP, "no function %s%s%s in %s's debug info%s%s%s", spec->func,
				spec->file ? "@" : "", spec->file ? spec->file : "",
				d->module[0] ? d->module : "vmlinux", like[0] ? " (did you mean " : "", like,
				like[0] ? "?)" : "");
		goto out;
	}
	rc = 0;
out:
	free(dies);
	return rc;
}

/* ---- addresses --------------------------------------------------------- */

/* Whether addr (file address) starts an instruction of the function that
 * begins at start: decoded from start, as the disassembler does. */
static int on_boundary(struct kd_probe_debug *d, uint64_t start, uint64_t addr, kd_err *err)
{
	unsigned char buf[4096];
	size_t n;
	uint64_t off = 0;

	if (addr - start >= sizeof(buf) - 16)
		return kd_fail(err, KD_ERR_INVALID, "offset 0x%" PRIx64 " is too far into the function", addr - start);
	/* up to an instruction's length past addr, as far as the section goes */
	n = kd_symfile_read(d->sf, start, buf, (size_t)(addr - start) + 16);
	if (n < addr - start)
		return kd_fail(err, KD_ERR_LOOKUP, "no code bytes at 0x%" PRIx64 " in the debug file", addr);
	uint64_t prev = 0;
	while (off < addr - start) {
		struct kd_insn insn;
		kd_insn_decode(buf, n, (size_t)off, start + off, KD_CODE_X86_64, &insn);
		if (insn.len <= 0)
			return kd_fail(err, KD_ERR_CORRUPT, "undecodable instruction at +0x%" PRIx64, off);
		prev = off;
		off += (uint64_t)insn.len;
	}
	if (off != addr - start)
		return kd_fail(err, KD_ERR_INVALID, "+0x%" PRIx64 " is inside an instruction (the one at +0x%"
			       PRIx64 " runs to +0x%" PRIx64 "): pick an offset dis -l shows", addr - start,
			       prev, off);
	return 0;
}

/* Whether [lo, hi) ranges of die contain pc (DWARF address). */
static bool die_has_pc(Dwarf_Die *die, uint64_t pc)
{
	return dwarf_haspc(die, pc) == 1;
}

static int decl_line(Dwarf_Die *die)
{
	int line = 0;

	if (dwarf_decl_line(die, &line) != 0) {
		Dwarf_Die origin;
		if (die_ref(die, DW_AT_abstract_origin, &origin))
			dwarf_decl_line(&origin, &line);
	}
	return line;
}

static const char *decl_file(Dwarf_Die *die)
{
	const char *f = dwarf_decl_file(die);
	Dwarf_Die origin;

	if (!f && die_ref(die, DW_AT_abstract_origin, &origin))
		f = dwarf_decl_file(&origin);
	return f;
}

/* Calls fn for each row of cu's line table (is_stmt rows only when
 * stmt_only): its address (DWARF), line and file. */
typedef void (*line_fn)(void *ctx, Dwarf_Addr addr, int line, const char *file);

static int each_line(Dwarf_Die *cu, bool stmt_only, line_fn fn, void *ctx)
{
	Dwarf_Lines *lines;
	size_t n;

	if (dwarf_getsrclines(cu, &lines, &n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		Dwarf_Line *l = dwarf_onesrcline(lines, i);
		Dwarf_Addr a;
		int ln;
		bool stmt = true;
		const char *f;
		bool end = false;
		/* an end-of-sequence row is the address after the code */
		if (!l || dwarf_lineaddr(l, &a) != 0 || dwarf_lineno(l, &ln) != 0 ||
		    dwarf_lineendsequence(l, &end) != 0 || end ||
		    (stmt_only && (dwarf_linebeginstatement(l, &stmt) != 0 || !stmt)) ||
		    !(f = dwarf_linesrc(l, NULL, NULL)))
			continue;
		fn(ctx, a, ln, f);
	}
	return 0;
}

/* The innermost inlined call in root (lexical blocks looked through) that
 * holds pc (DWARF address). */
static bool innermost_inline(Dwarf_Die *root, Dwarf_Addr pc, Dwarf_Die *out, int depth)
{
	Dwarf_Die child;
	bool found = false;

	if (depth > 64 || dwarf_child(root, &child) != 0)
		return false;
	do {
		int tag = dwarf_tag(&child);
		if ((tag != DW_TAG_inlined_subroutine && tag != DW_TAG_lexical_block) || !die_has_pc(&child, pc))
			continue;
		if (tag == DW_TAG_inlined_subroutine) {
			*out = child;
			found = true;
		}
		return innermost_inline(&child, pc, out, depth + 1) || found;
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* The file and line an inlined call is written at. */
static const char *call_file(Dwarf_Die *inl, Dwarf_Die *cu)
{
	Dwarf_Attribute a;
	Dwarf_Word idx;
	Dwarf_Files *files;

	if (!dwarf_attr(inl, DW_AT_call_file, &a) || dwarf_formudata(&a, &idx) != 0 ||
	    dwarf_getsrcfiles(cu, &files, NULL) != 0)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

static int call_line(Dwarf_Die *inl)
{
	Dwarf_Attribute a;
	Dwarf_Word v;

	return dwarf_attr(inl, DW_AT_call_line, &a) && dwarf_formudata(&a, &v) == 0 ? (int)v : 0;
}

/* A function instance's own lines, as perf walks them for -L and ;PTN:
 * each statement row of its declaration file inside it (a row inside an
 * inlined call only when it is that call's own line, or the function
 * inlined into itself), then its declaration line at its entry, then the
 * calls inlined into it at their call lines. fn gets DWARF addresses. */
typedef int (*func_line_fn)(void *ctx, Dwarf_Addr addr, int line);

struct func_walk {
	struct site *s;
	const char *file;
	int decl;
	func_line_fn fn;
	void *ctx;
	int rc;
};

static void walk_row(void *ctx, Dwarf_Addr a, int ln, const char *f)
{
	struct func_walk *w = ctx;
	Dwarf_Die inl;

	if (w->rc != 0 || strcmp(f, w->file) != 0 || !die_has_pc(&w->s->inst, a))
		return;
	if (innermost_inline(&w->s->inst, a, &inl, 0)) {
		const char *cf = call_file(&inl, &w->s->cu), *df = decl_file(&inl);
		bool own_call = cf && strcmp(cf, w->file) == 0 && call_line(&inl) == ln;
		bool recursion = df && strcmp(df, w->file) == 0 && decl_line(&inl) == w->decl;
		if (!own_call && !recursion)
			return;
	}
	w->rc = w->fn(w->ctx, a, ln);
}

static int walk_calls(struct func_walk *w, Dwarf_Die *die, int depth)
{
	Dwarf_Die child;

	if (depth > 64 || dwarf_child(die, &child) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&child);
		Dwarf_Addr entry;
		const char *cf;
		if (tag == DW_TAG_inlined_subroutine) {
			if ((cf = call_file(&child, &w->s->cu)) && strcmp(cf, w->file) == 0 &&
			    entry_of(&child, &entry) == 0 && w->fn(w->ctx, entry, call_line(&child)) != 0)
				return -1;
		} else if (tag == DW_TAG_lexical_block && walk_calls(w, &child, depth + 1) != 0) {
			return -1;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return 0;
}

static int func_lines(struct kd_probe_debug *d, struct site *s, func_line_fn fn, void *ctx)
{
	struct func_walk w = { s, decl_file(&s->inst), decl_line(&s->inst), fn, ctx, 0 };

	if (!w.file)
		return 0;
	each_line(&s->cu, true, walk_row, &w);
	if (w.rc != 0 || (w.decl && fn(ctx, s->entry - d->bias, w.decl) != 0))
		return -1;
	return walk_calls(&w, &s->inst, 0);
}

/* Lines of one instance in one file. */
struct inst_scan {
	struct site *s;
	const char *file;
	int line;             /* line_addr: the line wanted */
	bool found;
	uint64_t addr;        /* line_addr: lowest address (DWARF) */
};

static void scan_addr(void *ctx, Dwarf_Addr a, int ln, const char *f)
{
	struct inst_scan *x = ctx;

	if (ln == x->line && strcmp(f, x->file) == 0 && die_has_pc(&x->s->inst, a) && (!x->found || a < x->addr)) {
		x->addr = a;
		x->found = true;
	}
}

/* The lowest is_stmt address of `line` in `file` inside the instance. */
static int line_addr(struct kd_probe_debug *d, struct site *s, const char *file, int line,
		     uint64_t *addr)
{
	struct inst_scan x = { .s = s, .file = file, .line = line };

	if (each_line(&s->cu, true, scan_addr, &x) != 0 || !x.found)
		return -1;
	*addr = x.addr + d->bias;
	return 0;
}

/* -L's probe-able lines: those the address gives back (perf's check), so
 * a probe there reports the line it was put on. At a function's entry
 * that is its declaration line. */
/* The line an address gives back: the first statement row at it (rows
 * sorted by address). */
static Dwarf_Line *line_at(Dwarf_Die *cu, Dwarf_Addr a)
{
	Dwarf_Lines *lines;
	Dwarf_Addr la;
	size_t n, lo = 0, hi;
	bool stmt;

	if (dwarf_getsrclines(cu, &lines, &n) != 0 || n == 0)
		return NULL;
	hi = n;
	while (lo < hi) { /* the first row at or after a */
		size_t mid = lo + (hi - lo) / 2;
		if (dwarf_lineaddr(dwarf_onesrcline(lines, mid), &la) != 0)
			return NULL;
		if (la < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < n; i++) {
		Dwarf_Line *l = dwarf_onesrcline(lines, i);
		bool end;
		if (dwarf_lineaddr(l, &la) != 0 || la != a || dwarf_linebeginstatement(l, &stmt) != 0 ||
		    dwarf_lineendsequence(l, &end) != 0)
			return NULL;
		if (stmt && !end) /* the end of the sequence before is not this code's */
			return l;
	}
	return NULL;
}

static bool reversible(struct site *s, Dwarf_Addr a, int ln, const char *file)
{
	Dwarf_Die *scopes = NULL;
	Dwarf_Line *l;
	Dwarf_Addr entry;
	int n = dwarf_getscopes(&s->cu, a, &scopes), back = 0;
	const char *f = NULL;

	for (int i = 0; i < n; i++)
		if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram) {
			if (entry_of(&scopes[i], &entry) == 0 && entry == a) {
				back = decl_line(&scopes[i]);
				f = decl_file(&scopes[i]);
			}
			break;
		}
	free(scopes);
	if (!f && (l = line_at(&s->cu, a)) && dwarf_lineno(l, &back) == 0)
		f = dwarf_linesrc(l, NULL, NULL);
	return !f || (back == ln && strcmp(f, file) == 0);
}

struct line_map {
	struct site *s;
	const char *file;
	int *lines;
	size_t n, cap;
};

static int mark_line(void *ctx, Dwarf_Addr a, int ln)
{
	struct line_map *m = ctx;

	if (!reversible(m->s, a, ln, m->file))
		return 0;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		int *grown = realloc(m->lines, cap * sizeof(*grown));
		if (!grown)
			return -1;
		m->lines = grown;
		m->cap = cap;
	}
	m->lines[m->n++] = ln;
	return 0;
}

/* Where in each instance the spec puts its probe. */
static int place(struct kd_probe_debug *d, const struct kd_probe_spec *spec, struct instances *in,
		 kd_err *err)
{
	size_t kept = 0;
	kd_err last = { "" };

	for (size_t i = 0; i < in->n; i++) {
		struct site *s = &in->s[i];
		if ((spec->ret || spec->has_offset) && s->inlined)
			continue; /* perf's rule: an inlined copy has no return or own offsets */
		if (spec->has_offset) {
			s->addr = s->entry + spec->offset;
			if (on_boundary(d, s->entry, s->addr, &last) != 0)
				continue;
		} else if (spec->line) {
			int first = decl_line(&s->inst);
			const char *file = decl_file(&s->inst);
			if (!file || !first || line_addr(d, s, file, first + (int)spec->line, &s->addr) != 0) {
				kd_fail(&last, KD_ERR_LOOKUP, "%s:%ld (%s:%d) has no code of its own: "
					"see probe -L %s for the lines a probe can go on", spec->func,
					spec->line, file ? file : "?", first + (int)spec->line, spec->func);
				continue;
			}
			s->rel_line = (int)spec->line;
		}
		in->s[kept++] = *s;
	}
	in->n = kept;
	if (kept == 0) {
		if (last.msg[0]) {
			*err = last;
			return kd_wrap(err, "%s", spec->func);
		}
		return kd_fail(err, KD_ERR_UNSUPPORTED, "%s: %s on an inlined function: it has no return or "
			       "offsets of its own (probe its entry or a line)", spec->func,
			       spec->ret ? "%return" : "+OFF");
	}
	return 0;
}

/* ---- lazy line patterns (;PTN) ------------------------------------------ */

/* perf's lazy matching: a glob (* ? [..]) over the whole source line with
 * blanks ignored on both sides, so "fd=*" matches "	fd = x;". Kept
 * without blanks, as the lines are compared. */
static void strip_blanks(const char *s, size_t n, char *out, size_t len)
{
	size_t k = 0;

	for (size_t i = 0; i < n && s[i] && k + 1 < len; i++)
		if (!isspace((unsigned char)s[i]))
			out[k++] = s[i];
	out[k] = '\0';
}

/* Which lines of each source file match, worked out once per file. */
struct lazy_file {
	const char *name;      /* the DWARF file name (libdw's string) */
	unsigned char *hit;    /* hit[line - 1] */
	int nlines;
};

struct lazy {
	struct kd_sources *src;
	char pat[512];
	struct lazy_file files[16];
	size_t nfiles, next;   /* next: the slot reused when all are taken */
	bool unread;           /* a file could not be read: why */
	kd_err why;
};

static void lazy_init(struct lazy *lz, struct kd_sources *src, const char *pattern)
{
	memset(lz, 0, sizeof(*lz));
	lz->src = src;
	strip_blanks(pattern, strlen(pattern), lz->pat, sizeof(lz->pat));
}

static void lazy_free(struct lazy *lz)
{
	for (size_t i = 0; i < lz->nfiles; i++)
		free(lz->files[i].hit);
}

static struct lazy_file *lazy_file(struct lazy *lz, const char *name)
{
	const char *text, *from, *p;
	size_t len, slot;
	struct lazy_file *f;
	kd_err why = { "" };
	char line[1024];

	for (size_t i = 0; i < lz->nfiles; i++)
		if (lz->files[i].name == name || strcmp(lz->files[i].name, name) == 0)
			return &lz->files[i];
	if (lz->nfiles < sizeof(lz->files) / sizeof(lz->files[0])) {
		slot = lz->nfiles++;
	} else {
		slot = lz->next++ % lz->nfiles;
		free(lz->files[slot].hit);
	}
	f = &lz->files[slot];
	*f = (struct lazy_file){ name, NULL, 0 };
	if (!lz->src) {
		kd_fail(&why, KD_ERR_LOOKUP, "no source search path");
	} else if (kd_sources_read(lz->src, name, &text, &len, &from, &why) == 0) {
		for (size_t i = 0; i < len; i++)
			f->nlines += text[i] == '\n';
		if (!(f->hit = calloc((size_t)f->nlines + 1, 1))) {
			kd_oom(&why);
			goto unread;
		}
		p = text;
		for (int ln = 0; p && *p; ln++) {
			const char *nl = strchr(p, '\n');
			strip_blanks(p, nl ? (size_t)(nl - p) : strlen(p), line, sizeof(line));
			f->hit[ln] = fnmatch(lz->pat, line, 0) == 0;
			p = nl ? nl + 1 : NULL;
		}
		return f;
	}
unread:
	if (!lz->unread) {
		lz->unread = true;
		lz->why = why;
	}
	return f;
}

static bool lazy_hit(struct lazy *lz, const char *file, int line)
{
	struct lazy_file *f = lazy_file(lz, file);

	return f->hit && line >= 1 && line <= f->nlines + 1 && f->hit[line - 1];
}

/* Whether a pattern found sites: else why not (where: FUNC or SRC). */
static int lazy_found(const struct lazy *lz, const struct instances *in, const char *where, const char *pattern,
		      kd_err *err)
{
	if (in->truncated)
		return kd_fail(err, KD_ERR_INVALID, "%s;%s matches more than %d places: narrow the pattern",
			       where, pattern, MAX_SITES);
	if (in->n)
		return 0;
	if (lz->unread) {
		*err = lz->why;
		return kd_wrap(err, "%s;%s: the pattern is matched against the source", where, pattern);
	}
	return kd_fail(err, KD_ERR_LOOKUP, "%s;%s: no line with code matches (blanks are ignored; probe -L "
		       "FUNC shows a function's lines)", where, pattern);
}

/* A ;PTN site: a matching line of the instance. */
struct lazy_scan {
	struct lazy *lz;
	struct instances *out;
	struct site *s;
	uint64_t bias;
	const char *file;
	kd_err *err;
};

static int lazy_line(void *ctx, Dwarf_Addr a, int ln)
{
	struct lazy_scan *x = ctx;

	return lazy_hit(x->lz, x->file, ln) ? add_site(x->out, x->s, a + x->bias, x->err) : 0;
}

static int lazy_sites(struct kd_probe_debug *d, const struct kd_probe_spec *spec, struct kd_sources *src,
		      struct instances *in, kd_err *err)
{
	struct instances out = { 0 };
	struct lazy lz;
	int rc = -1;

	lazy_init(&lz, src, spec->pattern);
	for (size_t i = 0; i < in->n; i++) {
		struct lazy_scan x = { &lz, &out, &in->s[i], d->bias, decl_file(&in->s[i].inst), err };
		if (x.file && func_lines(d, &in->s[i], lazy_line, &x) != 0)
			goto out;
	}
	if (lazy_found(&lz, &out, spec->func, spec->pattern, err) != 0)
		goto out;
	free(in->s);
	*in = out;
	out.s = NULL;
	rc = 0;
out:
	free(out.s);
	lazy_free(&lz);
	return rc;
}

/* SRC:LINE: every function instance with code at that line. */
struct file_scan {
	struct kd_probe_debug *d;
	const struct kd_probe_spec *spec;
	struct lazy *lz;       /* SRC;PTN */
	struct instances *in;
	Dwarf_Die *cu;
	kd_err *err;
	int rc;
};

static void scan_file_line(void *ctx, Dwarf_Addr a, int ln, const char *f)
{
	struct file_scan *x = ctx;
	struct instances *in = x->in;
	Dwarf_Die *scopes = NULL;
	int ns;

	if (x->rc != 0 || !file_matches(f, x->spec->file) ||
	    (x->lz ? !lazy_hit(x->lz, f, ln) : ln != x->spec->line) ||
	    (ns = dwarf_getscopes(x->cu, a, &scopes)) <= 0)
		return;
	/* the innermost function instance holds the line */
	for (int j = 0; j < ns; j++) {
		int tag = dwarf_tag(&scopes[j]);
		size_t k;
		if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine)
			continue;
		if (x->lz) { /* a pattern: every matching row */
			struct site one = { scopes[j], *x->cu, 0, 0, tag == DW_TAG_inlined_subroutine, 0 };
			Dwarf_Addr entry;
			if (entry_of(&scopes[j], &entry) == 0) {
				one.entry = entry + x->d->bias;
				x->rc = add_site(in, &one, a + x->d->bias, x->err);
			}
			break;
		}
		for (k = 0; k < in->n && !same_die(&in->s[k].inst, &scopes[j]); k++)
			;
		if (k == in->n) { /* a new instance: the probe goes at this line */
			if (add_instance(x->d, in, &scopes[j], x->cu, tag == DW_TAG_inlined_subroutine, x->err) != 0)
				x->rc = -1;
			else if (k < in->n)
				in->s[k].addr = a + x->d->bias;
		} else if (a + x->d->bias < in->s[k].addr) {
			in->s[k].addr = a + x->d->bias;
		}
		break;
	}
	free(scopes);
}

static int file_line_sites(struct kd_probe_debug *d, const struct kd_probe_spec *spec, struct kd_sources *src,
			   struct instances *in, kd_err *err)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	struct lazy lz = { 0 };
	int rc = -1;

	if (spec->pattern)
		lazy_init(&lz, src, spec->pattern);
	while (dwarf_nextcu(d->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		struct file_scan x = { d, spec, spec->pattern ? &lz : NULL, in, &cu, err, 0 };
		if (dwarf_offdie(d->dw, off + hsize, &cu))
			each_line(&cu, true, scan_file_line, &x);
		if (x.rc != 0)
			goto out;
		off = next;
	}
	if (spec->pattern)
		rc = lazy_found(&lz, in, spec->file, spec->pattern, err);
	else if (in->n == 0)
		kd_fail(err, KD_ERR_LOOKUP, "%s:%ld: no code at that line in %s's debug info (a comment, a "
			"declaration, or code the compiler merged into another line)", spec->file, spec->line,
			d->module[0] ? d->module : "vmlinux");
	else
		rc = 0;
out:
	if (spec->pattern)
		lazy_free(&lz);
	return rc;
}

static int sites_of(struct kd_probe_debug *d, const struct kd_probe_spec *spec, bool no_inlines,
		    struct kd_sources *src, struct instances *in, kd_err *err)
{
	if (!spec->func)
		return file_line_sites(d, spec, src, in, err);
	if (find_instances(d, spec, no_inlines, in, err) != 0)
		return -1;
	return spec->pattern ? lazy_sites(d, spec, src, in, err) : place(d, spec, in, err);
}

/* ---- variables and their locations ------------------------------------ */

/* How many of the nall scopes at the site (innermost first) are the
 * instance's own: up to and with the instance itself. */
static int site_scopes(struct site *s, Dwarf_Die *scopes, int nall)
{
	for (int i = 0; i < nall; i++)
		if (same_die(&scopes[i], &s->inst))
			return i + 1;
	return nall;
}

/* The out-of-line function that contains the site: its frame base. */
static bool frame_function(Dwarf_Die *scopes, int nall, Dwarf_Die *out)
{
	for (int i = 0; i < nall; i++)
		if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram) {
			*out = scopes[i];
			return true;
		}
	return false;
}

static const char *const regs[] = { "%ax", "%dx", "%cx", "%bx", "%si", "%di", "%bp", "%sp",
				     "%r8", "%r9", "%r10", "%r11", "%r12", "%r13", "%r14", "%r15" };

/* Where a value is, as a kprobe can fetch it. LOC_PTR is a value the
 * kprobe cannot compute (a register plus an offset: GCC's pointers to a
 * member, DW_OP_bregN off, DW_OP_stack_value) but can dereference. */
struct loc {
	enum { LOC_REG, LOC_MEM, LOC_IMM, LOC_PTR } kind;
	char base[1024]; /* LOC_REG, LOC_PTR: "%di"; LOC_MEM: the fetcharg of the base address
			  * ("%sp", "+24(%di)") or "@sym" */
	int64_t off;
	uint64_t imm;
};

/* The value at a LOC_MEM/LOC_REG location as one fetcharg. */
static int fetch_value(const struct loc *l, char *buf, size_t len)
{
	int n;

	if (l->kind == LOC_REG)
		n = snprintf(buf, len, "%s", l->base);
	else if (l->kind == LOC_IMM)
		n = snprintf(buf, len, "\\%" PRIu64, l->imm);
	else if (l->kind == LOC_PTR)
		return -1;
	else if (l->base[0] == '@')
		n = l->off ? snprintf(buf, len, "%s%+" PRId64, l->base, l->off) : snprintf(buf, len, "%s", l->base);
	else
		n = snprintf(buf, len, "%+" PRId64 "(%s)", l->off, l->base);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* l holds a pointer: make it the memory it points to. */
static int deref(struct loc *l, kd_err *err)
{
	char v[1024];

	if (l->kind == LOC_PTR) { /* reg + off: the pointee is at off(reg) */
		l->kind = LOC_MEM;
		return 0;
	}
	if (fetch_value(l, v, sizeof(v)) != 0)
		return kd_fail(err, KD_ERR_INVALID, "the expression is too deep");
	snprintf(l->base, sizeof(l->base), "%s", v);
	l->kind = LOC_MEM;
	l->off = 0;
	return 0;
}

static const char *op_name(unsigned atom)
{
	const char *s = NULL;

	switch (atom) {
	case DW_OP_entry_value: s = "DW_OP_entry_value"; break;
	case DW_OP_GNU_entry_value: s = "DW_OP_GNU_entry_value"; break;
	case DW_OP_piece: s = "DW_OP_piece"; break;
	case DW_OP_implicit_pointer: s = "DW_OP_implicit_pointer"; break;
	case DW_OP_GNU_implicit_pointer: s = "DW_OP_GNU_implicit_pointer"; break;
	case DW_OP_stack_value: s = "DW_OP_stack_value"; break;
	case DW_OP_deref: s = "DW_OP_deref"; break;
	case DW_OP_plus_uconst: s = "DW_OP_plus_uconst"; break;
	case DW_OP_implicit_value: s = "DW_OP_implicit_value"; break;
	}
	return s;
}

/* A DWARF location expression at the probe -> loc. at_entry: the probe is
 * at the function's entry, where DW_OP_entry_value(reg) is the register. */
static int expr_loc(struct kd_probe_debug *d, Dwarf_Op *ops, size_t nops, Dwarf_Die *func, uint64_t addr,
		    bool at_entry, uint64_t size, struct loc *l, kd_err *err)
{
	unsigned a;

	memset(l, 0, sizeof(*l));
	/* a first piece that holds the whole value is the value */
	if (nops >= 2 && ops[1].atom == DW_OP_piece) {
		if (ops[1].number < size || size == 0)
			return kd_fail(err, KD_ERR_UNSUPPORTED, "its value is split in pieces (DW_OP_piece) "
				       "that a kprobe cannot join");
		nops = 1;
	}
	if (nops == 0)
		return kd_fail(err, KD_ERR_LOOKUP, "it is optimized out here (empty location)");
	a = ops[0].atom;
	if (nops == 2 && ops[1].atom == DW_OP_stack_value) {
		/* a computed value: a register as is, or a constant */
		if (a >= DW_OP_breg0 && a <= DW_OP_breg15) {
			l->kind = ops[0].number == 0 ? LOC_REG : LOC_PTR;
			snprintf(l->base, sizeof(l->base), "%s", regs[a - DW_OP_breg0]);
			l->off = (int64_t)ops[0].number;
			return 0;
		}
		if (a >= DW_OP_lit0 && a <= DW_OP_lit31) {
			l->kind = LOC_IMM;
			l->imm = a - DW_OP_lit0;
			return 0;
		}
		if (a == DW_OP_constu || a == DW_OP_consts || a == DW_OP_const1u || a == DW_OP_const2u ||
		    a == DW_OP_const4u || a == DW_OP_const8u || a == DW_OP_const1s || a == DW_OP_const2s ||
		    a == DW_OP_const4s || a == DW_OP_const8s) {
			l->kind = LOC_IMM;
			l->imm = ops[0].number;
			return 0;
		}
		if ((a == DW_OP_entry_value || a == DW_OP_GNU_entry_value) && at_entry) {
			/* libdw keeps entry_value's block as (length, pointer):
			 * one DW_OP_regN is the register's value at entry */
			const unsigned char *blk = (const unsigned char *)(uintptr_t)ops[0].number2;
			if (ops[0].number == 1 && blk && blk[0] >= DW_OP_reg0 && blk[0] <= DW_OP_reg15) {
				l->kind = LOC_REG;
				snprintf(l->base, sizeof(l->base), "%s", regs[blk[0] - DW_OP_reg0]);
				return 0;
			}
		}
		return kd_fail(err, KD_ERR_UNSUPPORTED, "its value is computed (%s%s, DW_OP_stack_value), "
			       "which a kprobe cannot fetch here", op_name(a) ? op_name(a) : "an expression",
			       a == DW_OP_entry_value || a == DW_OP_GNU_entry_value ?
			       ": the value its register had at the function's entry; probe the entry" : "");
	}
	if (nops != 1)
		return kd_fail(err, KD_ERR_UNSUPPORTED, "its location is a %zu-operation DWARF expression "
			       "(%s...) that a kprobe cannot fetch", nops,
			       op_name(ops[1].atom) ? op_name(ops[1].atom) : "arithmetic");
	if (a >= DW_OP_reg0 && a <= DW_OP_reg15) {
		l->kind = LOC_REG;
		snprintf(l->base, sizeof(l->base), "%s", regs[a - DW_OP_reg0]);
		return 0;
	}
	if (a == DW_OP_regx && ops[0].number < 16) {
		l->kind = LOC_REG;
		snprintf(l->base, sizeof(l->base), "%s", regs[ops[0].number]);
		return 0;
	}
	if (a >= DW_OP_breg0 && a <= DW_OP_breg15) {
		l->kind = LOC_MEM;
		snprintf(l->base, sizeof(l->base), "%s", regs[a - DW_OP_breg0]);
		l->off = (int64_t)ops[0].number;
		return 0;
	}
	if (a == DW_OP_fbreg) {
		Dwarf_Attribute fb;
		Dwarf_Op *fops;
		size_t nf;
		struct kd_cfi_rule cfa;
		if (!func || !dwarf_attr(func, DW_AT_frame_base, &fb) ||
		    dwarf_getlocation_addr(&fb, addr - d->bias, &fops, &nf, 1) != 1 || nf != 1)
			return kd_fail(err, KD_ERR_UNSUPPORTED, "its frame base is not known here");
		if (fops[0].atom == DW_OP_call_frame_cfa) {
			if (kd_symfile_cfi(d->sf, addr, &cfa, err) != 0)
				return kd_wrap(err, "its frame base (the CFA)");
			if (cfa.cfa_reg < 0 || cfa.cfa_reg > 15)
				return kd_fail(err, KD_ERR_UNSUPPORTED, "the CFA is register %d", cfa.cfa_reg);
			l->kind = LOC_MEM;
			snprintf(l->base, sizeof(l->base), "%s", regs[cfa.cfa_reg]);
			l->off = cfa.cfa_offset + (int64_t)ops[0].number;
			return 0;
		}
		if (fops[0].atom >= DW_OP_breg0 && fops[0].atom <= DW_OP_breg15) {
			l->kind = LOC_MEM;
			snprintf(l->base, sizeof(l->base), "%s", regs[fops[0].atom - DW_OP_breg0]);
			l->off = (int64_t)fops[0].number + (int64_t)ops[0].number;
			return 0;
		}
		return kd_fail(err, KD_ERR_UNSUPPORTED, "its frame base is a DWARF expression a kprobe cannot fetch");
	}
	if (a == DW_OP_addr) {
		uint64_t off;
		const char *sym = kd_symfile_object_at(d->sf, ops[0].number + d->bias, &off);
		if (!sym)
			return kd_fail(err, KD_ERR_LOOKUP, "no symbol holds its address 0x%" PRIx64, ops[0].number);
		l->kind = LOC_MEM;
		snprintf(l->base, sizeof(l->base), "@%s", sym);
		l->off = (int64_t)off;
		return 0;
	}
	return kd_fail(err, KD_ERR_UNSUPPORTED, "its location (%s) is not one a kprobe can fetch",
		       op_name(a) ? op_name(a) : "a DWARF operation");
}

/* "FUNC+0x10-FUNC+0x40, ..." where var has a location. */
/* Appends "FUNC+0xA-FUNC+0xB" for [start, end) to buf (at most 6). */
static void add_range(struct kd_probe_debug *d, uint64_t start, uint64_t end, char *buf, size_t len,
		      size_t *used, int *shown)
{
	uint64_t so, eo;
	const char *s1 = kd_symfile_symbol_at(d->sf, start + d->bias, &so, NULL);
	const char *s2 = kd_symfile_symbol_at(d->sf, end - 1 + d->bias, &eo, NULL);
	int n;

	if (*shown >= 6)
		return;
	n = snprintf(buf + *used, len - *used, "%s%s+0x%" PRIx64 "-%s+0x%" PRIx64, *shown ? ", " : "",
		     s1 ? s1 : "?", so, s2 ? s2 : "?", eo + 1);
	if (n < 0 || (size_t)n >= len - *used) {
		buf[*used] = '\0';
		*shown = 6;
		return;
	}
	*used += (size_t)n;
	(*shown)++;
}

/* "FUNC+0x10-FUNC+0x40, ..." where var has a location, contiguous
 * entries of the location list read as one range. */
static void avail_ranges(struct kd_probe_debug *d, Dwarf_Attribute *attr, char *buf, size_t len)
{
	Dwarf_Addr base, start, end, from = 0, to = 0;
	Dwarf_Op *ops;
	size_t nops, used = 0;
	ptrdiff_t off = 0;
	int shown = 0;

	buf[0] = '\0';
	while ((off = dwarf_getlocations(attr, off, &base, &start, &end, &ops, &nops)) > 0) {
		if (nops == 0)
			continue;
		if (to && start == to) {
			to = end;
			continue;
		}
		if (to)
			add_range(d, from, to, buf, len, &used, &shown);
		from = start;
		to = end;
	}
	if (to)
		add_range(d, from, to, buf, len, &used, &shown);
}

/* Calls fn for each named variable and parameter scopes[from..to)
 * declare, innermost scope first; a non-zero return stops the walk and is
 * returned. */
typedef int (*var_fn)(Dwarf_Die *var, const char *name, bool param, void *ctx);

static int each_var(Dwarf_Die *scopes, int from, int to, var_fn fn, void *ctx)
{
	for (int i = from; i < to; i++) {
		Dwarf_Die child;
		if (dwarf_child(&scopes[i], &child) != 0)
			continue;
		do {
			int tag = dwarf_tag(&child), rc;
			const char *name = die_name(&child);
			if (name && (tag == DW_TAG_variable || tag == DW_TAG_formal_parameter) &&
			    (rc = fn(&child, name, tag == DW_TAG_formal_parameter, ctx)) != 0)
				return rc;
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	return 0;
}

struct var_search {
	const char *name;
	Dwarf_Die *out;
};

static int match_var(Dwarf_Die *var, const char *name, bool param, void *ctx)
{
	struct var_search *v = ctx;

	(void)param;
	if (strcmp(name, v->name) != 0)
		return 0;
	*v->out = *var;
	return 1;
}

/* A variable by name in the scopes (innermost first), else a global. */
static bool find_var(struct kd_probe_debug *d, Dwarf_Die *scopes, int n, const char *name, Dwarf_Die *out)
{
	struct var_search v = { name, out };
	uint64_t die;

	if (each_var(scopes, 0, n, match_var, &v))
		return true;
	return kd_dwarf_index_find(d->idx, name, KD_DWN_VAR, &die, 1) && dwarf_offdie(d->dw, die, out);
}

struct name_list {
	char *buf;
	size_t len, used;
};

static int add_name(Dwarf_Die *var, const char *name, bool param, void *ctx)
{
	struct name_list *l = ctx;

	(void)var;
	(void)param;
	if (l->used + strlen(name) + 3 < l->len)
		l->used += (size_t)snprintf(l->buf + l->used, l->len - l->used, "%s%s", l->used ? ", " : "", name);
	return 0;
}

/* Names of the variables in scope, for "no variable X (these are: ...)". */
static void var_names(Dwarf_Die *scopes, int n, char *buf, size_t len)
{
	struct name_list l = { buf, len, 0 };

	buf[0] = '\0';
	each_var(scopes, 0, n, add_name, &l);
}

/* Where var is at the site, as a loc. */
static int var_loc(struct kd_probe_debug *d, struct site *s, Dwarf_Die *scopes, int nall, Dwarf_Die *var,
		   struct loc *l, kd_err *err)
{
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	size_t nops;
	Dwarf_Die func, t;
	const char *name = die_name(var);
	uint64_t off;
	const char *sym = kd_symfile_symbol_at(d->sf, s->addr, &off, NULL);
	int rc;

	if (dwarf_attr_integrate(var, DW_AT_const_value, &attr)) {
		Dwarf_Word w;
		Dwarf_Sword sw;
		l->kind = LOC_IMM;
		if (dwarf_formudata(&attr, &w) == 0)
			l->imm = w;
		else if (dwarf_formsdata(&attr, &sw) == 0)
			l->imm = (uint64_t)sw;
		else
			return kd_fail(err, KD_ERR_UNSUPPORTED, "%s is a constant kdive cannot read", name);
		return 0;
	}
	if (!dwarf_attr(var, DW_AT_location, &attr))
		return kd_fail(err, KD_ERR_LOOKUP, "%s is optimized out (no location anywhere)", name);
	rc = dwarf_getlocation_addr(&attr, s->addr - d->bias, &ops, &nops, 1);
	if (rc <= 0) {
		char ranges[512];
		avail_ranges(d, &attr, ranges, sizeof(ranges));
		return kd_fail(err, KD_ERR_LOOKUP, "%s is optimized out at %s+0x%" PRIx64 "%s%s", name,
			       sym ? sym : "?", off, ranges[0] ? "; it is available at " : "", ranges);
	}
	if (!frame_function(scopes, nall, &func))
		memset(&func, 0, sizeof(func));
	rc = expr_loc(d, ops, nops, dwarf_tag(&func) == DW_TAG_subprogram ? &func : NULL, s->addr,
		      s->addr == s->entry, type_of(var, &t) ? die_size(&t) : 0, l, err);
	if (rc != 0)
		return kd_wrap(err, "%s at %s+0x%" PRIx64, name, sym ? sym : "?", off);
	return 0;
}

/* Applies ->m, .m, [n] from chain to l and *type; name gets the last
 * member's name. */
static int apply_chain(const char *chain, struct loc *l, Dwarf_Die *type, char *name, size_t nlen,
		       kd_err *err)
{
	const char *p = chain;

	while (*p) {
		Dwarf_Die rt, child;
		bool arrow = false, index = false;
		char member[128];
		uint64_t idx = 0;
		size_t n = 0;
		if (p[0] == '-' && p[1] == '>') {
			arrow = true;
			p += 2;
		} else if (*p == '.') {
			p++;
		} else if (*p == '[') {
			index = true;
			idx = strtoull(p + 1, (char **)&p, 10);
			p++; /* ']' */
		}
		if (!real_type(type, &rt))
			return kd_fail(err, KD_ERR_INVALID, "void has no members");
		if (index) {
			int tag = dwarf_tag(&rt);
			Dwarf_Die elem, er;
			if ((tag != DW_TAG_array_type && tag != DW_TAG_pointer_type) || !die_ref(&rt, DW_AT_type, &elem))
				return kd_fail(err, KD_ERR_INVALID, "[%" PRIu64 "]: not an array or pointer", idx);
			uint64_t esize = real_type(&elem, &er) ? die_size(&er) : 0;
			if (tag == DW_TAG_pointer_type) {
				if (deref(l, err) != 0)
					return -1;
				l->off += (int64_t)(idx * esize);
			} else {
				if (l->kind != LOC_MEM)
					return kd_fail(err, KD_ERR_UNSUPPORTED, "an array held in registers");
				l->off += (int64_t)(idx * esize);
			}
			*type = elem;
			continue;
		}
		while (isalnum((unsigned char)*p) || *p == '_')
			if (n + 1 < sizeof(member))
				member[n++] = *p++;
			else
				p++;
		member[n] = '\0';
		if (arrow) {
			if (dwarf_tag(&rt) != DW_TAG_pointer_type || !die_ref(&rt, DW_AT_type, &rt) ||
			    !real_type(&rt, &rt))
				return kd_fail(err, KD_ERR_INVALID, "->%s: not a pointer to a struct (use .%s)", member,
					       member);
			if (deref(l, err) != 0)
				return -1;
		} else if (dwarf_tag(&rt) == DW_TAG_pointer_type) {
			return kd_fail(err, KD_ERR_INVALID, ".%s: a pointer (use ->%s)", member, member);
		} else if (l->kind != LOC_MEM) {
			return kd_fail(err, KD_ERR_UNSUPPORTED, ".%s: a struct held in registers", member);
		}
		if (dwarf_tag(&rt) != DW_TAG_structure_type && dwarf_tag(&rt) != DW_TAG_union_type)
			return kd_fail(err, KD_ERR_INVALID, "%s: not a struct or union member", member);
		/* the member, also inside anonymous structs and unions */
		Dwarf_Die scope = rt;
		int64_t base_off = 0;
		bool found = false;
		for (int depth = 0; depth < 8 && !found; depth++) {
			bool descended = false;
			if (dwarf_child(&scope, &child) != 0)
				break;
			do {
				const char *mn = die_name(&child);
				Dwarf_Word mo = 0;
				Dwarf_Attribute ma;
				if (dwarf_tag(&child) != DW_TAG_member)
					continue;
				if (dwarf_attr(&child, DW_AT_data_member_location, &ma))
					dwarf_formudata(&ma, &mo);
				if (mn && strcmp(mn, member) == 0) {
					l->off += base_off + (int64_t)mo;
					found = true;
					break;
				}
				if (!mn) {
					Dwarf_Die anon, ar;
					if (type_of(&child, &anon) && real_type(&anon, &ar)) {
						/* look inside: is the member there? */
						Dwarf_Die g;
						if (dwarf_child(&ar, &g) == 0) {
							do {
								const char *gn = die_name(&g);
								if (gn && strcmp(gn, member) == 0) {
									scope = ar;
									base_off += (int64_t)mo;
									descended = true;
									break;
								}
							} while (dwarf_siblingof(&g, &g) == 0);
						}
						if (descended)
							break;
					}
				}
			} while (dwarf_siblingof(&child, &child) == 0);
			if (!descended)
				break;
		}
		if (!found)
			return kd_fail(err, KD_ERR_LOOKUP, "%s has no member %s", die_name(&rt) ? die_name(&rt) : "the struct",
				       member);
		if (!type_of(&child, type))
			return kd_fail(err, KD_ERR_CORRUPT, "member %s has no type", member);
		snprintf(name, nlen, "%s", member);
		/* bitfields: remembered through the member DIE in type's place */
		Dwarf_Attribute bs;
		if (dwarf_attr(&child, DW_AT_bit_size, &bs))
			*type = child;
	}
	return 0;
}

/* The kprobe type for a value of DWARF type (or bitfield member) t. */
static int fetch_type(Dwarf_Die *t, const char *want, struct loc *l, char *buf, size_t len, kd_err *err)
{
	Dwarf_Die rt, elem, er;
	Dwarf_Attribute a;
	Dwarf_Word enc = 0, bits = 0;
	int tag;

	if (dwarf_tag(t) == DW_TAG_member) { /* a bitfield */
		Dwarf_Word mo = 0, bit_off;
		Dwarf_Die mt, mrt;
		uint64_t csize;
		dwarf_formudata(dwarf_attr(t, DW_AT_bit_size, &a), &bits);
		if (!type_of(t, &mt) || !real_type(&mt, &mrt) || !(csize = die_size(&mrt)))
			return kd_fail(err, KD_ERR_CORRUPT, "a bitfield without a type");
		if (dwarf_attr(t, DW_AT_data_member_location, &a))
			dwarf_formudata(&a, &mo);
		bit_off = mo * 8;
		if (dwarf_attr(t, DW_AT_data_bit_offset, &a))
			dwarf_formudata(&a, &bit_off);
		/* apply_chain added the member's byte offset: address the
		 * container the bitfield sits in instead */
		l->off -= (int64_t)mo;
		uint64_t cbyte = bit_off / (csize * 8) * csize;
		l->off += (int64_t)cbyte;
		snprintf(buf, len, "b%" PRIu64 "@%" PRIu64 "/%" PRIu64, (uint64_t)bits, bit_off - cbyte * 8,
			 csize * 8);
		return 0;
	}
	if (!real_type(t, &rt))
		return kd_fail(err, KD_ERR_INVALID, "a void value");
	tag = dwarf_tag(&rt);
	if (want && (strcmp(want, "string") == 0 || strcmp(want, "ustring") == 0)) {
		if ((tag != DW_TAG_pointer_type && tag != DW_TAG_array_type) || !die_ref(&rt, DW_AT_type, &elem) ||
		    !real_type(&elem, &er) || die_size(&er) != 1)
			return kd_fail(err, KD_ERR_INVALID, ":%s needs a char pointer or array", want);
		if (tag == DW_TAG_pointer_type) { /* the string is where the pointer points */
			if (deref(l, err) != 0)
				return -1;
		} else if (l->kind != LOC_MEM) {
			return kd_fail(err, KD_ERR_UNSUPPORTED, "a char array held in registers");
		}
		snprintf(buf, len, "%s", want);
		return 0;
	}
	if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_array_type)
		return kd_fail(err, KD_ERR_INVALID, "a %s: name a member or element of it (or :string for "
			       "a char array)", tag == DW_TAG_array_type ? "array" : "struct or union");
	if (want) {
		snprintf(buf, len, "%s", want);
		return 0;
	}
	uint64_t size = die_size(&rt);
	if (tag == DW_TAG_base_type && dwarf_attr(&rt, DW_AT_encoding, &a))
		dwarf_formudata(&a, &enc);
	if (tag == DW_TAG_enumeration_type) {
		Dwarf_Die under, ur;
		if (die_ref(&rt, DW_AT_type, &under) && real_type(&under, &ur) &&
		    dwarf_attr(&ur, DW_AT_encoding, &a))
			dwarf_formudata(&a, &enc);
	}
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return kd_fail(err, KD_ERR_UNSUPPORTED, "a %" PRIu64 "-byte value", size);
	snprintf(buf, len, "%c%" PRIu64, enc == DW_ATE_signed || enc == DW_ATE_signed_char ? 's' : 'x',
		 size * 8);
	return 0;
}

static bool valid_type(const char *t)
{
	static const char *const known[] = { "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
					      "x8", "x16", "x32", "x64", "string", "ustring", "symbol",
					      "symstr" };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(t, known[i]) == 0)
			return true;
	return t[0] == 'b' && isdigit((unsigned char)t[1]);
}

static int append(char *buf, size_t len, const char *name, const char *fetch, const char *type, kd_err *err)
{
	size_t used = strlen(buf);
	int n = snprintf(buf + used, len - used, " %s%s%s%s%s", name ? name : "", name ? "=" : "", fetch,
			 type ? ":" : "", type ? type : "");

	if (n < 0 || (size_t)n >= len - used)
		return kd_fail(err, KD_ERR_INVALID, "the arguments are longer than kprobe_events takes");
	return 0;
}

int kd_probe_plain_arg(const struct kd_probe_arg *a, bool ret, char *buf, size_t len, kd_err *err)
{
	const char *e = a->expr;

	if (a->type && !valid_type(a->type))
		return kd_fail(err, KD_ERR_INVALID, ":%s is not a kprobe type (u8..u64, s8..s64, x8..x64, "
			       "string, ustring, symbol, bN@O/S)", a->type);
	if (strcmp(e, "$retval") == 0 && !ret)
		return kd_fail(err, KD_ERR_INVALID, "$retval needs FUNC%%return");
	if (e[0] == '%') {
		bool ok = strcmp(e, "%ip") == 0;
		for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
			ok |= strcmp(e, regs[i]) == 0;
		if (!ok)
			return kd_fail(err, KD_ERR_INVALID, "%s is not an x86-64 register (%%ax %%bx %%cx %%dx "
				       "%%si %%di %%bp %%sp %%r8..%%r15 %%ip)", e);
	} else if (strcmp(e, "$retval") != 0 && strcmp(e, "$comm") != 0 && e[0] != '@' &&
		   strncmp(e, "$arg", 4) != 0 && strncmp(e, "$stack", 6) != 0) {
		return kd_fail(err, KD_ERR_LOOKUP, "%s needs the kernel's debug info (give -k VMLINUX); "
			       "without it: %%REG, $argN, $stackN, $retval, $comm, @SYMBOL", e);
	}
	buf[0] = '\0';
	return append(buf, len, a->name, e, a->type, err);
}

/* One spec argument at a site, appended to def->args. */
static int one_arg(struct kd_probe_debug *d, struct site *s, Dwarf_Die *scopes, int n, int nall,
		   const struct kd_probe_arg *a, bool ret, struct kd_probe_def *def, kd_err *err)
{
	const char *e = a->expr;
	char name[128], var[128], fetch[1100], type[64];
	Dwarf_Die vd, t;
	struct loc l;
	size_t vn = 0;

	if (a->type && !valid_type(a->type))
		return kd_fail(err, KD_ERR_INVALID, ":%s is not a kprobe type (u8..u64, s8..s64, x8..x64, "
			       "string, ustring, symbol, bN@O/S)", a->type);
	if (e[0] == '%' || e[0] == '@' || strcmp(e, "$retval") == 0 || strcmp(e, "$comm") == 0 ||
	    strncmp(e, "$arg", 4) == 0 || strncmp(e, "$stack", 6) == 0) {
		char one[1200];
		if (kd_probe_plain_arg(a, ret, one, sizeof(one), err) != 0)
			return -1;
		return append(def->args, sizeof(def->args), NULL, one + 1, NULL, err);
	}
	if (e[0] == '$')
		return kd_fail(err, KD_ERR_INVALID, "%s: unknown special variable ($retval, $comm, $params, $vars)", e);
	if (ret)
		return kd_fail(err, KD_ERR_INVALID, "%s: a %%return probe sees only $retval (and registers): "
			       "the function's variables are gone", e);
	while (isalnum((unsigned char)e[vn]) || e[vn] == '_')
		vn++;
	snprintf(var, sizeof(var), "%.*s", (int)vn, e);
	if (!find_var(d, scopes, n, var, &vd)) {
		char names[512];
		var_names(scopes, n, names, sizeof(names));
		return kd_fail(err, KD_ERR_LOOKUP, "no variable %s at %s (these are: %s)", var, def->func,
			       names[0] ? names : "none");
	}
	if (var_loc(d, s, scopes, nall, &vd, &l, err) != 0)
		return -1;
	if (!type_of(&vd, &t))
		return kd_fail(err, KD_ERR_CORRUPT, "%s has no type", var);
	snprintf(name, sizeof(name), "%s", var);
	bool chained = e[vn] != '\0';
	if (apply_chain(e + vn, &l, &t, name, sizeof(name), err) != 0)
		return kd_wrap(err, "%s", e);
	if (fetch_type(&t, a->type, &l, type, sizeof(type), err) != 0)
		return kd_wrap(err, "%s", e);
	if (l.kind == LOC_PTR) {
		Dwarf_Die rt;
		bool ptr = real_type(&t, &rt) && dwarf_tag(&rt) == DW_TAG_pointer_type;
		return kd_fail(err, KD_ERR_UNSUPPORTED, "%s is %s%+" PRId64 " here, a sum a kprobe cannot make%s%s%s",
			       e, l.base, l.off, ptr ? ": fetch a member through it (" : "", ptr ? e : "",
			       ptr ? "->MEMBER)" : "");
	}
	if (fetch_value(&l, fetch, sizeof(fetch)) != 0)
		return kd_fail(err, KD_ERR_INVALID, "%s: the expression is too deep", e);
	if (a->name)
		snprintf(name, sizeof(name), "%s", a->name);
	else if (a->type && !chained) /* perf's names: filename_string */
		snprintf(name + strlen(name), sizeof(name) - strlen(name), "_%s", a->type);
	return append(def->args, sizeof(def->args), name, fetch, type, err);
}

/* $params and $vars: every parameter (and local) readable at the site. */
/* $params and $vars: every parameter (and local) readable at the site;
 * perf skips what cannot be fetched there. */
struct all_vars {
	struct kd_probe_debug *d;
	struct site *s;
	Dwarf_Die *scopes;
	int n, nall;
	bool locals;
	struct kd_probe_def *def;
};

static int add_var(Dwarf_Die *var, const char *name, bool param, void *ctx)
{
	struct all_vars *v = ctx;
	struct kd_probe_arg a = { NULL, (char *)name, NULL };
	size_t keep = strlen(v->def->args);
	kd_err skip;

	(void)var;
	if ((param || v->locals) && one_arg(v->d, v->s, v->scopes, v->n, v->nall, &a, false, v->def, &skip) != 0)
		v->def->args[keep] = '\0';
	return 0;
}

static void all_vars(struct kd_probe_debug *d, struct site *s, Dwarf_Die *scopes, int n, int nall, bool locals,
		     struct kd_probe_def *def)
{
	struct all_vars v = { d, s, scopes, n, nall, locals, def };

	each_var(scopes, locals ? 0 : n - 1, n, add_var, &v);
}

static void site_where(struct kd_probe_debug *d, struct site *s, char *buf, size_t len)
{
	struct kd_srcloc loc[4];
	size_t n = kd_symfile_srclines(d->sf, s->addr, loc, 4);

	if (n)
		snprintf(buf, len, "%s:%d", loc[0].file, loc[0].line);
	else
		buf[0] = '\0';
}

static int make_def(struct kd_probe_debug *d, const struct kd_probe_spec *spec, struct site *s, size_t nth,
		    struct kd_probe_def *def, kd_err *err)
{
	uint64_t off;
	const char *sym = kd_symfile_symbol_at(d->sf, s->addr, &off, NULL);
	const char *fn = die_name(&s->inst);
	Dwarf_Die *scopes = NULL;
	int n, nall;

	memset(def, 0, sizeof(*def));
	if (!sym)
		return kd_fail(err, KD_ERR_LOOKUP, "no symbol at 0x%" PRIx64, s->addr);
	snprintf(def->func, sizeof(def->func), "%s", fn ? fn : sym);
	snprintf(def->group, sizeof(def->group), "%s", spec->group ? spec->group : "kdive");
	if (spec->event)
		snprintf(def->event, sizeof(def->event), "%s", spec->event);
	else if (spec->ret)
		snprintf(def->event, sizeof(def->event), "%.50s__return", def->func);
	else if (s->rel_line)
		snprintf(def->event, sizeof(def->event), "%.50s_L%d", def->func, s->rel_line);
	else
		snprintf(def->event, sizeof(def->event), "%.60s", def->func);
	if (nth)
		snprintf(def->event + strlen(def->event), sizeof(def->event) - strlen(def->event), "_%zu", nth);
	snprintf(def->point, sizeof(def->point), "%s%s%s+%" PRIu64, d->module, d->module[0] ? ":" : "", sym, off);
	def->ret = spec->ret;
	def->addr = s->addr;
	site_where(d, s, def->where, sizeof(def->where));
	nall = dwarf_getscopes(&s->cu, s->addr - d->bias, &scopes);
	n = site_scopes(s, scopes, nall);
	if (nall <= 0) {
		free(scopes);
		scopes = NULL;
		n = nall = 0;
	}
	for (size_t i = 0; i < spec->nargs; i++) {
		const char *e = spec->args[i].expr;
		int rc;
		if (strcmp(e, "$params") == 0 || strcmp(e, "$vars") == 0)
			rc = spec->ret ? kd_fail(err, KD_ERR_INVALID, "%s: a %%return probe sees only $retval", e)
				       : (all_vars(d, s, scopes, n, nall, e[1] == 'v', def), 0);
		else
			rc = one_arg(d, s, scopes, n, nall, &spec->args[i], spec->ret, def, err);
		if (rc != 0) {
			free(scopes);
			return -1;
		}
	}
	free(scopes);
	return 0;
}

int kd_probe_resolve(struct kd_probe_debug *d, const struct kd_probe_spec *spec, bool no_inlines,
		     struct kd_sources *src, struct kd_probe_def **defs, size_t *n, kd_err *err)
{
	struct instances in = { 0 };
	int rc = -1;

	*defs = NULL;
	*n = 0;
	if (sites_of(d, spec, no_inlines, src, &in, err) != 0)
		goto out;
	if (!(*defs = calloc(in.n, sizeof(**defs)))) {
		kd_oom(err);
		goto out;
	}
	/* an instance where an argument cannot be fetched is left out (said
	 * on diag); none left is the error */
	for (size_t i = 0; i < in.n; i++) {
		kd_err why;
		if (make_def(d, spec, &in.s[i], *n, &(*defs)[*n], &why) == 0) {
			(*n)++;
			continue;
		}
		*err = why;
		if (why.code == KD_ERR_NOMEM)
			goto out;
		if (d->diag && in.n > 1)
			fprintf(d->diag, "kdive: probe: left out the copy at 0x%" PRIx64 ": %s\n", in.s[i].addr,
				why.msg);
	}
	rc = *n ? 0 : -1;
out:
	if (rc != 0) {
		free(*defs);
		*defs = NULL;
	}
	free(in.s);
	return rc;
}

/* ---- -V and -L ----------------------------------------------------------- */

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* -V's lines: the fetchable variables kept to be sorted, the others
 * printed at once with why. */
struct var_lines {
	struct kd_probe_debug *d;
	struct site *s;
	Dwarf_Die *scopes;
	int nall;
	FILE *out;
	char **avail;
	size_t navail;
};

static int var_line(Dwarf_Die *var, const char *name, bool param, void *ctx)
{
	struct var_lines *v = ctx;
	char tn[256], **grown;
	struct loc l;
	kd_err why;

	(void)param;
	type_name(var, tn, sizeof(tn));
	if (var_loc(v->d, v->s, v->scopes, v->nall, var, &l, &why) != 0) {
		fprintf(v->out, "\t\t(%s\t%s: %s)\n", tn, name, why.msg);
		return 0;
	}
	if (!(grown = realloc(v->avail, (v->navail + 1) * sizeof(*grown))))
		return 0;
	v->avail = grown;
	if (asprintf(&v->avail[v->navail], "\t\t%s\t%s\n", tn, name) >= 0)
		v->navail++;
	return 0;
}

int kd_probe_vars(struct kd_probe_debug *d, const struct kd_probe_spec *spec, bool no_inlines,
		  struct kd_sources *src, FILE *out, kd_err *err)
{
	struct instances in = { 0 };

	if (sites_of(d, spec, no_inlines, src, &in, err) != 0) {
		free(in.s);
		return -1;
	}
	/* the point as perf writes it back (no pattern; a file after '@') */
	fprintf(out, "Available variables at %s", spec->func ? spec->func : "");
	if (spec->has_offset)
		fprintf(out, "+%" PRIu64, spec->offset);
	if (spec->func && spec->line)
		fprintf(out, ":%ld", spec->line);
	if (spec->ret)
		fprintf(out, "%%return");
	if (spec->file)
		fprintf(out, "@%s", spec->file);
	if (!spec->func && spec->line)
		fprintf(out, ":%ld", spec->line);
	fputc('\n', out);
	for (size_t i = 0; i < in.n; i++) {
		struct site *s = &in.s[i];
		uint64_t off;
		const char *sym = kd_symfile_symbol_at(d->sf, s->addr, &off, NULL);
		Dwarf_Die *scopes = NULL;
		int nall = dwarf_getscopes(&s->cu, s->addr - d->bias, &scopes);
		int n = site_scopes(s, scopes, nall > 0 ? nall : 0);
		struct var_lines v = { d, s, scopes, nall, out, NULL, 0 };
		Dwarf_Die fn;
		Dwarf_Addr fentry;
		/* perf names the point by the DWARF function holding it, which a
		 * clone's symbol (FUNC.isra.0) is not */
		if (frame_function(scopes, nall, &fn) && die_name(&fn) && entry_of(&fn, &fentry) == 0 &&
		    s->addr >= fentry + d->bias) {
			sym = die_name(&fn);
			off = s->addr - (fentry + d->bias);
		}
		fprintf(out, "\t@<%s+%" PRIu64 ">\n", sym ? sym : "?", off);
		each_var(scopes, 0, n, var_line, &v);
		/* perf's order: sorted, as its string list keeps them */
		qsort(v.avail, v.navail, sizeof(*v.avail), by_text);
		for (size_t k = 0; k < v.navail; k++) {
			fputs(v.avail[k], out);
			free(v.avail[k]);
		}
		free(v.avail);
		free(scopes);
	}
	free(in.s);
	return 0;
}

int kd_probe_lines(struct kd_probe_debug *d, const struct kd_probe_spec *spec, struct kd_sources *src,
		   FILE *out, kd_err *err)
{
	struct instances in = { 0 };
	const char *file, *text = NULL, *from;
	size_t len;
	int first, last, rc = -1;
	unsigned char *has = NULL;
	kd_err why = { "" };
	struct line_map map = { 0 };

	if (!spec->func)
		return kd_fail(err, KD_ERR_INVALID, "-L takes a function (FUNC[@SRC])");
	if (find_instances(d, spec, true, &in, err) != 0) {
		/* an inline-only function: its lines come from its inlined copies */
		if (find_instances(d, spec, false, &in, err) != 0)
			goto out;
	}
	file = decl_file(&in.s[0].inst);
	first = decl_line(&in.s[0].inst);
	if (!file || !first) {
		kd_fail(err, KD_ERR_LOOKUP, "%s: its lines are not in the debug info", spec->func);
		goto out;
	}
	map.file = file;
	for (size_t i = 0; i < in.n; i++) {
		map.s = &in.s[i];
		if (func_lines(d, &in.s[i], mark_line, &map) != 0) {
			kd_oom(err);
			goto out;
		}
	}
	last = first;
	for (size_t i = 0; i < map.n; i++)
		if (map.lines[i] > last && map.lines[i] - first < 100000)
			last = map.lines[i];
	if (!(has = calloc((size_t)(last - first + 1), 1))) {
		kd_oom(err);
		goto out;
	}
	for (size_t i = 0; i < map.n; i++)
		if (map.lines[i] >= first && map.lines[i] <= last)
			has[map.lines[i] - first] = 1;
	if (src && kd_sources_read(src, file, &text, &len, &from, &why) != 0)
		text = NULL;
	fprintf(out, "<%s@%s:%d>\n", spec->func, file, 0);
	const char *p = text;
	for (int ln = 1; p && ln < first; ln++) { /* to the function's first line */
		const char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : NULL;
	}
	/* perf's listing: three lines of context after the last probe-able */
	for (int ln = first; ln <= last + (p ? 3 : 0) && (ln <= last || *p); ln++) {
		const char *nl = p ? strchr(p, '\n') : NULL;
		int width = p ? (int)(nl ? nl - p : (ptrdiff_t)strlen(p)) : 0;
		if (ln <= last && has[ln - first])
			fprintf(out, "%7d  %.*s\n", ln - first, width, p ? p : "");
		else if (p)
			fprintf(out, "         %.*s\n", width, p);
		p = nl ? nl + 1 : NULL;
	}
	if (!text)
		fprintf(out, "(no source text: %s)\n", why.msg[0] ? why.msg : "no source search path");
	rc = 0;
out:
	free(map.lines);
	free(has);
	free(in.s);
	return rc;
}
