/* sym ADDR|NAME: crash's symbol translation. Module symbols come from
 * each module's symbol table in memory, with the kernel's type letter;
 * vmlinux symbols from the debug vmlinux, whose letter crash would take
 * from its own tables: "(?)" says it is not known here. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "commands/command.h"
#include "kernel/modules.h"

static void print_sym(FILE *out, uint64_t addr, char type, const char *name, uint64_t off,
		      const char *module)
{
	fprintf(out, "%llx (%c) %s", (unsigned long long)(addr + off), type, name);
	if (off)
		fprintf(out, "+0x%llx", (unsigned long long)off);
	if (module)
		fprintf(out, " [%s]", module);
	fputc('\n', out);
}

/* Every symbol called name: vmlinux's, then each module's. */
static int by_name(struct kd_kernel *k, const char *name, FILE *out, kd_err *err)
{
	struct kd_module *mods;
	uint64_t addr;
	size_t n, found = 0;

	if (kd_kernel_symbol(k, name, &addr, NULL) == 0) {
		print_sym(out, addr, '?', name, 0, NULL);
		found++;
	}
	if (kd_modules(k, &mods, &n, err) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct kd_module_sym *syms;
		size_t nsyms;

		if (kd_module_syms(k, &mods[i], &syms, &nsyms, err) != 0)
			return -1;
		for (size_t j = 0; j < nsyms; j++)
			if (strcmp(syms[j].name, name) == 0) {
				print_sym(out, syms[j].addr, syms[j].type, name, 0, mods[i].name);
				found++;
			}
	}
	return found ? 0 : kd_fail(err, "symbol not found: %s", name);
}

static bool in_range(struct kd_kernel *k, uint64_t addr, const char *start, const char *end)
{
	uint64_t s, e;

	return kd_kernel_symbol(k, start, &s, NULL) == 0 && kd_kernel_symbol(k, end, &e, NULL) == 0 &&
	       addr >= s && addr < e;
}

/* vmlinux symbols only name its text; elsewhere the nearest one below
 * would be a meaningless name+huge offset. */
static bool in_kernel_text(struct kd_kernel *k, uint64_t addr)
{
	return in_range(k, addr, "_stext", "_etext") || in_range(k, addr, "_sinittext", "_einittext");
}

static int by_addr(struct kd_kernel *k, uint64_t addr, const char *arg, FILE *out, kd_err *err)
{
	const struct kd_module_sym *ms;
	struct kd_module *m;
	const char *name;
	uint64_t off;

	if ((ms = kd_module_symbol_at(k, addr, &m, &off))) {
		print_sym(out, ms->addr, ms->type, ms->name, off, m->name);
		return 0;
	}
	if (in_kernel_text(k, addr) && (name = kd_kernel_symbol_at(k, addr, &off))) {
		print_sym(out, addr - off, '?', name, off, NULL);
		return 0;
	}
	return kd_fail(err, "no symbol at %s", arg);
}

static int sym_main(struct kd_session *s, int argc, char **argv, FILE *out, kd_err *err)
{
	int rc = 0;

	if (argc < 2)
		return kd_fail(err, "usage: sym ADDRESS|NAME...");
	for (int i = 1; i < argc; i++) {
		const char *hex = strncmp(argv[i], "0x", 2) == 0 ? argv[i] + 2 : argv[i];
		char *end;
		uint64_t addr = strtoull(hex, &end, 16);

		/* A name first, as crash does: "add" or "bad" are symbols too. */
		if (*hex && !*end && kd_kernel_symbol(s->k, argv[i], &(uint64_t){ 0 }, NULL) != 0)
			rc |= by_addr(s->k, addr, argv[i], out, err);
		else
			rc |= by_name(s->k, argv[i], out, err);
	}
	return rc;
}

static int run_sym(struct kd_session *s, int argc, char **argv, FILE *out, kd_err *err)
{
	return sym_main(s, argc, argv, out, err) == 0 ? 0 : kd_wrap(err, "sym");
}

const struct kd_command kd_cmd_sym = {
	.name = "sym",
	.usage = "sym ADDRESS|NAME...",
	.summary = "translate an address to symbol+offset, or a symbol to its address",
	.help = "  ADDRESS  hex, with or without 0x: the symbol containing it, with\n"
		"           [module] for module text (the module's own symbol table in\n"
		"           memory, so a module's init code shows as init_module+off)\n"
		"  NAME     every symbol of that name, in vmlinux and in the modules\n",
	.run = run_sym,
};
