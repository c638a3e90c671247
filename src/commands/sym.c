/* sym ADDR|NAME: crash's symbol translation. Module symbols come from
 * each module's symbol table in memory, with the kernel's type letter;
 * vmlinux symbols from the debug vmlinux, with nm's letter. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"
#include "kernel/symbols.h"

/* --json: {"symbols": [...]}, one object per symbol printed. */
struct sym_out {
	struct kd_cmd *c;
	struct kd_json j;
};

static void print_sym(struct sym_out *o, const struct kd_sym *s)
{
	FILE *out = o->c->out;

	if (o->c->json) {
		kd_json_object(&o->j, NULL);
		kd_json_addr(&o->j, "address", s->start + s->off);
		kd_json_strn(&o->j, "type", &s->type, 1);
		kd_json_str(&o->j, "name", s->name);
		kd_json_int(&o->j, "offset", (long long)s->off);
		kd_json_str(&o->j, "module", s->module);
		kd_json_end(&o->j, '}');
		return;
	}
	fprintf(out, "%llx (%c) %s", (unsigned long long)(s->start + s->off), s->type, s->name);
	if (s->off)
		fprintf(out, "+0x%llx", (unsigned long long)s->off);
	if (s->module)
		fprintf(out, " [%s]", s->module);
	fputc('\n', out);
}

static int print_named(const struct kd_sym *s, void *o)
{
	print_sym(o, s);
	return 0;
}

static int by_name(struct sym_out *o, const char *name)
{
	struct kd_cmd *c = o->c;
	size_t found;

	if (kd_kernel_symbols_named(c->k, name, print_named, o, &found, c->err) != 0)
		return -1;
	return found ? 0 : kd_fail(c->err, KD_ERR_LOOKUP, "symbol not found: %s", name);
}

static int by_addr(struct sym_out *o, uint64_t addr, const char *arg)
{
	struct kd_sym s;

	if (kd_kernel_symbolize(o->c->k, addr, &s) != 0)
		return kd_fail(o->c->err, KD_ERR_LOOKUP, "no symbol at %s", arg);
	print_sym(o, &s);
	return 0;
}

static int run_sym(struct kd_cmd *c)
{
	struct sym_out o = { c };
	int rc = 0;

	if (c->argc < 1)
		return kd_cmd_usage(c, "an address or a name is needed");
	if (c->json) {
		kd_json_init(&o.j, c->out);
		kd_json_object(&o.j, NULL);
		kd_json_array(&o.j, "symbols");
	}
	for (int i = 0; i < c->argc; i++) {
		const char *arg = c->argv[i], *hex = strncmp(arg, "0x", 2) == 0 ? arg + 2 : arg;
		char *end;
		uint64_t addr = strtoull(hex, &end, 16), unused;

		/* A name first, as crash does: "add" or "bad" are symbols too. */
		if (*hex && !*end && kd_kernel_symbol(c->k, arg, &unused, NULL) != 0)
			rc |= by_addr(&o, addr, arg);
		else
			rc |= by_name(&o, arg);
	}
	if (c->json) {
		kd_json_end(&o.j, ']');
		kd_json_end(&o.j, '}');
	}
	return rc;
}

const struct kd_command kd_cmd_sym = {
	.name = "sym",
	.complete = KD_COMPLETE_SYMBOL,
	.flags = KD_CMD_JSON,
	.usage = "sym ADDRESS|NAME...",
	.summary = "translate an address to symbol+offset, or a symbol to its address",
	.help = "  ADDRESS  hex, with or without 0x: the symbol containing it, with\n"
		"           [module] for module text (the module's own symbol table in\n"
		"           memory, so a module's init code shows as init_module+off)\n"
		"  NAME     every symbol of that name, in vmlinux and in the modules\n",
	.run = run_sym,
};
