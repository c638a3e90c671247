/* Loaded modules of the crashed kernel, from the `modules` list: name,
 * state, where their memory is, the symbol table each keeps in memory
 * (kallsyms), and their debug info once found. Read once per kernel and
 * cached in k->modules. */
#ifndef KD_KERNEL_MODULES_H
#define KD_KERNEL_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kernel/kernel.h"

struct kd_symbolizer;
struct kd_symfile;

enum kd_module_state { /* enum module_state */
	KD_MODULE_LIVE,
	KD_MODULE_COMING,   /* running its init: /proc/modules says "Loading" */
	KD_MODULE_GOING,
	KD_MODULE_UNFORMED,
};

struct kd_range {
	uint64_t start, end; /* [start, end); empty when equal */
};

/* One symbol of a module's in-memory symbol table. */
struct kd_module_sym {
	uint64_t addr;
	const char *name;
	char type;           /* nm letter: t T d D r b ... */
};

#define KD_MODULE_REGIONS 8

struct kd_module {
	uint64_t addr;                /* struct module */
	char name[64];
	int state;                    /* enum kd_module_state */
	uint64_t base;                /* text start: the address /proc/modules shows */
	uint64_t size;                /* bytes, counted as /proc/modules does (init included) */
	struct kd_range text;         /* core text */
	struct kd_range init_text;    /* empty once init has run */
	struct kd_range regions[KD_MODULE_REGIONS]; /* all its memory, init included */
	size_t n_regions;
	char build_id[129];           /* GNU build-id from its notes in memory, or "" */
	bool has_kallsyms;            /* keeps a symbol table in memory */
	/* Debug info, once loaded (kd_module_load_debuginfo). */
	char *debug_path;
	struct kd_symfile *debug;
	/* Private to modules.c. */
	struct kd_symbolizer *sz;
	struct kd_module_sym *syms;   /* by address, read on first use */
	size_t n_syms;
	char *sym_names;
	bool syms_read, searched;
};

/* The modules in list order (most recently loaded first); *n is 0 for a
 * kernel without modules. Returns 0, or -1 with err when the list cannot
 * be read. */
int kd_modules(struct kd_kernel *k, struct kd_module **mods, size_t *n, kd_err *err);

/* What k->modules holds; kd_kernel_close frees it. */
struct kd_modules;
void kd_modules_free(struct kd_modules *ms);

/* 6.4+ keeps a module's text, data and rodata apart (struct
 * module_memory), so its base is its text's (crash: TEXT_BASE). */
bool kd_modules_split_memory(struct kd_kernel *k);

/* The module named name ('-' and '_' alike), or NULL with err. */
struct kd_module *kd_module_by_name(struct kd_kernel *k, const char *name, kd_err *err);

/* The module whose memory holds addr, or NULL. */
struct kd_module *kd_module_at(struct kd_kernel *k, uint64_t addr);

/* m's in-memory symbols, by address (read on first use; none when the
 * kernel keeps no symbol table for it). Returns 0, or -1 with err. */
int kd_module_syms(struct kd_kernel *k, struct kd_module *m, const struct kd_module_sym **syms,
		   size_t *n, kd_err *err);

/* The symbol containing addr, from its module's own symbol table (init
 * symbols included while the module is loading, so a crash in init shows
 * as init_module+off), with *off = addr - symbol and *mod its module.
 * NULL when addr is in no module or before the first symbol of its
 * region, as the kernel's own lookup does. */
const struct kd_module_sym *kd_module_symbol_at(struct kd_kernel *k, uint64_t addr,
						struct kd_module **mod, uint64_t *off);

/* How far sym reaches: to the next symbol at a higher address, or the end
 * of its region. */
uint64_t kd_module_symbol_size(struct kd_kernel *k, struct kd_module *m,
			       const struct kd_module_sym *sym);

/* Opens path as m's debug info, replacing any loaded before, after
 * checking it is m's build: the name in its .modinfo and, when the dump
 * holds m's build-id, the build-id; and that it has symbols and DWARF.
 * Its types join the kernel's (kernel/types.h). Returns 0, or -1 with
 * err naming the file and the mismatch. */
int kd_module_load_debuginfo(struct kd_kernel *k, struct kd_module *m, const char *path,
			     kd_err *err);

/* The first NAME.ko* below first_dir (when not NULL), then on the
 * kernel's search path (kd_kernel_add_module_dir, then the release's
 * standard directories); NULL with err saying where it looked. */
const char *kd_module_find_file(struct kd_kernel *k, const char *first_dir, const char *name,
				kd_err *err);

/* Loads the debug info of every module that has none and was not looked
 * for yet, from kd_module_find_file. Files found but refused are said on
 * the kernel's diagnostics stream, once: stripped ones in one line, others
 * (another build, another module) one line each. */
void kd_modules_find_debuginfo(struct kd_kernel *k);

/* The module debug files found so far as "NAME=PATH" (*n; the array
 * and each string malloc'd): a decoder of the log given them reads the
 * same files, whatever they are called. NULL when there are none. */
char **kd_modules_debug_files(struct kd_kernel *k, size_t *n);
/* Modules still without debug info are looked for again on next need
 * (debuginfod switched on). */
void kd_modules_search_again(struct kd_kernel *k);

#endif
