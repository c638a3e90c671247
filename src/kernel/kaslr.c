#include "kernel/kaslr.h"

#include <string.h>

#include "base/err.h"
#include "symbols/kernel_id.h"
#include "dump/dump.h"
#include "memory/vmem.h"
#include "symbols/symbolizer.h"

#define START_KERNEL_MAP 0xffffffff80000000ULL
#define KERNEL_IMAGE_SIZE (1ULL << 30) /* x86-64 with CONFIG_RANDOMIZE_BASE */
/* CONFIG_PHYSICAL_ALIGN: the physical load address and the virtual KASLR
 * offset both move in steps of it. */
#define KERNEL_ALIGN (2ULL << 20)
#define PAGE_SHIFT 12

/* QEMUCPUState version 1: u32 version, u32 size, rax..r15, rip, rflags,
 * ten 24-byte segments (cs ds es fs gs ss ldt tr gdt idt), cr[5],
 * kernel_gs_base. */
#define QCPU_VERSION 1
#define QCPU_CR (8 + 16 * 8 + 2 * 8 + 10 * 24)
#define QCPU_CR_END (QCPU_CR + 5 * 8)

#define CR0_PG (1ULL << 31)
#define CR4_LA57 (1ULL << 12)
/* With page-table isolation, user mode runs on the PGD 4 KiB above the
 * kernel's, which maps almost none of the kernel. */
#define PTI_USER_PGD (1ULL << PAGE_SHIFT)

static uint64_t u64_at(const unsigned char *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v)); /* x86-64 dumps on x86-64 hosts */
	return v;
}

int kd_qemu_cpu_parse(const void *desc, size_t len, struct kd_qemu_cpu *out, kd_err *err)
{
	const unsigned char *p = desc;
	uint32_t version, size;

	if (len < 8)
		return kd_fail(err, KD_ERR_CORRUPT, "QEMU CPU note is %zu bytes, expected at least %d", len, QCPU_CR_END);
	memcpy(&version, p, 4);
	memcpy(&size, p + 4, 4);
	if (version != QCPU_VERSION)
		return kd_fail(err, KD_ERR_CORRUPT, "QEMU CPU note has version %u, expected %d", version, QCPU_VERSION);
	if (size < QCPU_CR_END || size > len)
		return kd_fail(err, KD_ERR_CORRUPT, "QEMU CPU note says it is %u bytes (note %zu), expected at least %d",
			       size, len, QCPU_CR_END);
	out->cr0 = u64_at(p, QCPU_CR);
	out->cr3 = u64_at(p, QCPU_CR + 3 * 8);
	out->cr4 = u64_at(p, QCPU_CR + 4 * 8);
	return 0;
}

/* The next physical address at or above *from where the banner's bytes
 * are: the kernel is loaded at a KERNEL_ALIGN boundary, so only the
 * banner's offset within one is checked at each. */
static bool next_banner(struct kd_dump *d, const char *banner, size_t len, uint64_t banner_va,
			uint64_t *from)
{
	uint64_t max = kd_dump_info(d)->max_pfn << PAGE_SHIFT;
	char buf[512];

	for (uint64_t pa = (*from & ~(KERNEL_ALIGN - 1)) + (banner_va & (KERNEL_ALIGN - 1));
	     pa + len <= max; pa += KERNEL_ALIGN) {
		if (pa < *from || kd_dump_read_phys(d, pa, buf, len, NULL) != 0 ||
		    memcmp(buf, banner, len) != 0)
			continue;
		*from = pa;
		return true;
	}
	return false;
}

/* The KASLR offset that makes the page tables at pgd map banner_va onto
 * banner_pa. */
static bool find_offset(struct kd_vmem *vm, uint64_t pgd, uint64_t banner_va, uint64_t banner_pa,
			uint64_t *kaslr)
{
	for (uint64_t off = 0; off < KERNEL_IMAGE_SIZE; off += KERNEL_ALIGN) {
		uint64_t pa;

		if (kd_vmem_translate_pgd(vm, pgd, banner_va + off, &pa, NULL) == 0 && pa == banner_pa) {
			*kaslr = off;
			return true;
		}
	}
	return false;
}

int kd_kaslr_find(struct kd_dump *d, struct kd_symfile *vmlinux, const char *dump_path,
		  uint64_t *kaslr, struct kd_vmem_layout *l, kd_err *err)
{
	struct kd_qemu_cpu cpu;
	struct kd_kernel_id id = { 0 };
	struct kd_vmem *vm;
	uint64_t banner_va, pgt_va, banner_pa = 0;
	char banner[512];
	const void *desc;
	size_t len;
	bool found = false, in_memory = false;

	if (kd_symfile_lookup(vmlinux, "linux_banner", 0, &banner_va, err) != 0 ||
	    kd_symfile_read_string(vmlinux, "linux_banner", banner, sizeof(banner), err) != 0 ||
	    kd_symfile_lookup(vmlinux, "init_top_pgt", 0, &pgt_va, err) != 0)
		return kd_wrap(err, "%s has no VMCOREINFO; the vmlinux must say where the kernel is",
			       dump_path);
	if (kd_dump_note(d, "QEMU", 0, 0, &desc, &len) != 0)
		return kd_fail(err, KD_ERR_UNSUPPORTED, "%s: neither VMCOREINFO nor QEMU's CPU state: nothing says where "
			       "the kernel's page tables are (QEMU guests: add -device vmcoreinfo)",
			       dump_path);
	if (kd_qemu_cpu_parse(desc, len, &cpu, err) != 0)
		return kd_wrap(err, "%s: CPU 0", dump_path);
	if (!(cpu.cr0 & CR0_PG))
		return kd_fail(err, KD_ERR_UNSUPPORTED, "%s: CPU 0 had paging off (CR0 0x%llx): no page tables to find the "
			       "kernel with", dump_path, (unsigned long long)cpu.cr0);
	*l = (struct kd_vmem_layout){ .five_level = cpu.cr4 & CR4_LA57 };
	if (!(vm = kd_vmem_new(d, l)))
		return kd_oom(err);
	/* Byte for byte, the NUL too unless the banner filled the buffer. */
	len = strlen(banner);
	if (len + 1 < sizeof(banner))
		len++;
	for (uint64_t from = 0; !found && next_banner(d, banner, len, banner_va, &from);
	     from += KERNEL_ALIGN) {
		banner_pa = from;
		in_memory = true;
		found = find_offset(vm, cpu.cr3, banner_va, banner_pa, kaslr) ||
			((cpu.cr3 & PTI_USER_PGD) &&
			 find_offset(vm, cpu.cr3 & ~PTI_USER_PGD, banner_va, banner_pa, kaslr));
	}
	kd_vmem_free(vm);
	if (!in_memory) {
		kd_kernel_id_from_banner(banner, &id);
		return kd_fail(err, KD_ERR_MISMATCH, "%s: the vmlinux's linux_banner is nowhere in the dump's memory: the "
			       "dump is from another kernel (the vmlinux is %s %s; use the crashed "
			       "kernel's debug vmlinux)", dump_path, id.release, id.version);
	}
	if (!found)
		return kd_fail(err, KD_ERR_LOOKUP, "%s: linux_banner is at physical 0x%llx, but CPU 0's page tables "
			       "(CR3 0x%llx) map it at no 2 MiB KASLR offset below 1 GiB", dump_path,
			       (unsigned long long)banner_pa, (unsigned long long)cpu.cr3);
	/* Kernel text map: pa = va + kaslr - __START_KERNEL_map + phys_base. */
	l->phys_base = banner_pa - (banner_va + *kaslr - START_KERNEL_MAP);
	l->pgd_phys = pgt_va + *kaslr - START_KERNEL_MAP + l->phys_base;
	l->kernel_map = START_KERNEL_MAP;
	l->kernel_map_size = KERNEL_IMAGE_SIZE;
	l->max_phys = 1ULL << (l->five_level ? 52 : 46); /* MAX_PHYSMEM_BITS */
	return 0;
}
