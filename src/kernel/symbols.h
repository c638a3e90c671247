/* Addresses to symbols and source lines, and names to symbols: the one
 * place that knows what kernel text is, where a module's symbols come
 * from and how a source path is made whole. bt, sym, the unwinder and
 * every later command ask here. */
#ifndef KD_KERNEL_SYMBOLS_H
#define KD_KERNEL_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"

#define KD_SRCLINE_MAX 32 /* inline chain depth kept */

struct kd_sym {
	const char *name;
	uint64_t start;     /* the symbol's address */
	uint64_t off;       /* the address asked minus start */
	uint64_t size;      /* bytes: the ELF size, or up to a module's next symbol; 0 unknown */
	char type;          /* nm letter from a module's table; '?' for vmlinux's */
	const char *module; /* NULL for vmlinux */
};

/* The symbol whose code or data holds addr: kd_kernel_symbolize's, or a
 * vmlinux data object's (gdb's <init_task+2192>). */
int kd_kernel_symbolize_data(struct kd_kernel *k, uint64_t addr, struct kd_sym *out);

/* addr is vmlinux text ([_text, _etext) or init text), KASLR applied. */
bool kd_kernel_in_text(struct kd_kernel *k, uint64_t addr);

/* The symbol containing addr: vmlinux's own for its text (names elsewhere
 * in vmlinux would be the nearest symbol below plus a meaningless
 * offset), else the module's in-memory symbol table (init symbols too
 * while it loads). 0, or -1 when no symbol names addr. */
int kd_kernel_symbolize(struct kd_kernel *k, uint64_t addr, struct kd_sym *out);

/* The debug file holding addr's code (the vmlinux, or its module's .ko
 * once loaded) and addr's address in that file: a .ko is relocatable, so
 * it goes by symbol + offset. -1 when there is none. */
struct kd_symfile;
int kd_kernel_debug_file(struct kd_kernel *k, uint64_t addr, struct kd_symfile **sf,
			 uint64_t *file_addr);

struct kd_srcline {
	char file[1024];    /* absolute when the CU's comp_dir is known */
	int line;
};

/* addr's source line, then the call sites of the inlined functions around
 * it, innermost first (as `addr2line -i`): from the vmlinux's DWARF, or
 * from the module's .ko once its debug info is loaded. Relative paths are
 * joined to DW_AT_comp_dir as gdb and eu-addr2line join them. Returns the
 * number of entries; 0 when there is no line information. */
size_t kd_kernel_srclines(struct kd_kernel *k, uint64_t addr, struct kd_srcline *out, size_t max);

/* Why addr has no source line, for the one line saying so: the kernel's
 * need its debug vmlinux (the package named), a module's its .ko. */
void kd_kernel_no_lines_hint(struct kd_kernel *k, uint64_t addr, char *buf, size_t len);

/* The text of a source file as DWARF names it (kd_srcline.file), from
 * the directories added, the path itself, or the distribution's kernel
 * source package (source/source.h); owned by k. -1 with err saying where
 * it looked and which package has the sources. */
int kd_kernel_source(struct kd_kernel *k, const char *file, const char **text, size_t *len,
		     const char **from, kd_err *err);
int kd_kernel_add_source_dir(struct kd_kernel *k, const char *dir, kd_err *err);
/* Where kd_kernel_source looks: the directories added (*dirs, *n), then
 * the source package's path (*package; it may not exist). 0, or -1 with
 * err. */
int kd_kernel_source_places(struct kd_kernel *k, const char *const **dirs, size_t *n,
			    const char **package, kd_err *err);

/* The first symbol called name: vmlinux's, else a module's. 0, or -1 with
 * err. */
int kd_kernel_symbol_any(struct kd_kernel *k, const char *name, struct kd_sym *out, kd_err *err);

/* cb for each vmlinux symbol (or the dump's kallsyms') whose name starts
 * with prefix, maybe more than once (Tab completion). */
void kd_kernel_symbol_names(struct kd_kernel *k, const char *prefix,
			    void (*cb)(const char *name, void *arg), void *arg);

/* Calls cb for every symbol called name: vmlinux's, then each module's.
 * A non-zero return from cb stops and is returned; -1 with err when a
 * module's symbols cannot be read. *found counts the calls. */
typedef int (*kd_sym_cb)(const struct kd_sym *s, void *arg);
int kd_kernel_symbols_named(struct kd_kernel *k, const char *name, kd_sym_cb cb, void *arg,
			    size_t *found, kd_err *err);

#endif
