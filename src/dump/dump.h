/* Crash-dump access: physical memory, ELF notes and VMCOREINFO of
 * ELF vmcores (/proc/vmcore copies, makedumpfile -E, QEMU "elf"),
 * kdump-compressed dumps (makedumpfile -c/-l/-p/-z or none, QEMU
 * "kdump-*"), plain or flattened (makedumpfile -F), read in place.
 *
 * A page the dump does not hold is an error that says why (excluded by
 * makedumpfile, memory hole, beyond the dump, file cut short), never
 * zeros. A handle is not thread-safe: it keeps a page cache. */
#ifndef KD_DUMP_DUMP_H
#define KD_DUMP_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct kd_dump;

/* The format is detected from the content, never from the name. */
struct kd_dump *kd_dump_open(const char *path, kd_err *err);
void kd_dump_close(struct kd_dump *d);

/* "ELF vmcore", "QEMU ELF", "kdump-compressed (zlib)",
 * "flattened kdump-compressed (lzo)", "QEMU flattened kdump-compressed
 * (zlib)", "kdump-compressed (uncompressed)", ... */
const char *kd_dump_format(const struct kd_dump *d);

/* Copies len bytes of physical memory at paddr; -1 with the reason when
 * any byte is not in the dump. */
int kd_dump_read_phys(struct kd_dump *d, uint64_t paddr, void *buf, size_t len,
		      kd_err *err);

enum kd_page_state {
	KD_PAGE_DUMPED,   /* readable */
	KD_PAGE_EXCLUDED, /* RAM that makedumpfile (or a QEMU filter) left out */
	KD_PAGE_HOLE,     /* not RAM: a memory hole */
	KD_PAGE_BEYOND,   /* above the dump's last page */
};
/* The dump's page map: whether it holds pfn, without reading the page.
 * Readers need not ask first: a failed read says the same in its error
 * (KD_ERR_FAULT, kd_err.fault.kind). */
enum kd_page_state kd_dump_page_state(struct kd_dump *d, uint64_t pfn);

/* VMCOREINFO text (not NUL-counted in *len, but NUL-terminated), or NULL. */
const char *kd_dump_vmcoreinfo(const struct kd_dump *d, size_t *len);

/* NT_PRSTATUS notes, one per CPU in note order: the raw descriptor
 * (struct elf_prstatus of the dumped kernel). 0, or -1 if cpu is out of
 * range. */
size_t kd_dump_ncpu_notes(const struct kd_dump *d);
int kd_dump_prstatus(const struct kd_dump *d, size_t cpu, const void **desc,
		     size_t *len);

/* The nth note named `name` with type `type` (e.g. "QEMU", 0: QEMU's
 * per-CPU state). 0, or -1 if there is no such note. */
int kd_dump_note(const struct kd_dump *d, const char *name, uint32_t type,
		 size_t nth, const void **desc, size_t *len);

/* [PARTIAL DUMP]: pages were left out on purpose (dump level above 1;
 * for ELF, a PT_LOAD with fewer file bytes than memory bytes). */
int kd_dump_is_filtered(const struct kd_dump *d);

struct kd_dump_info {
	uint32_t page_size;
	uint64_t max_pfn;   /* pfns from here on are beyond the dump */
	int dump_level;     /* makedumpfile -d; -1 when the format has none */
	int incomplete;     /* pages are missing: the writer ran out of space, or
			     * the file is cut short */
	int nr_cpus;        /* header's nr_cpus, else NT_PRSTATUS count */
	int64_t timestamp;  /* kdump header time (s since the epoch), 0 if none */
	int live;           /* /proc/kcore: the running kernel, whose memory
			     * changes between reads */
	/* kdump header utsname; "" when absent (ELF, QEMU) */
	const char *release, *version, *nodename, *machine;
};
const struct kd_dump_info *kd_dump_info(const struct kd_dump *d);

#endif
