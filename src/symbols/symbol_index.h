/* Name -> symbols hash over one module's ELF symbol table. Built once per
 * module on first lookup: a vmlinux has ~150k text symbols and decoding a
 * trace asks for a handful, so a hash beats libdwfl's linear scan. */
#ifndef KD_SYMBOLS_SYMBOL_INDEX_H
#define KD_SYMBOLS_SYMBOL_INDEX_H

#include <elfutils/libdwfl.h>
#include <stdint.h>

struct kd_symbol {
	const char *name;  /* libdwfl's string, valid while the Dwfl lives */
	uint64_t addr;
	uint64_t size;
	unsigned char type; /* STT_FUNC, STT_NOTYPE or STT_OBJECT */
	char letter;        /* nm's: T t D d B b R r W V, from binding and section */
};

struct kd_symbol_index {
	struct kd_symbol *syms;
	uint32_t nsyms;
	uint32_t *slots;    /* open addressing, index+1, 0 = empty */
	uint32_t nslots;    /* power of two */
	uint32_t *by_addr;  /* text symbols sorted by address, built on demand */
	uint32_t ntext;
	uint32_t *by_obj;   /* data objects sorted by address, built on demand */
	uint32_t nobj;
};

/* Returns 0, or -1 when the module has no symbol table / out of memory. */
int kd_symbol_index_build(struct kd_symbol_index *ix, Dwfl_Module *mod);
void kd_symbol_index_free(struct kd_symbol_index *ix);

/* The best symbol named `name`: one whose size equals `size` if any (the
 * kernel prints func+off/SIZE, which tells same-named statics apart), and
 * a function over a no-type label over an object. NULL if none. */
const struct kd_symbol *kd_symbol_index_find(const struct kd_symbol_index *ix,
					     const char *name, uint64_t size);

/* The text symbol containing addr (the last one starting at or below it),
 * with *off = addr - start. NULL below the first symbol. */
const struct kd_symbol *kd_symbol_index_at(struct kd_symbol_index *ix, uint64_t addr,
					   uint64_t *off);

/* The data object whose bytes hold addr, with *off = addr - start. */
const struct kd_symbol *kd_symbol_index_object_at(struct kd_symbol_index *ix, uint64_t addr,
						  uint64_t *off);

#endif
