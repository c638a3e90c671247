#include "memory/vmem.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/interrupt.h"
#include "dump/dump.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ULL << PAGE_SHIFT)
#define PTE_PRESENT 0x1ULL
#define PTE_HUGE 0x80ULL
#define TLB_SLOTS 512

/* A tiny software TLB: walks cost four dependent physical reads, and
 * commands touch the same pages (task structs, stacks) over and over. */
struct tlb_entry {
	uint64_t vpage, ppage;
	bool valid;
};

struct kd_vmem {
	struct kd_dump *dump;
	struct kd_vmem_layout l;
	struct tlb_entry tlb[TLB_SLOTS];
};

struct kd_vmem *kd_vmem_new(struct kd_dump *dump, const struct kd_vmem_layout *layout)
{
	struct kd_vmem *vm = calloc(1, sizeof(*vm));

	if (!vm)
		return NULL;
	vm->dump = dump;
	vm->l = *layout;
	if (!vm->l.phys_mask)
		vm->l.phys_mask = 0x000ffffffffff000ULL;
	if (!vm->l.max_phys)
		vm->l.max_phys = 1ULL << 46;
	return vm;
}

void kd_vmem_free(struct kd_vmem *vm)
{
	free(vm);
}

void kd_vmem_flush(struct kd_vmem *vm)
{
	memset(vm->tlb, 0, sizeof(vm->tlb));
}

void kd_vmem_set_direct_map(struct kd_vmem *vm, uint64_t page_offset, uint64_t end)
{
	vm->l.page_offset = page_offset;
	vm->l.direct_end = end;
	kd_vmem_flush(vm);
}

static bool in_direct_map(const struct kd_vmem *vm, uint64_t vaddr)
{
	uint64_t size = vm->l.max_phys;

	if (!vm->l.page_offset || vaddr < vm->l.page_offset)
		return false;
	if (vm->l.direct_end > vm->l.page_offset && vm->l.direct_end - vm->l.page_offset < size)
		size = vm->l.direct_end - vm->l.page_offset;
	return vaddr - vm->l.page_offset < size;
}

static const char *const level_names[] = { "PTE", "PMD", "PUD", "P4D", "PGD" };

int kd_vmem_translate_pgd(struct kd_vmem *vm, uint64_t pgd_phys, uint64_t vaddr,
			  uint64_t *paddr, kd_err *err)
{
	int levels = vm->l.five_level ? 5 : 4;
	uint64_t table = pgd_phys & vm->l.phys_mask;

	for (int level = levels - 1; level >= 0; level--) {
		int shift = PAGE_SHIFT + 9 * level;
		uint64_t entry;
		uint64_t slot = table + ((vaddr >> shift) & 511) * 8;
		const char *name = level == levels - 1 ? "PGD" : level_names[level];

		if (kd_dump_read_phys(vm->dump, slot, &entry, sizeof(entry), err) != 0)
			return kd_wrap(err, "page table walk for 0x%llx (%s at 0x%llx)",
				       (unsigned long long)vaddr, name, (unsigned long long)slot);
		if (!(entry & PTE_PRESENT)) {
			kd_fault(err, KD_FAULT_UNMAPPED, 0, "virtual address 0x%llx is not mapped "
				 "(%s entry %016llx)", (unsigned long long)vaddr, name,
				 (unsigned long long)entry);
			kd_fault_set_virt(err, vaddr);
			return -1;
		}
		if ((level == 1 || level == 2) && (entry & PTE_HUGE)) {
			uint64_t size = 1ULL << shift;
			*paddr = (entry & vm->l.phys_mask & ~(size - 1)) | (vaddr & (size - 1));
			return 0;
		}
		table = entry & vm->l.phys_mask;
	}
	*paddr = table | (vaddr & (PAGE_SIZE - 1));
	return 0;
}

int kd_vmem_walk(struct kd_vmem *vm, uint64_t vaddr, struct kd_vmem_walk *w, kd_err *err)
{
	int levels = vm->l.five_level ? 5 : 4;
	uint64_t table = vm->l.pgd_phys & vm->l.phys_mask;

	memset(w, 0, sizeof(*w));
	for (int level = levels - 1; level >= 0; level--) {
		int shift = PAGE_SHIFT + 9 * level;
		uint64_t entry, slot = table + ((vaddr >> shift) & 511) * 8;

		if (kd_dump_read_phys(vm->dump, slot, &entry, sizeof(entry), err) != 0)
			return kd_wrap(err, "page table walk for 0x%llx", (unsigned long long)vaddr);
		w->level[w->n].name = level == levels - 1 ? "PGD" : level_names[level];
		w->level[w->n].slot = slot;
		w->level[w->n].entry = entry;
		w->n++;
		if (!(entry & PTE_PRESENT))
			return 0;
		if ((level == 1 || level == 2) && (entry & PTE_HUGE)) {
			w->page_size = 1ULL << shift;
			w->paddr = (entry & vm->l.phys_mask & ~(w->page_size - 1)) | (vaddr & (w->page_size - 1));
			w->mapped = true;
			return 0;
		}
		table = entry & vm->l.phys_mask;
	}
	w->page_size = PAGE_SIZE;
	w->paddr = table | (vaddr & (PAGE_SIZE - 1));
	w->mapped = true;
	return 0;
}

uint64_t kd_vmem_page_offset(const struct kd_vmem *vm)
{
	return vm->l.page_offset;
}

int kd_vmem_translate(struct kd_vmem *vm, uint64_t vaddr, uint64_t *paddr, kd_err *err)
{
	uint64_t vpage = vaddr >> PAGE_SHIFT;
	struct tlb_entry *t = &vm->tlb[vpage % TLB_SLOTS];
	uint64_t pa;

	if (t->valid && t->vpage == vpage) {
		*paddr = t->ppage << PAGE_SHIFT | (vaddr & (PAGE_SIZE - 1));
		return 0;
	}
	if (vaddr >= vm->l.kernel_map && vaddr - vm->l.kernel_map < vm->l.kernel_map_size) {
		pa = vaddr - vm->l.kernel_map + vm->l.phys_base;
	} else if (in_direct_map(vm, vaddr)) {
		/* Direct map: the walk would give the same answer, slower. */
		pa = vaddr - vm->l.page_offset;
	} else if (kd_vmem_translate_pgd(vm, vm->l.pgd_phys, vaddr, &pa, err) != 0) {
		return -1;
	}
	*t = (struct tlb_entry){ vpage, pa >> PAGE_SHIFT, true };
	*paddr = pa;
	return 0;
}

int kd_vmem_read(struct kd_vmem *vm, uint64_t vaddr, void *buf, size_t len, kd_err *err)
{
	unsigned char *out = buf;

	while (len) {
		uint64_t pa;
		size_t chunk = PAGE_SIZE - (vaddr & (PAGE_SIZE - 1));

		if (chunk > len)
			chunk = len;
		if (kd_interrupt_check(err) != 0) /* Ctrl-C: every long command reads */
			return -1;
		if (kd_vmem_translate(vm, vaddr, &pa, err) != 0)
			return -1;
		if (kd_dump_read_phys(vm->dump, pa, out, chunk, err) != 0) {
			kd_fault_set_virt(err, vaddr);
			return kd_wrap(err, "reading 0x%llx", (unsigned long long)vaddr);
		}
		out += chunk;
		vaddr += chunk;
		len -= chunk;
	}
	return 0;
}
