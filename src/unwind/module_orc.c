#include "unwind/module_orc.h"

#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"

#define MAX_ORCS (1u << 22)

int kd_module_orc_from_memory(struct kd_kernel *k, const struct kd_module *m,
			      struct kd_orc_table *t, unsigned char **buf, kd_err *err)
{
	uint64_t ip, orc, n;

	*buf = NULL;
	if (kd_kernel_member(k, m->addr, "module", "arch.orc_unwind_ip", &ip, err) != 0 ||
	    kd_kernel_member(k, m->addr, "module", "arch.orc_unwind", &orc, err) != 0 ||
	    kd_kernel_member(k, m->addr, "module", "arch.num_orcs", &n, err) != 0)
		return kd_wrap(err, "module %s", m->name);
	if (!ip || !orc || !n || n > MAX_ORCS)
		return kd_fail(err, KD_ERR_LOOKUP, "module %s has no ORC data (%llu entries)", m->name,
			       (unsigned long long)n);
	if (!(*buf = malloc(n * 10)))
		return kd_oom(err);
	if (kd_kernel_read(k, ip, *buf, n * 4, err) != 0 ||
	    kd_kernel_read(k, orc, *buf + n * 4, n * 6, err) != 0) {
		free(*buf);
		*buf = NULL;
		return kd_wrap(err, "module %s's ORC data", m->name);
	}
	t->ip_addr = ip;
	t->ip = *buf;
	t->orc = *buf + n * 4;
	t->n = n;
	return 0;
}

struct ko {
	Elf *elf;
	Elf_Data *ip, *orc, *rela, *syms;
	size_t symstr, nsec;
};

static int ko_sections(struct ko *ko, const char *path, kd_err *err)
{
	size_t shstr, ip_idx = 0;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(ko->elf, &shstr) != 0 || elf_getshdrnum(ko->elf, &ko->nsec) != 0)
		return kd_fail(err, KD_ERR_LOOKUP, "%s: no section headers", path);
	while ((scn = elf_nextscn(ko->elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(ko->elf, shstr, sh.sh_name)))
			continue;
		if (strcmp(name, ".orc_unwind_ip") == 0) {
			ko->ip = elf_getdata(scn, NULL);
			ip_idx = elf_ndxscn(scn);
		} else if (strcmp(name, ".orc_unwind") == 0) {
			ko->orc = elf_getdata(scn, NULL);
		} else if (sh.sh_type == SHT_SYMTAB) {
			ko->syms = elf_getdata(scn, NULL);
			ko->symstr = sh.sh_link;
		}
	}
	/* The relocations that turn each ip slot into an address. */
	while ((scn = elf_nextscn(ko->elf, scn))) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_RELA && ip_idx && sh.sh_info == ip_idx)
			ko->rela = elf_getdata(scn, NULL);
	}
	if (!ko->ip || !ko->orc || !ko->rela || !ko->syms)
		return kd_fail(err, KD_ERR_LOOKUP, "%s: no ORC sections (built without CONFIG_UNWINDER_ORC?)", path);
	if (ko->orc->d_size != ko->ip->d_size / 4 * 6)
		return kd_fail(err, KD_ERR_CORRUPT, "%s: .orc_unwind_ip has %zu bytes and .orc_unwind %zu", path,
			       ko->ip->d_size, ko->orc->d_size);
	return 0;
}

/* Where each .ko section sits in the running module: any named symbol of
 * the section that the module's in-memory symbol table also has gives it
 * (runtime address minus the symbol's offset in its section). */
static uint64_t *section_bases(struct kd_kernel *k, struct kd_module *m, struct ko *ko,
			       kd_err *err)
{
	const struct kd_module_sym *rt;
	size_t nrt, nsyms = ko->syms->d_size / sizeof(Elf64_Sym);
	uint64_t *base = calloc(ko->nsec, sizeof(*base));

	if (!base) {
		kd_oom(err);
		return NULL;
	}
	if (kd_module_syms(k, m, &rt, &nrt, err) != 0) {
		free(base);
		return NULL;
	}
	for (size_t i = 1; i < nsyms; i++) {
		GElf_Sym s;
		const char *name;

		if (!gelf_getsym(ko->syms, (int)i, &s) || s.st_shndx == SHN_UNDEF ||
		    s.st_shndx >= ko->nsec || base[s.st_shndx] ||
		    !(name = elf_strptr(ko->elf, ko->symstr, s.st_name)) || !*name)
			continue;
		for (size_t j = 0; j < nrt; j++)
			if (strcmp(rt[j].name, name) == 0) {
				base[s.st_shndx] = rt[j].addr - s.st_value;
				break;
			}
	}
	return base;
}

struct orc_pair {
	uint64_t ip;
	unsigned char orc[6];
};

static bool is_terminator(const struct orc_pair *p)
{
	static const unsigned char zero[6];
	return memcmp(p->orc, zero, 6) == 0;
}

/* By address; at one address a section terminator (an all-zero entry)
 * goes first, as the kernel's orc_sort_cmp() puts it, so lookups find the
 * real entry after it. */
static int by_ip(const void *a, const void *b)
{
	const struct orc_pair *x = a, *y = b;

	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return is_terminator(y) - is_terminator(x);
}

int kd_module_orc_from_ko(struct kd_kernel *k, struct kd_module *m, const char *path,
			  struct kd_orc_table *t, unsigned char **buf, kd_err *err)
{
	struct ko ko = { 0 };
	struct orc_pair *pairs = NULL;
	uint64_t *base = NULL;
	size_t n, nrela, kept = 0;
	int fd, rc = -1;

	*buf = NULL;
	elf_version(EV_CURRENT);
	if ((fd = open(path, O_RDONLY)) < 0)
		return kd_fail_errno(err, "%s", path);
	if (!(ko.elf = elf_begin(fd, ELF_C_READ, NULL))) {
		kd_fail(err, KD_ERR_CORRUPT, "%s: not an ELF file", path);
		goto out;
	}
	if (ko_sections(&ko, path, err) != 0 || !(base = section_bases(k, m, &ko, err)))
		goto out;
	n = ko.ip->d_size / 4;
	nrela = ko.rela->d_size / sizeof(Elf64_Rela);
	if (n == 0 || n > MAX_ORCS || !(pairs = calloc(n, sizeof(*pairs)))) {
		kd_fail(err, KD_ERR_CORRUPT, "%s: %zu ORC entries", path, n);
		goto out;
	}
	for (size_t i = 0; i < nrela; i++) {
		GElf_Rela r;
		GElf_Sym s;
		size_t slot;

		if (!gelf_getrela(ko.rela, (int)i, &r) || r.r_offset % 4 || (slot = r.r_offset / 4) >= n ||
		    !gelf_getsym(ko.syms, (int)GELF_R_SYM(r.r_info), &s) || s.st_shndx >= ko.nsec ||
		    !base[s.st_shndx])
			continue; /* a section the module did not keep (e.g. freed init) */
		/* R_X86_64_PC32: the slot ends up holding S + A - P, i.e. it
		 * points at S + A. */
		pairs[kept].ip = base[s.st_shndx] + s.st_value + (uint64_t)r.r_addend;
		memcpy(pairs[kept].orc, (const unsigned char *)ko.orc->d_buf + slot * 6, 6);
		kept++;
	}
	if (kept == 0) {
		kd_fail(err, KD_ERR_CORRUPT, "%s: none of its ORC entries maps into module %s", path, m->name);
		goto out;
	}
	/* The loader sorts a module's table by address; so do we. */
	qsort(pairs, kept, sizeof(*pairs), by_ip);
	if (!(*buf = malloc(kept * 10))) {
		kd_oom(err);
		goto out;
	}
	t->ip_addr = m->base;
	for (size_t i = 0; i < kept; i++) {
		int32_t rel = (int32_t)(pairs[i].ip - (t->ip_addr + 4 * i));
		memcpy(*buf + 4 * i, &rel, 4);
		memcpy(*buf + kept * 4 + 6 * i, pairs[i].orc, 6);
	}
	t->ip = *buf;
	t->orc = *buf + kept * 4;
	t->n = kept;
	rc = 0;
out:
	free(pairs);
	free(base);
	if (ko.elf)
		elf_end(ko.elf);
	close(fd);
	return rc;
}
