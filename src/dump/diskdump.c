/* kdump-compressed dumps (makedumpfile, QEMU "kdump-*"), read through a
 * byte source so the flattened format runs on the same code.
 *
 * Layout, in blocks of block_size bytes: block 0 the disk_dump_header,
 * then sub_hdr_size blocks of kdump_sub_header (+ ELF notes, VMCOREINFO),
 * then bitmap_blocks blocks holding two bitmaps (1st: pfn is RAM, 2nd: pfn
 * is dumped), then one page_desc {offset, size, flags, page_flags} per
 * dumped pfn in pfn order, then the page data. A rank index over the 2nd
 * bitmap finds the descriptor of pfn N in O(1). Integers are the dumped
 * machine's; only 64-bit little-endian layouts are read. */
#include "dump/dump_int.h"

#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* disk_dump_header field offsets (64-bit: timeval is 16 bytes at 408) */
enum {
	DH_VERSION = 8, DH_UTSNAME = 12, DH_TIMESTAMP = 408, DH_STATUS = 424,
	DH_BLOCK_SIZE = 428, DH_SUB_HDR_SIZE = 432, DH_BITMAP_BLOCKS = 436,
	DH_MAX_MAPNR = 440, DH_NR_CPUS = 460, DH_SIZE = 464,
};
/* kdump_sub_header field offsets */
enum {
	SH_DUMP_LEVEL = 8, SH_SPLIT = 12, SH_OFFSET_VMCOREINFO = 32,
	SH_SIZE_VMCOREINFO = 40, SH_OFFSET_NOTE = 48, SH_SIZE_NOTE = 56,
	SH_MAX_MAPNR_64 = 96, SH_SIZE = 104,
};
/* the sub-header grew with header_version */
static const uint8_t sub_size[] = {8, 12, 32, 48, 64, 80, SH_SIZE};

#define DUMP_DH_COMPRESSED_ZLIB 0x1
#define DUMP_DH_COMPRESSED_LZO 0x2
#define DUMP_DH_COMPRESSED_SNAPPY 0x4
#define DUMP_DH_COMPRESSED_INCOMPLETE 0x8
#define DUMP_DH_COMPRESSED_ZSTD 0x20
#define CODECS (DUMP_DH_COMPRESSED_ZLIB | DUMP_DH_COMPRESSED_LZO | \
		DUMP_DH_COMPRESSED_SNAPPY | DUMP_DH_COMPRESSED_ZSTD)
#define PD_SIZE 24
#define RANK_WORDS 8 /* one cumulative count per 512 pfns */

struct diskdump {
	uint32_t block_size;
	uint64_t max_mapnr;
	uint64_t bitmap1;  /* file offset of the 1st bitmap */
	uint64_t *ram;     /* the 1st bitmap, read on first need */
	int ram_state;     /* 0 not read yet, 1 read, -1 unreadable */
	uint64_t *bits;    /* the 2nd bitmap */
	uint64_t *rank;    /* dumped pfns before each RANK_WORDS-word block */
	uint64_t descs;    /* file offset of the page descriptors */
	int out_of_space;  /* makedumpfile stopped writing: DUMP_DH_COMPRESSED_INCOMPLETE */
	struct kd_page_cache *cache;
	unsigned char *zbuf; /* one compressed page */
};

static void dd_free(void *impl)
{
	struct diskdump *dd = impl;

	if (!dd)
		return;
	free(dd->ram);
	free(dd->bits);
	free(dd->rank);
	kd_page_cache_free(dd->cache);
	free(dd->zbuf);
	free(dd);
}

static uint64_t rank_of(const struct diskdump *dd, uint64_t pfn)
{
	uint64_t w = pfn / 64, r = dd->rank[w / RANK_WORDS];

	for (uint64_t i = w - w % RANK_WORDS; i < w; i++)
		r += (uint64_t)__builtin_popcountll(dd->bits[i]);
	return r + (uint64_t)__builtin_popcountll(dd->bits[w] & ((1ull << (pfn % 64)) - 1));
}

static int bit(const uint64_t *map, uint64_t pfn)
{
	return map[pfn / 64] >> (pfn % 64) & 1;
}

/* Reads a bitmap of max_mapnr bits at off into 64-bit words. */
static uint64_t *read_bitmap(struct kd_dump *d, uint64_t off, const char *what,
			     kd_err *err)
{
	const struct diskdump *dd = d->impl;
	uint64_t bytes = dd->max_mapnr / 8 + (dd->max_mapnr % 8 != 0);
	uint64_t words = dd->max_mapnr / 64 + (dd->max_mapnr % 64 != 0);
	uint64_t *map;

	if (kd_src_check(&d->src, off, bytes, what, err) < 0)
		return NULL;
	map = calloc(words, sizeof(*map));
	if (!map) {
		kd_fail(err, KD_ERR_NOMEM, "%s: out of memory for the %s (0x%" PRIx64 " pages)", d->src.name,
			what, dd->max_mapnr);
		return NULL;
	}
	if (kd_src_read(&d->src, off, map, bytes, what, err) < 0) {
		free(map);
		return NULL;
	}
	for (uint64_t w = 0; w < words; w++)
		map[w] = le64toh(map[w]);
	if (dd->max_mapnr % 64) /* bits past max_mapnr are no pages */
		map[words - 1] &= (1ull << (dd->max_mapnr % 64)) - 1;
	return map;
}

static enum kd_page_state dd_page_state(struct kd_dump *d, uint64_t pfn)
{
	struct diskdump *dd = d->impl;

	if (bit(dd->bits, pfn))
		return KD_PAGE_DUMPED;
	/* the 1st bitmap only tells holes from excluded pages: read it late */
	if (!dd->ram_state) {
		dd->ram = read_bitmap(d, dd->bitmap1, "1st bitmap", NULL);
		dd->ram_state = dd->ram ? 1 : -1;
	}
	if (dd->ram_state < 0)
		return KD_PAGE_EXCLUDED;
	return bit(dd->ram, pfn) ? KD_PAGE_EXCLUDED : KD_PAGE_HOLE;
}

static int absent(struct kd_dump *d, uint64_t paddr, kd_err *err)
{
	const struct diskdump *dd = d->impl;
	uint64_t pfn = paddr / dd->block_size, page = pfn * dd->block_size;

	switch (kd_dump_page_state(d, pfn)) {
	case KD_PAGE_BEYOND:
		return kd_fault(err, KD_FAULT_BEYOND, paddr, "%s: physical address 0x%" PRIx64 " is beyond the end of "
			       "the dump (max_mapnr 0x%" PRIx64 ": memory ends at 0x%" PRIx64 ")",
			       d->src.name, paddr, dd->max_mapnr, dd->max_mapnr * dd->block_size);
	case KD_PAGE_HOLE:
		return kd_fault(err, KD_FAULT_HOLE, paddr, "%s: physical page 0x%" PRIx64 " is not in the dump: it is "
			       "not RAM (a memory hole)", d->src.name, page);
	default:
		return kd_fault(err, KD_FAULT_EXCLUDED, paddr, "%s: physical page 0x%" PRIx64 " was excluded by "
			       "makedumpfile (dump level %d)", d->src.name, page,
			       d->info.dump_level);
	}
}

/* Decodes the page at pfn into the cache; NULL with the reason. */
static const unsigned char *load_page(struct kd_dump *d, uint64_t pfn, kd_err *err)
{
	struct diskdump *dd = d->impl;
	unsigned char pd[PD_SIZE], *page;
	uint64_t paddr = pfn * dd->block_size, off;
	uint32_t size, flags, codec;
	const char *why;
	char what[80];

	snprintf(what, sizeof(what), "page descriptor of physical page 0x%" PRIx64, paddr);
	if (kd_src_read(&d->src, dd->descs + rank_of(dd, pfn) * PD_SIZE, pd, PD_SIZE,
			what, err) < 0)
		return NULL;
	off = kd_le64(pd);
	size = kd_le32(pd + 8);
	flags = kd_le32(pd + 12);
	codec = flags & CODECS;
	if (!off && !size && dd->out_of_space) {
		kd_fault(err, KD_FAULT_TRUNCATED, paddr, "%s: physical page 0x%" PRIx64 " was never written: the dump is "
			"incomplete (makedumpfile ran out of space)", d->src.name, paddr);
		return NULL;
	}
	if (!size || size > dd->block_size || (!codec && size != dd->block_size) ||
	    (codec & (codec - 1))) {
		kd_fail(err, KD_ERR_CORRUPT, "%s: %s is corrupt (offset 0x%" PRIx64 ", size 0x%x, flags 0x%x; "
			"page size 0x%x)", d->src.name, what, off, size, flags, dd->block_size);
		return NULL;
	}
	snprintf(what, sizeof(what), "data of physical page 0x%" PRIx64, paddr);
	page = kd_page_cache_slot(dd->cache, pfn);
	if (kd_src_read(&d->src, off, codec ? dd->zbuf : page, size, what, err) < 0)
		return NULL;
	if (codec && (why = kd_page_decompress(codec, dd->zbuf, size, page, dd->block_size))) {
		kd_fail(err, KD_ERR_CORRUPT, "%s: physical page 0x%" PRIx64 ": its %s data (0x%x bytes at 0x%"
			PRIx64 ") %s", d->src.name, paddr, kd_page_codec_name(codec), size, off,
			why);
		return NULL;
	}
	kd_page_cache_fill(dd->cache, pfn);
	return page;
}

static ssize_t dd_read(struct kd_dump *d, uint64_t paddr, void *buf, size_t len,
		       kd_err *err)
{
	struct diskdump *dd = d->impl;
	uint64_t pfn = paddr / dd->block_size;
	size_t in = (size_t)(paddr % dd->block_size), n = dd->block_size - in;
	const unsigned char *page;

	if (pfn >= dd->max_mapnr || !bit(dd->bits, pfn))
		return absent(d, paddr, err);
	page = kd_page_cache_get(dd->cache, pfn);
	if (!page && !(page = load_page(d, pfn, err)))
		return -1;
	if (n > len)
		n = len;
	memcpy(buf, page + in, n);
	return (ssize_t)n;
}

/* Whether the file ends before the data of the last pages: a copy cut
 * short. Page data follows pfn order, except that every zero page shares
 * one copy at the start, so the highest end among the last descriptors
 * is the end of the data. */
static int cut_short(struct kd_dump *d, const struct diskdump *dd, uint64_t ndumped)
{
	unsigned char pd[256 * PD_SIZE];
	uint64_t n = ndumped < 256 ? ndumped : 256, end = 0;

	if (kd_src_read(&d->src, dd->descs + (ndumped - n) * PD_SIZE, pd, n * PD_SIZE,
			"last page descriptors", NULL) < 0)
		return 1;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t e = kd_le64(pd + i * PD_SIZE) + kd_le32(pd + i * PD_SIZE + 8);
		if (e > end)
			end = e;
	}
	return kd_src_check(&d->src, 0, end, "page data", NULL) < 0;
}

static const struct kd_dump_ops dd_ops = {
	.read = dd_read,
	.page_state = dd_page_state,
	.free = dd_free,
};

/* Reads the 2nd bitmap and builds the rank index. */
static int load_bitmap(struct kd_dump *d, struct diskdump *dd, uint64_t off,
		       uint64_t *ndumped, kd_err *err)
{
	uint64_t words = dd->max_mapnr / 64 + (dd->max_mapnr % 64 != 0), total = 0;

	dd->bits = read_bitmap(d, off, "2nd bitmap", err);
	if (!dd->bits)
		return -1;
	dd->rank = malloc((words / RANK_WORDS + 1) * sizeof(*dd->rank));
	if (!dd->rank)
		return kd_fail(err, KD_ERR_NOMEM, "%s: out of memory for the rank index", d->src.name);
	for (uint64_t w = 0; w < words; w++) {
		if (w % RANK_WORDS == 0)
			dd->rank[w / RANK_WORDS] = total;
		total += (uint64_t)__builtin_popcountll(dd->bits[w]);
	}
	*ndumped = total;
	return 0;
}

/* utsname fields (sysname, nodename, release, version, machine) in the
 * order of d->uts: release, version, nodename, machine */
static const int uts_field[4] = {2, 3, 1, 4};

static void copy_field(char *dst, const unsigned char *src)
{
	memcpy(dst, src, 65);
	dst[65] = '\0';
}

static int set_format(struct kd_dump *d, uint32_t status, kd_err *err)
{
	uint32_t codec = status & CODECS;
	const char *name = codec ? kd_page_codec_name(codec) : "uncompressed";

	if (!name)
		return kd_fail(err, KD_ERR_UNSUPPORTED, "%s: kdump header status 0x%x names an unknown compression",
			       d->src.name, status);
	snprintf(d->format, sizeof(d->format), "%s%skdump-compressed (%s)",
		 kd_notes_find(d, "QEMU", 0, 0) ? "QEMU " : "",
		 d->src.flat ? "flattened " : "", name);
	return 0;
}

/* Notes and VMCOREINFO from the sub-header (header_version 3 and 4). */
static int load_notes(struct kd_dump *d, int version, const unsigned char *sh,
		      kd_err *err)
{
	uint64_t note[1][2] = {{kd_le64(sh + SH_OFFSET_NOTE), kd_le64(sh + SH_SIZE_NOTE)}};
	uint64_t vmci_off = kd_le64(sh + SH_OFFSET_VMCOREINFO);
	uint64_t vmci_len = kd_le64(sh + SH_SIZE_VMCOREINFO);
	const struct kd_note *n;

	if (version >= 4 && note[0][0] && note[0][1] &&
	    kd_notes_load(d, (const uint64_t (*)[2])note, 1, err) < 0)
		return -1;
	if (version >= 3 && vmci_off && vmci_len)
		return kd_dump_load_vmcoreinfo(d, vmci_off, vmci_len, err);
	n = kd_notes_find(d, "VMCOREINFO", 0, 0);
	return n ? kd_dump_set_vmcoreinfo(d, n->desc, n->len, err) : 0;
}

int kd_diskdump_open(struct kd_dump *d, kd_err *err)
{
	unsigned char h[DH_SIZE], sh[SH_SIZE] = {0};
	struct diskdump *dd;
	int32_t version;
	uint32_t status, sub_blocks, bitmap_blocks;
	uint64_t ndumped = 0, bitmap, bitmap_bytes, map_bytes, table;

	if (kd_src_read(&d->src, 0, h, sizeof(h), "kdump header", err) < 0)
		return -1;
	version = (int32_t)kd_le32(h + DH_VERSION);
	status = kd_le32(h + DH_STATUS);
	sub_blocks = kd_le32(h + DH_SUB_HDR_SIZE);
	bitmap_blocks = kd_le32(h + DH_BITMAP_BLOCKS);
	if (version < 0)
		return kd_fail(err, KD_ERR_UNSUPPORTED, "%s: kdump header version %d is not supported",
			       d->src.name, version);
	dd = calloc(1, sizeof(*dd));
	if (!dd)
		return kd_fail(err, KD_ERR_NOMEM, "%s: out of memory", d->src.name);
	d->ops = &dd_ops;
	d->impl = dd;
	dd->block_size = kd_le32(h + DH_BLOCK_SIZE);
	if (dd->block_size < 512 || dd->block_size > (1u << 20) ||
	    (dd->block_size & (dd->block_size - 1)))
		return kd_fail(err, KD_ERR_CORRUPT, "%s: kdump header at 0x%x: block size 0x%x is not a power "
			       "of two from 512 bytes to 1 MiB", d->src.name, DH_BLOCK_SIZE,
			       dd->block_size);
	if (kd_src_read(&d->src, dd->block_size, sh, sub_size[version < 6 ? version : 6],
			"kdump sub-header", err) < 0)
		return -1;
	if (version >= 2 && kd_le32(sh + SH_SPLIT))
		return kd_fail(err, KD_ERR_UNSUPPORTED, "%s: one part of a split dump (makedumpfile --split): not "
			       "supported; join the parts with makedumpfile --reassemble",
			       d->src.name);
	dd->max_mapnr = version >= 6 ? kd_le64(sh + SH_MAX_MAPNR_64) : kd_le32(h + DH_MAX_MAPNR);
	if (!dd->max_mapnr)
		return kd_fail(err, KD_ERR_CORRUPT, "%s: kdump header: max_mapnr is 0", d->src.name);
	/* one bitmap, or two (partial dump): crash's rule */
	bitmap = (1 + (uint64_t)sub_blocks) * dd->block_size;
	bitmap_bytes = (uint64_t)bitmap_blocks * dd->block_size;
	map_bytes = dd->max_mapnr / 8 + (dd->max_mapnr % 8 != 0);
	dd->bitmap1 = bitmap;
	if (bitmap_blocks / 2 >= map_bytes / dd->block_size + (map_bytes % dd->block_size != 0))
		bitmap += bitmap_bytes / 2;
	else if (bitmap_bytes < map_bytes)
		return kd_fail(err, KD_ERR_CORRUPT, "%s: kdump bitmap of 0x%x blocks cannot cover max_mapnr "
			       "0x%" PRIx64, d->src.name, bitmap_blocks, dd->max_mapnr);
	/* in file order, so that a cut-short file names the first part it lacks */
	if (load_notes(d, version, sh, err) < 0 || load_bitmap(d, dd, bitmap, &ndumped, err) < 0)
		return -1;
	dd->descs = (1 + (uint64_t)sub_blocks + bitmap_blocks) * dd->block_size;
	if (__builtin_mul_overflow(ndumped, PD_SIZE, &table))
		table = UINT64_MAX;
	if (kd_src_check(&d->src, dd->descs, table, "page descriptor table", err) < 0)
		return -1;
	dd->cache = kd_page_cache_new(dd->block_size);
	dd->zbuf = malloc(dd->block_size);
	if (!dd->cache || !dd->zbuf)
		return kd_fail(err, KD_ERR_NOMEM, "%s: out of memory for the page cache", d->src.name);
	if (set_format(d, status, err) < 0)
		return -1;
	for (int i = 0; i < 4; i++)
		copy_field(d->uts[i], h + DH_UTSNAME + 65 * uts_field[i]);
	d->info.page_size = dd->block_size;
	d->info.max_pfn = dd->max_mapnr;
	d->info.dump_level = version >= 1 ? (int32_t)kd_le32(sh + SH_DUMP_LEVEL) : -1;
	/* level 1 drops only zero pages, which this format still maps */
	d->filtered = d->info.dump_level > 1;
	dd->out_of_space = !!(status & DUMP_DH_COMPRESSED_INCOMPLETE);
	d->info.incomplete = dd->out_of_space || cut_short(d, dd, ndumped);
	d->info.nr_cpus = (int32_t)kd_le32(h + DH_NR_CPUS);
	d->info.timestamp = (int64_t)kd_le64(h + DH_TIMESTAMP);
	return 0;
}
