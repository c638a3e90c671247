#include "symbols/symbolizer.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/err.h"
#include "symbols/symbol_index.h"
#include "symbols/zstd_file.h"

/* Source lines already computed: logs repeat the same frames (one oops per
 * CPU, the same trace warned 100 times), and the inline-scope walk costs
 * far more than the lookup. */
struct srcline_memo {
	uint64_t addr;
	size_t n;
	struct kd_srcloc *locs;
};

struct kd_symfile {
	Dwfl_Module *mod;
	char *image;                /* decompressed file libdwfl reads, or NULL */
	struct srcline_memo *memo;
	size_t memo_cap, memo_used; /* cap: power of two or 0 */
	char build_id[129];
	struct kd_symbol_index index;
	int index_state; /* 0 not built, 1 built, -1 no symbol table */
	struct kd_symfile *next;
};

struct kd_symbolizer {
	Dwfl *dwfl;
	Dwfl_Callbacks callbacks;
	char *debuginfo_path;
	struct kd_symfile *files;
};

struct kd_symbolizer *kd_symbolizer_new(kd_err *err)
{
	struct kd_symbolizer *sz = calloc(1, sizeof(*sz));

	if (!sz) {
		kd_oom(err);
		return NULL;
	}
	/* Offline use: files are given by path, and relocatable modules get
	 * their sections laid out by libdwfl. */
	sz->callbacks.find_elf = dwfl_build_id_find_elf;
	sz->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
	sz->callbacks.section_address = dwfl_offline_section_address;
	sz->callbacks.debuginfo_path = &sz->debuginfo_path;
	sz->dwfl = dwfl_begin(&sz->callbacks);
	if (!sz->dwfl) {
		kd_fail(err, KD_ERR_IO, "libdwfl: %s", dwfl_errmsg(-1));
		free(sz);
		return NULL;
	}
	return sz;
}

void kd_symbolizer_free(struct kd_symbolizer *sz)
{
	if (!sz)
		return;
	dwfl_end(sz->dwfl); /* first: it may still read the images freed below */
	for (struct kd_symfile *f = sz->files, *next; f; f = next) {
		next = f->next;
		kd_symbol_index_free(&f->index);
		for (size_t i = 0; i < f->memo_cap; i++)
			free(f->memo[i].locs);
		free(f->memo);
		free(f->image);
		free(f);
	}
	free(sz);
}

static void hex_build_id(Dwfl_Module *mod, char *out, size_t len)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	int n = dwfl_module_build_id(mod, &bits, &vaddr);

	out[0] = '\0';
	for (int i = 0; i < n && (size_t)(2 * i + 2) < len; i++)
		snprintf(out + 2 * i, 3, "%02x", bits[i]);
}

struct kd_symfile *kd_symbolizer_add(struct kd_symbolizer *sz, const char *name,
				     const char *path, kd_err *err)
{
	struct kd_symfile *f = calloc(1, sizeof(*f));
	Dwfl_Module *mod;

	if (!f) {
		kd_oom(err);
		return NULL;
	}
	if (kd_is_zstd_file(path)) {
		size_t len;
		if (kd_zstd_file_read(path, (size_t)1 << 31, &f->image, &len, err) != 0) {
			free(f);
			return NULL;
		}
		dwfl_report_begin_add(sz->dwfl);
		mod = dwfl_report_offline_memory(sz->dwfl, name, path, f->image, len);
	} else {
		dwfl_report_begin_add(sz->dwfl);
		mod = dwfl_report_offline(sz->dwfl, name, path, -1);
	}
	dwfl_report_end(sz->dwfl, NULL, NULL);
	if (!mod) {
		kd_fail(err, KD_ERR_CORRUPT, "%s: not a readable ELF file (%s)", path, dwfl_errmsg(-1));
		free(f->image);
		free(f);
		return NULL;
	}
	f->mod = mod;
	hex_build_id(mod, f->build_id, sizeof(f->build_id));
	f->next = sz->files;
	sz->files = f;
	return f;
}

static int ensure_index(struct kd_symfile *sf)
{
	if (sf->index_state == 0)
		sf->index_state = kd_symbol_index_build(&sf->index, sf->mod) == 0 ? 1 : -1;
	return sf->index_state;
}

int kd_symfile_names(struct kd_symfile *sf, const char *prefix, void (*cb)(const char *name, void *arg),
		     void *arg)
{
	size_t len = strlen(prefix);

	if (ensure_index(sf) < 0)
		return -1;
	for (uint32_t i = 0; i < sf->index.nsyms; i++)
		if (strncmp(sf->index.syms[i].name, prefix, len) == 0)
			cb(sf->index.syms[i].name, arg);
	return 0;
}

static bool is_plain_elf(const char *path)
{
	unsigned char magic[4] = { 0 };
	FILE *f = fopen(path, "rb");
	bool elf = f && fread(magic, 1, 4, f) == 4 && memcmp(magic, "\177ELF", 4) == 0;

	if (f)
		fclose(f);
	return elf;
}

int kd_symfile_check(struct kd_symfile *sf, const char *path, kd_err *err)
{
	GElf_Addr bias;
	GElf_Ehdr eh;
	Elf *elf = dwfl_module_getelf(sf->mod, &bias);
	struct stat st;

	if (!elf || !gelf_getehdr(elf, &eh))
		return kd_fail(err, KD_ERR_CORRUPT, "%s: unreadable ELF header", path);
	/* Section headers sit at the end: a copy cut short loses them first.
	 * (Only for a plain ELF: libdwfl reads .ko.xz/.ko.zst decompressed.) */
	if (is_plain_elf(path) && stat(path, &st) == 0 &&
	    eh.e_shoff + (uint64_t)eh.e_shnum * eh.e_shentsize > (uint64_t)st.st_size)
		return kd_fail(err, KD_ERR_CORRUPT, "%s: truncated (section headers at 0x%llx, file is 0x%llx bytes); "
			       "copy it again", path, (unsigned long long)eh.e_shoff,
			       (unsigned long long)st.st_size);
	if (ensure_index(sf) < 0)
		return kd_fail(err, KD_ERR_LOOKUP, "%s: no symbol table (stripped?)", path);
	if (!dwfl_module_getdwarf(sf->mod, &bias))
		return kd_fail(err, KD_ERR_LOOKUP, "%s: no DWARF debug info (a stripped binary, not the debug one)", path);
	return 0;
}

int kd_symfile_lookup(struct kd_symfile *sf, const char *func, uint64_t size,
		      uint64_t *addr, kd_err *err)
{
	const struct kd_symbol *s;

	if (ensure_index(sf) < 0)
		return kd_fail(err, KD_ERR_LOOKUP, "%s: no symbol table",
			       dwfl_module_info(sf->mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
	s = kd_symbol_index_find(&sf->index, func, size);
	if (!s)
		return kd_fail(err, KD_ERR_LOOKUP, "%s: no symbol %s", dwfl_module_info(sf->mod, NULL, NULL, NULL,
									 NULL, NULL, NULL, NULL), func);
	*addr = s->addr;
	return 0;
}

/* Call sites of the inlined functions around addr, innermost first: the
 * chain `addr2line -i` prints after the line itself. The scopes come from
 * the innermost DIE's parents, so nested inlines whose ranges do not all
 * cover addr are still listed, as eu-addr2line does. */
static size_t inline_callers(Dwfl_Module *mod, uint64_t addr, struct kd_srcloc *out, size_t max)
{
	Dwarf_Addr bias = 0;
	Dwarf_Die *cudie = dwfl_module_addrdie(mod, addr, &bias);
	Dwarf_Die *scopes = NULL, innermost;
	Dwarf_Files *files;
	size_t n = 0;
	int nscopes;

	if (!cudie || dwarf_getscopes(cudie, addr - bias, &scopes) <= 0) {
		free(scopes);
		return 0;
	}
	innermost = scopes[0];
	free(scopes);
	scopes = NULL;
	nscopes = dwarf_getscopes_die(&innermost, &scopes);
	if (nscopes <= 1 || dwarf_getsrcfiles(cudie, &files, NULL) != 0) {
		free(scopes);
		return 0;
	}
	for (int i = 0; i < nscopes - 1 && n < max; i++) {
		Dwarf_Attribute attr;
		Dwarf_Word val;
		const char *src = NULL;
		int line = 0;

		if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
			continue;
		if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &attr), &val) == 0)
			src = dwarf_filesrc(files, val, NULL, NULL);
		if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &attr), &val) == 0)
			line = (int)val;
		out[n++] = (struct kd_srcloc){ src ? src : "??", line };
	}
	free(scopes);
	return n;
}

static size_t srclines_uncached(struct kd_symfile *sf, uint64_t addr, struct kd_srcloc *out,
				size_t max)
{
	Dwfl_Line *line = dwfl_module_getsrc(sf->mod, addr);
	const char *src;
	int lineno = 0;

	if (!line || max == 0)
		return 0;
	src = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
	if (!src)
		return 0;
	out[0] = (struct kd_srcloc){ src, lineno };
	return 1 + inline_callers(sf->mod, addr, out + 1, max - 1);
}

static struct srcline_memo *memo_slot(struct kd_symfile *sf, uint64_t addr)
{
	size_t mask = sf->memo_cap - 1, i = (size_t)(addr * 0x9e3779b97f4a7c15ULL >> 20) & mask;

	while (sf->memo[i].locs && sf->memo[i].addr != addr)
		i = (i + 1) & mask;
	return &sf->memo[i];
}

static bool memo_grow(struct kd_symfile *sf)
{
	struct srcline_memo *old = sf->memo;
	size_t old_cap = sf->memo_cap;

	sf->memo_cap = old_cap ? old_cap * 2 : 64;
	sf->memo = calloc(sf->memo_cap, sizeof(*sf->memo));
	if (!sf->memo) {
		sf->memo = old;
		sf->memo_cap = old_cap;
		return false;
	}
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].locs)
			*memo_slot(sf, old[i].addr) = old[i];
	free(old);
	return true;
}

size_t kd_symfile_srclines(struct kd_symfile *sf, uint64_t addr, struct kd_srcloc *out,
			   size_t max)
{
	struct srcline_memo *m;
	size_t n;

	if (max == 0)
		return 0;
	if (sf->memo_cap) {
		m = memo_slot(sf, addr);
		if (m->locs) {
			n = m->n < max ? m->n : max;
			memcpy(out, m->locs, n * sizeof(*out));
			return n;
		}
	}
	n = srclines_uncached(sf, addr, out, max);
	if ((sf->memo_used + 1) * 2 > sf->memo_cap && !memo_grow(sf))
		return n;
	m = memo_slot(sf, addr);
	/* An empty answer is remembered too: one spare entry marks it. */
	m->locs = malloc((n ? n : 1) * sizeof(*out));
	if (m->locs) {
		memcpy(m->locs, out, n * sizeof(*out));
		m->addr = addr;
		m->n = n;
		sf->memo_used++;
	}
	return n;
}

const char *kd_symfile_symbol_at(struct kd_symfile *sf, uint64_t addr, uint64_t *off,
				 uint64_t *size)
{
	const struct kd_symbol *s;

	if (ensure_index(sf) < 0 || !(s = kd_symbol_index_at(&sf->index, addr, off)))
		return NULL;
	if (size)
		*size = s->size;
	return s->name;
}

const char *kd_symfile_object_at(struct kd_symfile *sf, uint64_t addr, uint64_t *off)
{
	const struct kd_symbol *s;

	if (ensure_index(sf) < 0 || !(s = kd_symbol_index_object_at(&sf->index, addr, off)))
		return NULL;
	return s->name;
}

char kd_symfile_letter(struct kd_symfile *sf, const char *name, uint64_t addr)
{
	const struct kd_symbol *s;

	if (ensure_index(sf) < 0 || !(s = kd_symbol_index_find(&sf->index, name, 0)))
		return '?';
	/* same-named statics: the one at addr */
	for (uint32_t i = 0; addr && s->addr != addr && i < sf->index.nsyms; i++)
		if (strcmp(sf->index.syms[i].name, name) == 0 && sf->index.syms[i].addr == addr)
			s = &sf->index.syms[i];
	return s->letter;
}

int kd_symfile_section(struct kd_symfile *sf, const char *name, const void **data, size_t *len,
		       kd_err *err)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(sf->mod, &bias);
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return kd_fail(err, KD_ERR_CORRUPT, "no ELF section headers");
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *sname;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(sname = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(sname, name) != 0)
			continue;
		if (!(d = elf_getdata(scn, NULL)) || !d->d_buf)
			return kd_fail(err, KD_ERR_CORRUPT, "section %s has no data", name);
		*data = d->d_buf;
		*len = d->d_size;
		return 0;
	}
	return kd_fail(err, KD_ERR_LOOKUP, "no section %s", name);
}

const char *kd_symfile_build_id(struct kd_symfile *sf)
{
	return sf->build_id;
}

/* The file bytes at address addr (section data, file addresses): where
 * they start and how many follow in that section, or NULL. */
static const unsigned char *file_bytes(struct kd_symfile *sf, uint64_t addr, size_t *avail)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(sf->mod, &bias);
	Elf_Scn *scn = NULL;

	if (!elf)
		return NULL;
	addr -= bias;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		if (addr < sh.sh_addr || addr >= sh.sh_addr + sh.sh_size)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			return NULL;
		size_t off = addr - sh.sh_addr;
		*avail = data->d_size > off ? data->d_size - off : 0;
		return (const unsigned char *)data->d_buf + off;
	}
	return NULL;
}

int kd_symfile_read_string(struct kd_symfile *sf, const char *sym, char *buf, size_t len,
			   kd_err *err)
{
	const struct kd_symbol *s;
	const unsigned char *p;
	size_t avail, take;

	if (len == 0)
		return kd_fail(err, KD_ERR_INVALID, "no room for %s", sym);
	if (ensure_index(sf) < 0 || !(s = kd_symbol_index_find(&sf->index, sym, 0)))
		return kd_fail(err, KD_ERR_LOOKUP, "no symbol %s", sym);
	if (!(p = file_bytes(sf, s->addr, &avail)))
		return kd_fail(err, KD_ERR_LOOKUP, "symbol %s is not in a section with file data", sym);
	take = s->size && s->size < avail ? s->size : avail;
	if (take >= len)
		take = len - 1;
	memcpy(buf, p, take);
	buf[take] = '\0';
	return 0;
}

size_t kd_symfile_read(struct kd_symfile *sf, uint64_t addr, void *buf, size_t len)
{
	size_t avail = 0;
	const unsigned char *p = file_bytes(sf, addr, &avail);

	if (!p)
		return 0;
	if (len > avail)
		len = avail;
	memcpy(buf, p, len);
	return len;
}

Dwarf *kd_symfile_dwarf(struct kd_symfile *sf)
{
	Dwarf_Addr bias;

	return dwfl_module_getdwarf(sf->mod, &bias);
}

Dwarf *kd_symfile_dwarf_bias(struct kd_symfile *sf, uint64_t *bias)
{
	Dwarf_Addr b = 0;
	Dwarf *dw = dwfl_module_getdwarf(sf->mod, &b);

	*bias = b;
	return dw;
}

const char *kd_symfile_comp_dir_at(struct kd_symfile *sf, uint64_t addr)
{
	Dwarf_Addr bias;
	Dwarf_Die *cu;
	Dwarf_Attribute attr;

	cu = dwfl_module_addrdie(sf->mod, addr, &bias);
	if (!cu)
		return NULL;
	return dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr));
}

int kd_symfile_cfi(struct kd_symfile *sf, uint64_t addr, struct kd_cfi_rule *out, kd_err *err)
{
	Dwarf_Addr bias;
	Dwarf_CFI *cfi = dwfl_module_dwarf_cfi(sf->mod, &bias);
	Dwarf_Frame *frame = NULL;
	Dwarf_Op *ops, mem[3];
	size_t nops;
	int rc = -1;

	if ((!cfi || dwarf_cfi_addrframe(cfi, addr - bias, &frame) != 0) &&
	    (!(cfi = dwfl_module_eh_cfi(sf->mod, &bias)) ||
	     dwarf_cfi_addrframe(cfi, addr - bias, &frame) != 0))
		return kd_fail(err, KD_ERR_LOOKUP, "no DWARF CFI for 0x%llx", (unsigned long long)addr);
	/* CFA: DW_OP_bregN offset, or DW_OP_bregx reg offset */
	if (dwarf_frame_cfa(frame, &ops, &nops) != 0 || nops != 1 ||
	    !((ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg31) ||
	      ops[0].atom == DW_OP_bregx)) {
		kd_fail(err, KD_ERR_UNSUPPORTED, "DWARF CFI at 0x%llx: CFA is not register + offset",
			(unsigned long long)addr);
		goto out;
	}
	if (ops[0].atom == DW_OP_bregx) {
		out->cfa_reg = (int)ops[0].number;
		out->cfa_offset = (int64_t)ops[0].number2;
	} else {
		out->cfa_reg = ops[0].atom - DW_OP_breg0;
		out->cfa_offset = (int64_t)ops[0].number;
	}
	out->bp_saved = 0;
	/* rbp (DWARF 6): "offset(N)" is DW_OP_call_frame_cfa [DW_OP_plus_uconst N | DW_OP_consts N,
	 * DW_OP_plus]; no ops means undefined or unchanged. */
	if (dwarf_frame_register(frame, 6, mem, &ops, &nops) == 0 && nops >= 1 &&
	    ops[0].atom == DW_OP_call_frame_cfa) {
		if (nops == 1) {
			out->bp_saved = 1;
			out->bp_offset = 0;
		} else if (nops == 2 && ops[1].atom == DW_OP_plus_uconst) {
			out->bp_saved = 1;
			out->bp_offset = (int64_t)ops[1].number;
		} else if (nops == 3 && ops[1].atom == DW_OP_consts && ops[2].atom == DW_OP_plus) {
			out->bp_saved = 1;
			out->bp_offset = (int64_t)ops[1].number;
		}
	}
	rc = 0;
out:
	free(frame);
	return rc;
}
