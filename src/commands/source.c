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
#include "commands/command.h"
#include "kernel/symbols.h"

#define LINES 10

static int list_at(struct kd_cmd *c, const char *file, int center, bool header, uint64_t addr)
{
	struct kd_sym s;
	int last;

	if (header) {
		if (kd_kernel_symbolize(c->k, addr, &s) == 0)
			fprintf(c->out, "0x%llx is in %s (%s:%d).\n", (unsigned long long)addr, s.name, file,
				center);
		else
			fprintf(c->out, "0x%llx is at %s:%d.\n", (unsigned long long)addr, file, center);
	}
	if ((last = kd_cmd_print_source(c, file, center - LINES / 2, center + LINES / 2 - 1, 0)) < 0)
		return -1;
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
	int last;

	if (c->argc == 0) {
		if (!c->s->list_file[0])
			return kd_cmd_usage(c, "nothing listed yet");
		if ((last = kd_cmd_print_source(c, c->s->list_file, c->s->list_next,
						c->s->list_next + LINES - 1, 0)) < 0)
			return -1;
		c->s->list_next = last + 1;
		return 0;
	}
	if (c->argc > 1)
		return kd_cmd_usage(c, "one *ADDRESS or FUNCTION is needed");
	arg = c->argv[0];
	star = *arg == '*';
	if (kd_cmd_address(c, star ? arg + 1 : arg, &addr, NULL) != 0)
		return -1;
	if (kd_kernel_srclines(c->k, addr, loc, 1) == 0)
		return kd_cmd_no_lines(c, addr);
	return list_at(c, loc[0].file, loc[0].line, star, addr);
}

const struct kd_command kd_cmd_l = {
	.name = "l",
	.flags = KD_CMD_MODULE_DEBUG,
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
	if (c->argc == 0 || (strcmp(c->argv[0], "list") != 0 && strcmp(c->argv[0], "l") != 0))
		return kd_cmd_usage(c, "only `gdb list` is built in; for the rest kdive has its own "
				    "commands (p, ptype, whatis, dis)");
	c->argv[0] = "l";
	return kd_cmd_run(c, c->argc, c->argv);
}

const struct kd_command kd_cmd_gdb = {
	.name = "gdb",
	.flags = KD_CMD_RAW_ARGS,
	.usage = "gdb list [*ADDRESS | FUNCTION]",
	.summary = "gdb's list, as crash passes it to gdb (same as l)",
	.help = "  gdb list *ADDRESS, gdb list FUNCTION: see `help l`.\n",
	.run = run_gdb,
};
