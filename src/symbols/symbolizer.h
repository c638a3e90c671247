/* Symbol + offset -> source lines (with inline chain) for vmlinux and
 * modules, on top of libdwfl. Modules are relocatable .ko files; libdwfl
 * applies their relocations to the DWARF when it lays them out. */
#ifndef KD_SYMBOLS_SYMBOLIZER_H
#define KD_SYMBOLS_SYMBOLIZER_H

#include <stddef.h>
#include <stdint.h>

#include "kdive/kdive.h"

#define KD_SRC_CHAIN_MAX 32

struct kd_srcloc {
	const char *file;  /* owned by the symbolizer (libdw strings) */
	int line;
};

struct kd_symbolizer;
struct kd_symfile;  /* one binary: vmlinux or a module */

struct kd_symbolizer *kd_symbolizer_new(kd_err *err);
void kd_symbolizer_free(struct kd_symbolizer *sz);

/* Opens path (ELF with DWARF; .ko, .ko.xz, .ko.zst, .debug) as `name`.
 * name is "vmlinux" for the kernel, else the module name. */
struct kd_symfile *kd_symbolizer_add(struct kd_symbolizer *sz, const char *name,
				     const char *path, kd_err *err);

/* Says what makes sf useless for source lines: cut short, no symbol
 * table, no DWARF. Returns 0 when it has both. */
int kd_symfile_check(struct kd_symfile *sf, const char *path, kd_err *err);

/* Address of func (choosing among same-named symbols by size when given,
 * 0 = unknown). Returns 0, or -1 with err when func is not in the file. */
int kd_symfile_lookup(struct kd_symfile *sf, const char *func, uint64_t size,
		      uint64_t *addr, kd_err *err);

/* Source line of addr, then the call sites of the inlined functions that
 * contain it, innermost first (like `addr2line -i`). Returns the number of
 * entries (0 when addr has no line info). */
size_t kd_symfile_srclines(struct kd_symfile *sf, uint64_t addr,
			   struct kd_srcloc *out, size_t max);

/* name and offset of the text symbol containing addr (file addresses), or
 * NULL; *size is its ELF size (0 unknown) when size is not NULL. */
const char *kd_symfile_symbol_at(struct kd_symfile *sf, uint64_t addr, uint64_t *off,
				 uint64_t *size);

/* name and offset of the data object holding addr (file addresses), or
 * NULL. */
const char *kd_symfile_object_at(struct kd_symfile *sf, uint64_t addr, uint64_t *off);

/* cb for each symbol of sf's whose name starts with prefix (Tab
 * completion); -1 when sf has no symbol table. */
int kd_symfile_names(struct kd_symfile *sf, const char *prefix, void (*cb)(const char *name, void *arg),
		     void *arg);

/* nm's type letter (T, t, D, d, B, b, R, r, W, V) of the symbol called
 * name at addr, or of the best one called name when addr is 0; '?' when
 * unknown. */
char kd_symfile_letter(struct kd_symfile *sf, const char *name, uint64_t addr);

/* Contents of section `name` (e.g. ".BTF"), or -1 with err. */
int kd_symfile_section(struct kd_symfile *sf, const char *name, const void **data, size_t *len,
		       kd_err *err);

/* GNU build-id as lowercase hex, or "" when the file has none. */
const char *kd_symfile_build_id(struct kd_symfile *sf);

/* Bytes of the object `sym` as stored in the file (e.g. linux_banner), NUL
 * terminated into buf. Returns 0 or -1 with err. */
int kd_symfile_read_string(struct kd_symfile *sf, const char *sym, char *buf,
			   size_t len, kd_err *err);

/* The file's DWARF (libdw), or NULL when it has none. */
typedef struct Dwarf Dwarf;
Dwarf *kd_symfile_dwarf(struct kd_symfile *sf);

/* The same, and what to add to its addresses to get file addresses (0
 * for vmlinux; where libdwfl laid out a module's sections). */
Dwarf *kd_symfile_dwarf_bias(struct kd_symfile *sf, uint64_t *bias);
/* Up to len bytes of the file's section data at file address addr (code,
 * for instruction boundaries): how many the section holds from there. */
size_t kd_symfile_read(struct kd_symfile *sf, uint64_t addr, void *buf, size_t len);
/* Compilation directory of the CU containing file address addr, or NULL. */
const char *kd_symfile_comp_dir_at(struct kd_symfile *sf, uint64_t addr);

/* One frame's unwind rule from DWARF CFI (.debug_frame, else .eh_frame),
 * for code that has no ORC data: the caller's stack pointer (CFA) is
 * DWARF register cfa_reg (7 rsp, 6 rbp) + cfa_offset; the return address
 * is at CFA - 8; rbp was saved at CFA + bp_offset when bp_saved. */
struct kd_cfi_rule {
	int cfa_reg;
	int64_t cfa_offset;
	int bp_saved;
	int64_t bp_offset;
};

/* The rule at file address addr. Returns 0, or -1 with err when the file
 * has no CFI for addr or the rule is not of that simple form. */
int kd_symfile_cfi(struct kd_symfile *sf, uint64_t addr, struct kd_cfi_rule *out, kd_err *err);

#endif
