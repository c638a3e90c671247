/* l (gdb's list) and `gdb list`: the source lines around an address or a
 * function, as gdb prints them inside crash:
 *   l *ADDR | *SYMBOL+OFF   "0x... is in FUNC (FILE:LINE)." then ten lines
 *   l FUNC                  ten lines around where FUNC starts
 *   l                       the next ten lines
 * Sources come from --source / `set source` trees, the path DWARF names,
 * or the distribution's kernel source package; when none has the file,
 * one line says where it looked and which package to install. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "commands/command.h"
#include "kernel/symbols.h"

#define LINES 10

/* Lines first.. of file, going on from there next time; in JSON
 * {"file", "address", "function", "line", "lines": [...]} (the first three
 * null when l goes on without an argument). */
static int list_lines(struct kd_cmd *c, const char *file, int first, int center, bool header,
		      uint64_t addr)
{
	struct kd_json j;
	struct kd_sym s;
	bool named = header && kd_kernel_symbolize(c->k, addr, &s) == 0;
	int last;

	if (c->json) {
		kd_json_init(&j, c->out);
		kd_json_object(&j, NULL);
		kd_json_str(&j, "file", file);
		if (header)
			kd_json_addr(&j, "address", addr);
		else
			kd_json_null(&j, "address");
		kd_json_str(&j, "function", named ? s.name : NULL);
		if (center)
			kd_json_int(&j, "line", center);
		else
			kd_json_null(&j, "line");
		kd_json_array(&j, "lines");
	} else if (header && named) {
		fprintf(c->out, "0x%llx is in %s (%s:%d).\n", (unsigned long long)addr, s.name, file,
			center);
	} else if (header) {
		fprintf(c->out, "0x%llx is at %s:%d.\n", (unsigned long long)addr, file, center);
	}
	if ((last = kd_cmd_print_source(c, c->json ? &j : NULL, file, first, first + LINES - 1, 0)) < 0)
		return -1;
	if (c->json) {
		kd_json_end(&j, ']');
		kd_json_end(&j, '}');
	}
	if (file != c->s->list_file)
		snprintf(c->s->list_file, sizeof(c->s->list_file), "%s", file);
	c->s->list_next = last + 1;
	return 0;
}

static int run_l(struct kd_cmd *c)
{
	struct kd_srcline loc[1];
	const char *arg;
	uint64_t addr;
	bool star;

	if (c->argc == 0) {
		if (!c->s->list_file[0])
			return kd_cmd_usage(c, "nothing listed yet");
		return list_lines(c, c->s->list_file, c->s->list_next, 0, false, 0);
	}
	if (c->argc > 1)
		return kd_cmd_usage(c, "one *ADDRESS or FUNCTION is needed");
	arg = c->argv[0];
	star = *arg == '*';
	if (kd_cmd_address(c, star ? arg + 1 : arg, &addr, NULL) != 0)
		return -1;
	if (kd_kernel_srclines(c->k, addr, loc, 1) == 0)
		return kd_cmd_no_lines(c, addr);
	if (c->json)
		star = true; /* the document names the address either way */
	return list_lines(c, loc[0].file, loc[0].line - LINES / 2, loc[0].line, star, addr);
}

const struct kd_command kd_cmd_l = {
	.name = "l",
	.complete = KD_COMPLETE_SYMBOL,
	.flags = KD_CMD_MODULE_DEBUG | KD_CMD_JSON,
	.usage = "l [*ADDRESS | *SYMBOL+OFFSET | FUNCTION]",
	.summary = "source lines around an address or a function (gdb's list)",
	.help = "  *ADDRESS   the ten lines around ADDRESS's line, after a line naming it\n"
		"  FUNCTION   the ten lines around where FUNCTION starts\n"
		"  (none)     the ten lines after the last ones listed\n"
		"Sources: --source DIR and `set source DIR` trees, the file where the debug\n"
		"info says it was built, then the distribution's package (Debian:\n"
		"/usr/src/linux-source-X.Y.tar.xz from linux-source-X.Y, read in place).\n",
	.run = run_l,
};

/* crash hands `gdb CMD` to its gdb; kdive answers gdb's list. */
static int run_gdb(struct kd_cmd *c)
{
	char *argv[4] = { "l" };
	int argc = 1;

	if (c->argc == 0 || (strcmp(c->argv[0], "list") != 0 && strcmp(c->argv[0], "l") != 0))
		return kd_cmd_usage(c, "only `gdb list` is built in; for the rest kdive has its own "
				    "commands (p, ptype, whatis, dis)");
	if (c->argc > 2)
		return kd_cmd_usage(c, "one *ADDRESS or FUNCTION is needed");
	if (c->argc == 2)
		argv[argc++] = c->argv[1];
	if (c->json)
		argv[argc++] = "--json";
	return kd_cmd_run(c, argc, argv);
}

const struct kd_command kd_cmd_gdb = {
	.name = "gdb",
	.complete = KD_COMPLETE_SYMBOL,
	.flags = KD_CMD_RAW_ARGS | KD_CMD_JSON,
	.usage = "gdb list [*ADDRESS | FUNCTION]",
	.summary = "gdb's list, as crash passes it to gdb (same as l)",
	.help = "  gdb list *ADDRESS, gdb list FUNCTION: see `help l`.\n",
	.run = run_gdb,
};
