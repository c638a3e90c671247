/* ELF64 little-endian core dumps: /proc/vmcore copies, makedumpfile -E
 * and QEMU's "elf" format. PT_LOAD segments map physical addresses to the
 * file; the bytes between p_filesz and p_memsz are not in the file
 * (makedumpfile -E puts runs of 256+ excluded pages there; QEMU its
 * filtered-out memory). Segments may overlap: /proc/vmcore maps the
 * kernel image twice (text mapping and direct map). /proc/kcore is read
 * the same way: its RAM and kernel-text segments carry their physical
 * address; the others (vmalloc, modules, vmemmap) have p_paddr -1 and are
 * reached through the page tables instead. */
#include "dump/dump_int.h"

#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seg {
	uint64_t paddr, memsz, filesz, offset;
};

struct elf_dump {
	struct seg *seg; /* sorted by paddr */
	uint64_t *maxend; /* maxend[i]: highest end among seg[0..i] */
	size_t nseg;
};

static void elf_free(void *impl)
{
	struct elf_dump *e = impl;

	if (!e)
		return;
	free(e->seg);
	free(e->maxend);
	free(e);
}

static int seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

/* The segment holding paddr in the file, or NULL; then *mem_only is one
 * that covers paddr in memory only, if any. */
static const struct seg *find(const struct elf_dump *e, uint64_t paddr,
			      const struct seg **mem_only)
{
	size_t lo = 0, hi = e->nseg;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e->seg[mid].paddr <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	*mem_only = NULL;
	/* earlier segments can only cover paddr while their max end is above it */
	for (size_t i = lo; i-- > 0 && e->maxend[i] > paddr;) {
		const struct seg *s = &e->seg[i];
		if (paddr - s->paddr < s->filesz)
			return s;
		if (paddr - s->paddr < s->memsz)
			*mem_only = s;
	}
	return NULL;
}

static int absent(const struct kd_dump *d, uint64_t paddr, const struct seg *mem_only,
		  kd_err *err)
{
	const struct elf_dump *e = d->impl;
	uint64_t end = e->nseg ? e->maxend[e->nseg - 1] : 0;

	if (mem_only)
		return kd_fault(err, KD_FAULT_EXCLUDED, paddr, "%s: physical page 0x%" PRIx64 " was excluded from the "
			       "dump (PT_LOAD 0x%" PRIx64 "-0x%" PRIx64 " keeps only its first "
			       "0x%" PRIx64 " bytes in the file: filtered when the dump was made)",
			       d->src.name, paddr & ~(uint64_t)(d->info.page_size - 1),
			       mem_only->paddr, mem_only->paddr + mem_only->memsz,
			       mem_only->filesz);
	if (paddr >= end)
		return kd_fault(err, KD_FAULT_BEYOND, paddr, "%s: physical address 0x%" PRIx64 " is beyond the end of "
			       "the dump (memory ends at 0x%" PRIx64 ")", d->src.name, paddr, end);
	return kd_fault(err, KD_FAULT_HOLE, paddr, "%s: physical address 0x%" PRIx64 " is in a memory hole "
		       "(no PT_LOAD segment covers it)", d->src.name, paddr);
}

static ssize_t elf_read(struct kd_dump *d, uint64_t paddr, void *buf, size_t len,
			kd_err *err)
{
	const struct seg *mem_only, *s = find(d->impl, paddr, &mem_only);
	uint64_t n;
	char what[64];

	if (!s)
		return absent(d, paddr, mem_only, err);
	n = s->paddr + s->filesz - paddr;
	if (n > len)
		n = len;
	snprintf(what, sizeof(what), "data of physical address 0x%" PRIx64, paddr);
	if (kd_src_read(&d->src, s->offset + (paddr - s->paddr), buf, n, what, err) < 0)
		return -1;
	return (ssize_t)n;
}

static enum kd_page_state elf_page_state(struct kd_dump *d, uint64_t pfn)
{
	const struct seg *mem_only;

	if (find(d->impl, pfn * d->info.page_size, &mem_only))
		return KD_PAGE_DUMPED;
	return mem_only ? KD_PAGE_EXCLUDED : KD_PAGE_HOLE;
}

static const struct kd_dump_ops elf_ops = {
	.read = elf_read,
	.page_state = elf_page_state,
	.free = elf_free,
};

/* e_phnum, or with PN_XNUM the real count from section header 0's sh_info. */
static int phnum_of(struct kd_dump *d, const unsigned char *eh, uint64_t *phnum,
		    kd_err *err)
{
	unsigned char sh[sizeof(Elf64_Shdr)];

	*phnum = kd_le16(eh + offsetof(Elf64_Ehdr, e_phnum));
	if (*phnum != PN_XNUM)
		return 0;
	if (kd_src_read(&d->src, kd_le64(eh + offsetof(Elf64_Ehdr, e_shoff)), sh,
			sizeof(sh), "section header 0 (e_phnum is PN_XNUM)", err) < 0)
		return -1;
	*phnum = kd_le32(sh + offsetof(Elf64_Shdr, sh_info));
	return 0;
}

/* Reads the program headers: PT_LOADs into e, PT_NOTE ranges into *notes. */
static int load_phdrs(struct kd_dump *d, struct elf_dump *e, const unsigned char *eh,
		      uint64_t (**notes)[2], size_t *nnotes, kd_err *err)
{
	uint64_t phoff = kd_le64(eh + offsetof(Elf64_Ehdr, e_phoff)), phnum;
	unsigned char *ph;
	int rc = -1;

	if (kd_le16(eh + offsetof(Elf64_Ehdr, e_phentsize)) != sizeof(Elf64_Phdr))
		return kd_fail(err, KD_ERR_CORRUPT, "%s: ELF header: e_phentsize is %u, expected %zu",
			       d->src.name, kd_le16(eh + offsetof(Elf64_Ehdr, e_phentsize)),
			       sizeof(Elf64_Phdr));
	if (phnum_of(d, eh, &phnum, err) < 0)
		return -1;
	if (!phnum)
		return kd_fail(err, KD_ERR_CORRUPT, "%s: ELF core without program headers", d->src.name);
	if (kd_src_check(&d->src, phoff, phnum * sizeof(Elf64_Phdr), "program headers",
			 err) < 0)
		return -1;
	ph = malloc(phnum * sizeof(Elf64_Phdr));
	e->seg = calloc(phnum, sizeof(*e->seg));
	*notes = calloc(phnum, sizeof(**notes));
	if (!ph || !e->seg || !*notes) {
		kd_fail(err, KD_ERR_NOMEM, "%s: out of memory for %" PRIu64 " program headers", d->src.name,
			phnum);
		goto out;
	}
	if (kd_src_read(&d->src, phoff, ph, phnum * sizeof(Elf64_Phdr), "program headers",
			err) < 0)
		goto out;
	for (uint64_t i = 0; i < phnum; i++) {
		const unsigned char *p = ph + i * sizeof(Elf64_Phdr);
		uint32_t type = kd_le32(p + offsetof(Elf64_Phdr, p_type));
		struct seg s = {
			.paddr = kd_le64(p + offsetof(Elf64_Phdr, p_paddr)),
			.memsz = kd_le64(p + offsetof(Elf64_Phdr, p_memsz)),
			.filesz = kd_le64(p + offsetof(Elf64_Phdr, p_filesz)),
			.offset = kd_le64(p + offsetof(Elf64_Phdr, p_offset)),
		};

		if (type == PT_NOTE && s.filesz) {
			(*notes)[*nnotes][0] = s.offset;
			(*notes)[(*nnotes)++][1] = s.filesz;
		}
		if (type != PT_LOAD || !s.memsz || s.paddr == UINT64_MAX)
			continue;
		if (s.filesz > s.memsz || s.paddr + s.memsz < s.paddr ||
		    s.offset + s.filesz < s.offset) {
			kd_fail(err, KD_ERR_CORRUPT, "%s: PT_LOAD %" PRIu64 " is corrupt (paddr 0x%" PRIx64
				", offset 0x%" PRIx64 ", filesz 0x%" PRIx64 ", memsz 0x%" PRIx64 ")",
				d->src.name, i, s.paddr, s.offset, s.filesz, s.memsz);
			goto out;
		}
		if (s.filesz < s.memsz)
			d->filtered = 1;
		/* QEMU writes p_offset -1 for memory it filtered out (p_filesz 0) */
		if (s.filesz && kd_src_check(&d->src, s.offset, s.filesz, "PT_LOAD data", NULL) < 0)
			d->info.incomplete = 1; /* cut short: reads there will say so */
		e->seg[e->nseg++] = s;
	}
	rc = 0;
out:
	free(ph);
	return rc;
}

int kd_elf_open(struct kd_dump *d, kd_err *err)
{
	unsigned char eh[sizeof(Elf64_Ehdr)];
	struct elf_dump *e;
	uint64_t (*notes)[2] = NULL;
	size_t nnotes = 0;
	const struct kd_note *vmci;
	uint16_t type;
	int rc = -1;

	if (kd_src_read(&d->src, 0, eh, sizeof(eh), "ELF header", err) < 0)
		return -1;
	if (eh[EI_CLASS] != ELFCLASS64)
		return kd_fail(err, KD_ERR_UNSUPPORTED, "%s: ELF class %u: only 64-bit (ELFCLASS64) dumps are "
			       "supported", d->src.name, eh[EI_CLASS]);
	if (eh[EI_DATA] != ELFDATA2LSB)
		return kd_fail(err, KD_ERR_UNSUPPORTED, "%s: big-endian ELF dumps are not supported", d->src.name);
	type = kd_le16(eh + offsetof(Elf64_Ehdr, e_type));
	if (type != ET_CORE)
		return kd_fail(err, KD_ERR_CORRUPT, "%s: ELF file of type %u, not a core dump (ET_CORE 4): "
			       "a vmlinux or module?", d->src.name, type);
	e = calloc(1, sizeof(*e));
	if (!e)
		return kd_fail(err, KD_ERR_NOMEM, "%s: out of memory", d->src.name);
	d->ops = &elf_ops;
	d->impl = e;
	if (load_phdrs(d, e, eh, &notes, &nnotes, err) < 0 ||
	    kd_notes_load(d, (const uint64_t (*)[2])notes, nnotes, err) < 0)
		goto out;
	qsort(e->seg, e->nseg, sizeof(*e->seg), seg_cmp);
	e->maxend = malloc((e->nseg ? e->nseg : 1) * sizeof(*e->maxend));
	if (!e->maxend) {
		kd_fail(err, KD_ERR_NOMEM, "%s: out of memory", d->src.name);
		goto out;
	}
	for (size_t i = 0; i < e->nseg; i++) {
		uint64_t end = e->seg[i].paddr + e->seg[i].memsz;
		e->maxend[i] = i && e->maxend[i - 1] > end ? e->maxend[i - 1] : end;
	}
	vmci = kd_notes_find(d, "VMCOREINFO", 0, 0);
	if (vmci && kd_dump_set_vmcoreinfo(d, vmci->desc, vmci->len, err) < 0)
		goto out;
	snprintf(d->format, sizeof(d->format), "%s%s", d->src.flat ? "flattened " : "",
		 d->info.live ? "live kernel (/proc/kcore)"
		 : kd_notes_find(d, "QEMU", 0, 0) ? "QEMU ELF" : "ELF vmcore");
	d->info.page_size = kd_vmcoreinfo_page_size(d);
	if (e->nseg) {
		uint64_t end = e->maxend[e->nseg - 1];
		d->info.max_pfn = end / d->info.page_size + (end % d->info.page_size != 0);
	}
	d->info.dump_level = -1;
	d->info.nr_cpus = (int)kd_dump_ncpu_notes(d);
	rc = 0;
out:
	free(notes);
	return rc;
}
