/* vtop and ptov: where a kernel virtual address is in physical memory,
 * with each page-table level crash shows, the page's entry flags and its
 * struct page; and the direct-map address of a physical one. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"
#include "kernel/pages.h"
#include "kernel/value.h"

/* crash's names for a page-table entry's bits. */
static void entry_flags(uint64_t e, bool leaf_pte, char *buf, size_t len)
{
	static const struct {
		int bit;
		const char *name;
	} bits[] = {
		{ 0, "PRESENT" }, { 1, "RW" },       { 2, "USER" }, { 3, "PWT" },    { 4, "PCD" },
		{ 5, "ACCESSED" }, { 6, "DIRTY" },   { 7, "PSE" },  { 8, "GLOBAL" }, { 63, "NX" },
	};
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		const char *name = bits[i].bit == 7 && leaf_pte ? "PAT" : bits[i].name;
		if (e & (1ULL << bits[i].bit))
			pos += (size_t)snprintf(buf + pos, pos < len ? len - pos : 0, "%s%s", pos ? "|" : "",
						name);
	}
}

static void vtop_text(struct kd_cmd *c, uint64_t vaddr, const struct kd_vmem_walk *w)
{
	char flags[256];

	fprintf(c->out, "VIRTUAL           PHYSICAL        \n%-16llx  ", (unsigned long long)vaddr);
	if (w->mapped)
		fprintf(c->out, "%-16llx\n", (unsigned long long)w->paddr);
	else
		fputs("(not mapped)\n", c->out);
	fprintf(c->out, "\nPGD DIRECTORY: %llx\n", (unsigned long long)kd_kernel_pgd(c->k));
	for (int i = 0; i < w->n; i++) {
		if (i == 0)
			fprintf(c->out, "PAGE DIRECTORY: %llx\n", (unsigned long long)w->level[i].entry);
		else
			fprintf(c->out, "%6s: %llx => %llx\n", w->level[i].name,
				(unsigned long long)w->level[i].slot, (unsigned long long)w->level[i].entry);
	}
	if (!w->mapped)
		return;
	fprintf(c->out, "  PAGE: %llx", (unsigned long long)(w->paddr & ~(w->page_size - 1)));
	if (w->page_size > 4096)
		fprintf(c->out, "  (%lluMB)", (unsigned long long)(w->page_size >> 20));
	fputc('\n', c->out);
	entry_flags(w->level[w->n - 1].entry, w->page_size == 4096, flags, sizeof(flags));
	fprintf(c->out, "\n      PTE         PHYSICAL  FLAGS\n%llx  %8llx  (%s)\n",
		(unsigned long long)w->level[w->n - 1].entry,
		(unsigned long long)(w->paddr & ~(w->page_size - 1)), flags);
	kd_cmd_print_page(c, w->paddr);
}

/* One element of {"addresses": [...]}: vtop's fields, null past where an
 * unmapped address's walk ended. */
static void vtop_json(struct kd_cmd *c, struct kd_json *j, uint64_t vaddr,
		      const struct kd_vmem_walk *w)
{
	char flags[256];

	kd_json_object(j, NULL);
	kd_json_addr(j, "virtual", vaddr);
	if (w->mapped)
		kd_json_addr(j, "physical", w->paddr);
	else
		kd_json_str(j, "physical", NULL);
	kd_json_addr(j, "pgd_directory", kd_kernel_pgd(c->k));
	kd_json_array(j, "page_table");
	for (int i = 0; i < w->n; i++) {
		kd_json_object(j, NULL);
		kd_json_str(j, "level", w->level[i].name);
		kd_json_addr(j, "address", w->level[i].slot);
		kd_json_addr(j, "entry", w->level[i].entry);
		kd_json_end(j, '}');
	}
	kd_json_end(j, ']');
	if (w->mapped) {
		entry_flags(w->level[w->n - 1].entry, w->page_size == 4096, flags, sizeof(flags));
		kd_json_object(j, "pte");
		kd_json_addr(j, "pte", w->level[w->n - 1].entry);
		kd_json_addr(j, "physical", w->paddr & ~(w->page_size - 1));
		kd_json_int(j, "page_size", (long long)w->page_size);
		kd_cmd_json_words(j, "flags", flags, '|');
		kd_json_end(j, '}');
		kd_cmd_json_page(c, j, "page", w->paddr);
	} else {
		kd_json_str(j, "pte", NULL);
		kd_json_str(j, "page", NULL);
	}
	kd_json_end(j, '}');
}

static int run_vtop(struct kd_cmd *c)
{
	struct kd_json j;

	if (!c->argc)
		return kd_cmd_usage(c, "an address is needed");
	kd_cmd_json_list(c, &j, "addresses");
	for (int i = 0; i < c->argc; i++) {
		struct kd_vmem_walk w;
		uint64_t addr;
		if (i && !c->json)
			fputc('\n', c->out);
		if (kd_cmd_address(c, c->argv[i], &addr, NULL) != 0 ||
		    kd_kernel_vtop(c->k, addr, &w, c->err) != 0)
			return -1;
		if (c->json)
			vtop_json(c, &j, addr, &w);
		else
			vtop_text(c, addr, &w);
	}
	kd_cmd_json_list(c, &j, NULL);
	return 0;
}

static int run_ptov(struct kd_cmd *c)
{
	struct kd_json j;

	if (!c->argc)
		return kd_cmd_usage(c, "a physical address is needed");
	kd_cmd_json_list(c, &j, "addresses");
	if (!c->json)
		fputs("VIRTUAL           PHYSICAL        \n", c->out);
	for (int i = 0; i < c->argc; i++) {
		char *end;
		uint64_t paddr = strtoull(c->argv[i], &end, 16), vaddr;
		if (!*c->argv[i] || *end)
			return kd_cmd_usage(c, "%s is not a hex address", c->argv[i]);
		if (!(vaddr = kd_kernel_ptov(c->k, paddr)))
			return kd_fail(c->err, KD_ERR_UNSUPPORTED, "the direct map's start is unknown");
		if (c->json) {
			kd_json_object(&j, NULL);
			kd_json_addr(&j, "virtual", vaddr);
			kd_json_addr(&j, "physical", paddr);
			kd_json_end(&j, '}');
		} else {
			fprintf(c->out, "%-16llx  %-16llx\n", (unsigned long long)vaddr,
				(unsigned long long)paddr);
		}
	}
	kd_cmd_json_list(c, &j, NULL);
	return 0;
}

const struct kd_command kd_cmd_vtop = {
	.name = "vtop",
	.complete = KD_COMPLETE_SYMBOL,
	.flags = KD_CMD_JSON,
	.usage = "vtop ADDR | SYMBOL | (EXPR)...",
	.summary = "translate a kernel virtual address, level by level",
	.help = "  The physical address, each page-table entry from the PGD down, the last\n"
		"  entry's flags, and the page's struct page (crash's layout).\n",
	.run = run_vtop,
};

const struct kd_command kd_cmd_ptov = {
	.name = "ptov",
	.flags = KD_CMD_JSON,
	.usage = "ptov PHYSICAL...",
	.summary = "the direct-map address of a physical address",
	.run = run_ptov,
};
