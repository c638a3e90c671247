/* Internals shared by the dump readers. */
#ifndef KD_DUMP_INT_H
#define KD_DUMP_INT_H

#include <sys/types.h>

#include "base/bytes.h"
#include "dump/dump.h"

/* The bytes a reader parses: the dump file itself, or the logical
 * kdump/ELF file that a flattened file describes. */
struct kd_src {
	const char *name;  /* the path, for messages */
	int fd;
	uint64_t size;     /* readable (logical) bytes */
	uint64_t stored;   /* bytes really in the file: caps header-sized allocations */
	/* Reads [off, off + len), already checked against size. */
	int (*read)(struct kd_src *s, uint64_t off, void *buf, size_t len,
		    const char *what, kd_err *err);
	struct kd_flat *flat;
};

/* Reads len bytes at off; past the end it fails with "truncated at ...:
 * <what> needs N more bytes". */
int kd_src_read(struct kd_src *s, uint64_t off, void *buf, size_t len,
		const char *what, kd_err *err);
/* The same check without reading: 0 if [off, off + len) is readable. */
int kd_src_check(const struct kd_src *s, uint64_t off, uint64_t len,
		 const char *what, kd_err *err);
/* pread of the file itself, all or an error: the plain source's read. */
int kd_pread(struct kd_src *s, uint64_t off, void *buf, size_t len,
	     const char *what, kd_err *err);

/* Indexes the flattened file s->fd (s->name, s->stored set) and turns s
 * into a view of the logical file it describes. */
int kd_flat_open(struct kd_src *s, kd_err *err);
void kd_flat_free(struct kd_flat *f);
/* The error for logical bytes [from, to) that the flattened file lacks. */
int kd_flat_missing(const struct kd_src *s, uint64_t from, uint64_t to,
		    const char *what, kd_err *err);

struct kd_note {
	const char *name; /* not NUL-terminated */
	size_t namelen;   /* without trailing NULs */
	uint32_t type;
	const void *desc;
	size_t len;
};

struct kd_dump_ops {
	/* Copies the first bytes of [paddr, paddr + len) that sit together
	 * in the dump (at least one); returns how many, or -1. */
	ssize_t (*read)(struct kd_dump *d, uint64_t paddr, void *buf, size_t len,
			kd_err *err);
	enum kd_page_state (*page_state)(struct kd_dump *d, uint64_t pfn);
	void (*free)(void *impl);
};

struct kd_dump {
	struct kd_src src;
	const struct kd_dump_ops *ops;
	void *impl;
	char format[64];
	int filtered;
	struct kd_dump_info info;
	char uts[4][66];
	unsigned char *notes_buf;
	struct kd_note *notes;
	size_t nnotes;
	char *vmcoreinfo;
	size_t vmcoreinfo_len;
};

/* Each reader fills ops, impl, format, info, notes and vmcoreinfo. */
int kd_elf_open(struct kd_dump *d, kd_err *err);
int kd_diskdump_open(struct kd_dump *d, kd_err *err);

/* Reads the note segments range[i] = {offset, length} and indexes them. */
int kd_notes_load(struct kd_dump *d, const uint64_t (*range)[2], size_t nrange,
		  kd_err *err);
/* Finds the nth note; NULL if none. */
const struct kd_note *kd_notes_find(const struct kd_dump *d, const char *name,
				    uint32_t type, size_t nth);
/* Keeps a copy of VMCOREINFO text (trailing NULs dropped). */
int kd_dump_set_vmcoreinfo(struct kd_dump *d, const void *text, size_t len,
			   kd_err *err);
/* Reads VMCOREINFO text from the dump and keeps it. */
int kd_dump_load_vmcoreinfo(struct kd_dump *d, uint64_t off, uint64_t len,
			    kd_err *err);
/* Takes PAGESIZE= from VMCOREINFO; 4096 without it. */
uint32_t kd_vmcoreinfo_page_size(const struct kd_dump *d);

/* Decompresses one page stored with kdump flag `flags` (zlib, lzo,
 * snappy or zstd); NULL on success, else why it failed. */
const char *kd_page_decompress(uint32_t flags, const void *in, size_t inlen,
			       void *page, size_t page_size);
/* "zlib", "lzo", "snappy", "zstd", or NULL for another flag set. */
const char *kd_page_codec_name(uint32_t flags);

/* Direct-mapped cache of whole pages, keyed by pfn. */
struct kd_page_cache;
struct kd_page_cache *kd_page_cache_new(size_t page_size);
void kd_page_cache_free(struct kd_page_cache *c);
const void *kd_page_cache_get(struct kd_page_cache *c, uint64_t pfn);
/* The slot for pfn, emptied; kd_page_cache_fill makes it valid once the
 * caller has written the page into it. */
void *kd_page_cache_slot(struct kd_page_cache *c, uint64_t pfn);
void kd_page_cache_fill(struct kd_page_cache *c, uint64_t pfn);

static inline uint64_t kd_be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

#endif
